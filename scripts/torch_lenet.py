#!/usr/bin/env python3
"""PyTorch twin of bnn4j's Bayesian LeNet-5, the performance reference of docs/PERFORMANCE.md.

The network bnn4j's `bnn bench` measures: LeNet-5 for 1x32x32 inputs (28x28 images zero-padded),
softplus activations, every conv and dense layer with local reparameterization (a_mu = lin(x, mu)
+ mu_b, a_var = lin(x^2, sigma^2) + sigma_b^2 + 1e-16, y = a_mu + sqrt(a_var) * eps), sigma =
softplus(rho), prior N(0, 0.1^2), closed-form KL, Adam 1e-3, batch 256, loss = mean NLL + KL / N.
`--model freq` is the ordinary LeNet-5 of the same shape.

  python3 scripts/torch_lenet.py --mode bench --model bayes --threads 1 [--json out.json]
  python3 scripts/torch_lenet.py --mode train --model bayes --epochs 3 [--data DIR]

bench: training images/s (batch 256), batch inference images/s (batch 256, one sample), and the
latency of one image with 10 Monte-Carlo samples (the image repeated 10 times in one batch: with
LRT every row gets its own noise), each the median of 5 repetitions after a warm-up. Run it with
one BLAS thread and OMP_NUM_THREADS = --threads (scripts/anchor-compare.sh does).
"""
import argparse
import gzip
import json
import math
import os
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class LrtLayer(nn.Module):
    """A conv (kernel > 0) or dense (kernel == 0) layer under local reparameterization."""

    def __init__(self, cin, cout, kernel=0):
        super().__init__()
        shape = (cout, cin, kernel, kernel) if kernel else (cout, cin)
        self.kernel = kernel
        self.w_mu = nn.Parameter(torch.randn(shape) * 0.1)
        self.w_rho = nn.Parameter(torch.randn(shape) * 0.1 - 5)
        self.b_mu = nn.Parameter(torch.randn(cout) * 0.1)
        self.b_rho = nn.Parameter(torch.randn(cout) * 0.1 - 5)

    def lin(self, x, w, b):
        return F.conv2d(x, w, b) if self.kernel else F.linear(x, w, b)

    def forward(self, x):
        w_sigma, b_sigma = F.softplus(self.w_rho), F.softplus(self.b_rho)
        mean = self.lin(x, self.w_mu, self.b_mu)
        var = self.lin(x * x, w_sigma * w_sigma, b_sigma * b_sigma + 1e-16)
        return mean + var.sqrt() * torch.randn_like(mean)

    def kl(self, prior_sigma=0.1):
        total = 0.0
        for mu, rho in ((self.w_mu, self.w_rho), (self.b_mu, self.b_rho)):
            sigma = F.softplus(rho)
            total = total + (math.log(prior_sigma) - sigma.log() + (sigma ** 2 + mu ** 2) / (2 * prior_sigma ** 2) - 0.5).sum()
        return total


def lenet(bayes, classes=10):
    def layer(cin, cout, kernel=0):
        if bayes:
            return LrtLayer(cin, cout, kernel)
        return nn.Conv2d(cin, cout, kernel) if kernel else nn.Linear(cin, cout)

    return nn.ModuleList([layer(1, 6, 5), layer(6, 16, 5), layer(400, 120), layer(120, 84), layer(84, classes)])


def forward(layers, x):
    x = F.max_pool2d(F.softplus(layers[0](x)), 2)
    x = F.max_pool2d(F.softplus(layers[1](x)), 2).flatten(1)
    x = F.softplus(layers[2](x))
    x = F.softplus(layers[3](x))
    return layers[4](x)


def kl(layers):
    return sum(l.kl() for l in layers if isinstance(l, LrtLayer))


def train_step(layers, opt, x, y, n_train):
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(forward(layers, x), y)
    if any(isinstance(l, LrtLayer) for l in layers):
        loss = loss + kl(layers) / n_train
    loss.backward()
    opt.step()
    return loss.item()


def median_rate(fn, items, reps=5, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return items / statistics.median(times)


def bench(args):
    layers = lenet(args.model == "bayes")
    opt = torch.optim.Adam(layers.parameters(), lr=1e-3)
    x = torch.rand(256, 1, 32, 32)
    y = torch.randint(0, 10, (256,))
    steps = 10
    train = median_rate(lambda: [train_step(layers, opt, x, y, 54000) for _ in range(steps)], 256 * steps)
    with torch.no_grad():
        infer = median_rate(lambda: [forward(layers, x) for _ in range(steps)], 256 * steps)
        one = x[:1].repeat(10, 1, 1, 1)
        for _ in range(200):
            forward(layers, one)
        lat = []
        for _ in range(2000):
            t0 = time.perf_counter()
            forward(layers, one).softmax(1).mean(0)
            lat.append((time.perf_counter() - t0) * 1e3)
    lat.sort()
    result = {"model": args.model, "threads": args.threads, "train_images_per_second": train,
              "predict_images_per_second": infer, "predict_latency_ms_median": statistics.median(lat),
              "predict_latency_ms_p99": lat[int(math.ceil(0.99 * len(lat))) - 1], "torch": torch.__version__}
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)


def read_idx(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        dims = struct.unpack(">" + "I" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def load(data, split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(data, f"{prefix}-images-idx3-ubyte.gz")).astype(np.float32) / 255
    y = read_idx(os.path.join(data, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    x = np.pad(x, ((0, 0), (2, 2), (2, 2)))[:, None]
    return torch.from_numpy(x), torch.from_numpy(y)


def train(args):
    x, y = load(args.data, "train")
    xt, yt = load(args.data, "test")
    layers = lenet(args.model == "bayes")
    opt = torch.optim.Adam(layers.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 256):
            idx = perm[i:i + 256]
            train_step(layers, opt, x[idx], y[idx], len(x))
        seconds = time.perf_counter() - t0
        with torch.no_grad():
            probs = sum(forward(layers, xt).softmax(1) for _ in range(10)) / 10
        acc = (probs.argmax(1) == yt).float().mean().item()
        print(json.dumps({"epoch": epoch, "seconds": seconds, "test_accuracy": acc}))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mode", choices=["bench", "train"], default="bench")
    p.add_argument("--model", choices=["bayes", "freq"], default="bayes")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--json")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    bench(args) if args.mode == "bench" else train(args)


if __name__ == "__main__":
    main()
