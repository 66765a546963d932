#!/usr/bin/env python3
"""Turns the runs of scripts/results-sweep.sh into the Markdown table of docs/RESULTS.md.

    scripts/results-table.py [OUT]        (default runs/results)

One row per configuration folder: median [min-max] over its seeds of test accuracy, NLL,
Brier, ECE (10 MC samples), AUROC by entropy and by mutual information and AUPR by entropy
against MNIST, AUROC (best of entropy/MI) against the synthetic sets, the snr-90% pruning
change in accuracy and ECE, and seconds per Bayesian epoch with the pre-training included.
"""
import json
import os
import statistics
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "runs/results"


def load(path):
    try:
        with open(path) as f:
            lines = [l for l in f.read().splitlines() if l.strip()]
        return json.loads(lines[-1]) if lines else None
    except (OSError, ValueError):
        return None


def cell(values, fmt, scale=1.0):
    v = [x * scale for x in values if x is not None]
    if not v:
        return "–"
    m = statistics.median(v)
    if len(v) == 1:
        return fmt.format(m)
    return (fmt + " [" + fmt + "–" + fmt + "]").format(m, min(v), max(v))


rows = []
for name in sorted(os.listdir(out)):
    cfg = os.path.join(out, name)
    if not os.path.isdir(cfg):
        continue
    runs = sorted(d for d in os.listdir(cfg) if d.startswith("seed") and os.path.exists(os.path.join(cfg, d, "done")))
    if not runs:
        continue
    m = {k: [] for k in ["acc", "nll", "brier", "ece", "ent", "mi", "aupr", "noise", "inverted", "flipped",
                         "dacc", "dece", "epoch_s"]}
    flags = ""
    for r in runs:
        d = os.path.join(cfg, r)
        flags = open(os.path.join(d, "flags")).read().split() if os.path.exists(os.path.join(d, "flags")) else []
        e = load(os.path.join(d, "eval-mnist.json"))
        if e:
            m["acc"].append(e["accuracy"]); m["nll"].append(e["nll"]); m["brier"].append(e["brier"]); m["ece"].append(e["ece"])
            m["ent"].append(e.get("auroc_entropy")); m["mi"].append(e.get("auroc_mutual_information"))
            m["aupr"].append(e.get("aupr_entropy"))
        for kind in ["noise", "inverted", "flipped"]:
            s = load(os.path.join(d, f"eval-{kind}.json"))
            if s:
                m[kind].append(max(s.get("auroc_entropy") or 0, s.get("auroc_mutual_information") or 0))
        p = load(os.path.join(d, "eval-pruned.json"))
        if p and e:
            m["dacc"].append(p["accuracy"] - e["accuracy"]); m["dece"].append(p["ece"] - e["ece"])
        epochs, total = 0, 0.0
        with open(os.path.join(d, "train.jsonl")) as f:
            for line in f:
                try:
                    j = json.loads(line)
                except ValueError:
                    continue
                if "seconds" in j:
                    total += j["seconds"]
                    if j.get("phase") != "pretrain":
                        epochs += 1
        if epochs:
            m["epoch_s"].append(total / epochs)
    rows.append((name, " ".join(flags) or "(none)", len(runs), m))

print("| configuration | flags | seeds | accuracy % | NLL | Brier | ECE | MNIST AUROC entropy | MNIST AUROC MI | MNIST AUPR entropy "
      "| noise AUROC | inverted AUROC | flipped AUROC | snr 0.9: Δacc (points) | snr 0.9: ΔECE | s/epoch |")
print("|" + "---|" * 16)
for name, flags, n, m in rows:
    print("| " + " | ".join([
        name, "`" + flags + "`", str(n),
        cell(m["acc"], "{:.2f}", 100), cell(m["nll"], "{:.3f}"), cell(m["brier"], "{:.3f}"), cell(m["ece"], "{:.4f}"),
        cell(m["ent"], "{:.3f}"), cell(m["mi"], "{:.3f}"), cell(m["aupr"], "{:.3f}"),
        cell(m["noise"], "{:.3f}"), cell(m["inverted"], "{:.3f}"), cell(m["flipped"], "{:.3f}"),
        cell(m["dacc"], "{:+.2f}", 100), cell(m["dece"], "{:+.4f}"), cell(m["epoch_s"], "{:.1f}"),
    ]) + " |")
