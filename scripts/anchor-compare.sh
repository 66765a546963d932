#!/usr/bin/env bash
# Runs the PyTorch reference (scripts/torch_lenet.py) and `bnn bench` one after the
# other, at 1 and 2 threads, so their figures come from the same run on the same machine.
# Needs Debian's python3-torch and python3-numpy (apt-get install -y python3-torch python3-numpy).
# Usage: scripts/anchor-compare.sh [OUTDIR]   (writes torch-T.json, bnn-T.json and a summary)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
anchor="$root/scripts/torch_lenet.py"
out="${1:-$root/runs/anchor-$(date +%Y%m%d-%H%M)}"
mkdir -p "$out"
[ -f "$anchor" ] || { echo "no PyTorch reference at $anchor" >&2; exit 2; }
for t in 1 2; do
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=$t \
    /usr/bin/python3 "$anchor" --mode bench --model bayes --threads $t --json "$out/torch-$t.json" > "$out/torch-$t.txt" 2>&1
  "$root/bnn" bench --arch lenet5 --layer lrt --samples 10 --batch-size 256 --threads $t --json > "$out/bnn-$t.json"
done
echo "figures in $out"
