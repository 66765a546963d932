#!/usr/bin/env bash
# Trains one configuration for several seeds and measures each model the way docs/RESULTS.md
# reports it: test accuracy, NLL, Brier, ECE (10 MC samples), OOD AUROC/AUPR against MNIST
# (scripts/get-mnist.sh) and the synthetic sets, and snr pruning at 90% without fine-tuning.
#
#   scripts/results-sweep.sh NAME "SEEDS" [TRAIN FLAGS...]
#   e.g. scripts/results-sweep.sh defaults "1 2 3 4 5"
#        scripts/results-sweep.sh flipout "1 2 3" --layer flipout
#
# Environment: DATA (default /usr/share/datasets/fashion-mnist), MNIST (default data/mnist),
# OUT (default runs/results), THREADS (default 2), SYNTHETIC=0 to skip the synthetic OOD sets,
# PRUNE=0 to skip pruning. One folder per run: OUT/NAME/seedS/ with the model, the logs and
# one JSON file per measurement; scripts/results-table.py turns them into the table.
set -euo pipefail
cd "$(dirname "$0")/.."
name="$1"; seeds="$2"; shift 2
data="${DATA:-/usr/share/datasets/fashion-mnist}"
mnist="${MNIST:-data/mnist}"
out="${OUT:-runs/results}"
threads="${THREADS:-2}"
bnn="${BNN:-./bnn}"   # a frozen launcher keeps a long sweep on one build while sources change
[ -f "$mnist/t10k-images-idx3-ubyte.gz" ] || scripts/get-mnist.sh "$mnist"
for seed in $seeds; do
  dir="$out/$name/seed$seed"
  mkdir -p "$dir"
  [ -f "$dir/done" ] && { echo "$name seed $seed: done already"; continue; }
  echo "$name seed $seed: training ($*)" >&2
  printf '%s\n' "$@" > "$dir/flags"
  $bnn train --data "$data" --seed "$seed" --threads "$threads" --out "$dir/model.bnn" --json "$@" > "$dir/train.jsonl" 2> "$dir/train.err"
  $bnn evaluate --model "$dir/model.bnn" --data "$data" --ood "$mnist" --samples 10 --seed "$seed" --threads "$threads" --json \
      > "$dir/eval-mnist.json" 2> /dev/null
  if [ "${SYNTHETIC:-1}" != 0 ]; then
    for kind in noise inverted flipped; do
      $bnn evaluate --model "$dir/model.bnn" --data "$data" --ood "$kind" --samples 10 --seed "$seed" --threads "$threads" --json \
          > "$dir/eval-$kind.json" 2> /dev/null
    done
  fi
  if [ "${PRUNE:-1}" != 0 ] && $bnn info "$dir/model.bnn" 2>/dev/null | grep -qiE 'estimator +(lrt|bbb|flipout)'; then
    $bnn prune --model "$dir/model.bnn" --data "$data" --method snr --sparsity 0.9 --out "$dir/pruned.bnn" --seed "$seed" \
        --threads "$threads" --json > "$dir/prune.json" 2> /dev/null
    $bnn evaluate --model "$dir/pruned.bnn" --data "$data" --samples 10 --seed "$seed" --threads "$threads" --json \
        > "$dir/eval-pruned.json" 2> /dev/null
  fi
  touch "$dir/done"
done
