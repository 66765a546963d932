#!/usr/bin/env bash
# Writes the diabetes regression data (Efron et al. 2004: 442 patients, 10 baseline variables,
# a measure of disease progression one year later) as one CSV with a header, DIR/diabetes.csv,
# from the copy scikit-learn ships (sklearn/datasets/data/diabetes_*.csv.gz): an installed
# sklearn (Debian's python3-sklearn, or pip's), or a scikit-learn wheel file given as $2.
# Usage: scripts/get-diabetes.sh [DIR] [WHEEL]   (default DIR: data)
set -euo pipefail
dir="${1:-data}"
out="$dir/diabetes.csv"
if [ -f "$out" ]; then echo "$out already exists"; exit 0; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ $# -ge 2 ]; then
  unzip -q -j "$2" 'sklearn/datasets/data/diabetes_data_raw.csv.gz' 'sklearn/datasets/data/diabetes_target.csv.gz' -d "$tmp"
  src="$tmp"
else
  src="$(python3 -c 'import os, sklearn.datasets as d; print(os.path.join(os.path.dirname(d.__file__), "data"))' 2>/dev/null)" || {
    echo "get-diabetes: no scikit-learn found; install python3-sklearn, or give a scikit-learn wheel: $0 DIR WHEEL" >&2; exit 2; }
fi
mkdir -p "$dir"
{
  echo "age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,progression"
  paste -d' ' <(zcat "$src/diabetes_data_raw.csv.gz") <(zcat "$src/diabetes_target.csv.gz") | awk '{
    line = $1; for (i = 2; i <= NF; i++) line = line "," ($i + 0); print line }'
} > "$out.tmp"
rows=$(($(wc -l < "$out.tmp") - 1))
[ "$rows" -eq 442 ] || { echo "get-diabetes: expected 442 rows, got $rows" >&2; rm -f "$out.tmp"; exit 1; }
mv "$out.tmp" "$out"
echo "wrote $out ($rows rows)"
