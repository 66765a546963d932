#!/usr/bin/env bash
# Trains Bayesian LeNet-5 models on the full Fashion-MNIST with different settings, then for each
# measures the unpruned calibration (`bnn evaluate`, 10 samples) and snr pruning at 0.9 and 0.95
# without fine-tuning (`bnn prune`). The figures of docs/PRUNING.md §6 came from it.
# Runs the configurations JOBS at a time, each on THREADS threads (results do not depend on either).
# Needs: apt-get install -y dataset-fashion-mnist
# Usage: scripts/prune-sweep.sh OUTDIR [JOBS [THREADS]] < CONFIGS
#   CONFIGS: one line per model, "NAME SEED FLAGS...", e.g. "lr3-s1 1 --lr 0.003"
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: prune-sweep.sh OUTDIR [JOBS [THREADS]] < CONFIGS}"
jobs="${2:-1}"; threads="${3:-2}"
data="${DATA:-/usr/share/datasets/fashion-mnist}"
mkdir -p "$out"
run() {   # NAME SEED FLAGS...
  local name="$1" seed="$2"; shift 2
  {
    echo "## $name: --seed $seed $*"
    "$root/bnn" train --data "$data" --epochs 20 --seed "$seed" --threads "$threads" --out "$out/$name.bnn" "$@" 2>&1 \
      | grep -E "epoch 20/|test accuracy"
    "$root/bnn" evaluate --model "$out/$name.bnn" --data "$data" --samples 10 --seed 1 --threads "$threads" --json 2>/dev/null
    for s in 0.9 0.95; do
      "$root/bnn" prune --model "$out/$name.bnn" --data "$data" --method snr --sparsity "$s" --seed 1 \
        --threads "$threads" --out "$out/$name-snr$s.bnn" --json 2>/dev/null | tail -1
    done
  } > "$out/$name.log" 2>&1
}
"$root/bnn" --version > /dev/null   # builds the command once, before the jobs start
while read -r name seed flags; do
  [ -z "$name" ] || [ "${name#\#}" != "$name" ] && continue
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
  # shellcheck disable=SC2086
  run "$name" "$seed" $flags &
done
wait
cat "$out"/*.log
