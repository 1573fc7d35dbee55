#!/usr/bin/env python3
"""Train the 8x8 9s with and without cues, as in docs/results.md (Multi-level cues).

For each setting (learning rate, epochs) it trains models/digits9.yaml (no cues) and
models/digits9-cues.yaml with --cue-epochs E (the same starting parameters: both files draw
them from seed 1) with wake-sleep, online, for several seeds, and measures

  - held-out log p(d): `helmholtz exact MODEL --data models/data/digits9-test.data --json`,
    the exact mean per pattern in nats (and the same on the training images);
  - fantasy diversity: `helmholtz sample MODEL -n 1000 --seed S`, the number of distinct
    patterns and the mean Hamming distance between two fantasies (over all pairs);
  - fantasy quality: the mean Hamming distance from a fantasy to its nearest training image;
  - coverage: the mean Hamming distance from a held-out image to its nearest fantasy (low
    when the fantasies reach every kind of 9, not a few kinds well).

It prints a Markdown table: the mean over seeds with the spread (half the range), and for
each run with cues the held-out difference to the run without cues of the same seed
(paired: both start from the same parameters and draw from the same seed's streams), as
mean ± standard error with the number of seeds where the cues did better.

  python3 scripts/compare_cues.py [--rates 0.05] [--epochs 200,1000] [--cue-fractions 0.25,0.5]
        [--seeds 1,2,3] [--helmholtz build/bin/helmholtz] [--work DIR] [--json results.json]

Every number it prints comes from the commands it runs; --verbose echoes each command.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN = os.path.join(ROOT, "models/data/digits9-train.data")
TEST = os.path.join(ROOT, "models/data/digits9-test.data")  # held out
PLAIN = os.path.join(ROOT, "models/digits9.yaml")
CUED = os.path.join(ROOT, "models/digits9-cues.yaml")
FANTASIES = 1000
FANTASY_SEED = 7


def run(args, verbose):
    if verbose:
        print("  $ " + " ".join(args), file=sys.stderr)
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def patterns(text):
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(tuple(int(c) for c in line.replace(" ", "")))
    return rows


def diversity(fantasies):
    """Distinct patterns, and the mean Hamming distance over all pairs: sum_j k_j (n - k_j)
    pairs differ in unit j, k_j of the n fantasies having it on."""
    n = len(fantasies)
    on = [sum(column) for column in zip(*fantasies)]
    pairs = n * (n - 1) / 2
    return len(set(fantasies)), sum(k * (n - k) for k in on) / pairs


def nearest(fantasies, images):
    """Mean over fantasies of the Hamming distance to the nearest of `images`."""
    masks = [int("".join(map(str, p)), 2) for p in images]
    total = 0
    for f in fantasies:
        x = int("".join(map(str, f)), 2)
        total += min(bin(x ^ m).count("1") for m in masks)
    return total / len(fantasies)


def spread(values):
    mean = sum(values) / len(values)
    return mean, (max(values) - min(values)) / 2


def paired(cued, plain):
    differences = [c["held_out"] - p["held_out"] for c, p in zip(cued, plain)]
    n = len(differences)
    mean = sum(differences) / n
    error = (sum((d - mean) ** 2 for d in differences) / (n - 1) / n) ** 0.5 if n > 1 else float("nan")
    return f"{mean:+.2f} ± {error:.2f} ({sum(d > 0 for d in differences)}/{n})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="0.05")
    parser.add_argument("--epochs", default="200,1000")
    parser.add_argument("--cue-fractions", default="0.25,0.5",
                        help="cue epochs as fractions of the epochs (0: the plain model)")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--helmholtz", default=os.path.join(ROOT, "build/bin/helmholtz"))
    parser.add_argument("--work", default=None)
    parser.add_argument("--json", default=None)
    parser.add_argument("--verbose", action="store_true")
    a = parser.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="helmholtz-cues-")
    os.makedirs(work, exist_ok=True)
    train_images = patterns(open(TRAIN).read())
    test_images = patterns(open(TEST).read())
    seeds = a.seeds.split(",")
    results = []
    for rate in a.rates.split(","):
        for epochs in (int(e) for e in a.epochs.split(",")):
            rows = [("no cues", PLAIN, 0)]
            for fraction in (float(f) for f in a.cue_fractions.split(",")):
                if fraction > 0:
                    rows.append((f"cues, E = {round(fraction * epochs)}", CUED, round(fraction * epochs)))
            for label, model, cue_epochs in rows:
                measured = []
                for seed in seeds:
                    out = os.path.join(work, f"r{rate}-e{epochs}-c{cue_epochs}-s{seed}.yaml")
                    args = [a.helmholtz, "train", model, "--data", TRAIN, "--seed", seed, "--epochs", str(epochs),
                            "--learning-rate", rate, "--quiet", "-o", out]
                    if cue_epochs:
                        args += ["--cue-epochs", str(cue_epochs)]
                    start = time.time()
                    run(args, a.verbose)
                    seconds = time.time() - start
                    held_out = json.loads(run([a.helmholtz, "exact", out, "--data", TEST, "--json", "--quiet"],
                                              a.verbose))["mean_log_likelihood"]
                    train = json.loads(run([a.helmholtz, "exact", out, "--data", TRAIN, "--json", "--quiet"],
                                           a.verbose))["mean_log_likelihood"]
                    fantasies = patterns(run([a.helmholtz, "sample", out, "-n", str(FANTASIES), "--seed",
                                              str(FANTASY_SEED)], a.verbose))
                    distinct, hamming = diversity(fantasies)
                    measured.append({"seed": int(seed), "held_out": held_out, "train": train, "distinct": distinct,
                                     "hamming": hamming, "nearest": nearest(fantasies, train_images),
                                     "coverage": nearest(test_images, fantasies),
                                     "seconds": seconds})
                row = {"rate": float(rate), "epochs": epochs, "label": label, "cue_epochs": cue_epochs,
                       "runs": measured}
                results.append(row)
                print(json.dumps(row), file=sys.stderr)
    distinct, hamming = diversity(train_images)
    print(f"training images: {len(train_images)}, {distinct} distinct, mean pairwise Hamming {hamming:.2f}\n")
    print("| rate | epochs | training | held-out log p(d) | training log p(d) | distinct of 1000 fantasies | "
          "mean pairwise Hamming | fantasy to nearest training image | held-out image to nearest fantasy | "
          "held-out, cues - no cues |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    plain = {}
    for row in results:
        if row["cue_epochs"] == 0:
            plain[(row["rate"], row["epochs"])] = row["runs"]
        cells = []
        for key, digits in (("held_out", 2), ("train", 2), ("distinct", 0), ("hamming", 2), ("nearest", 2), ("coverage", 2)):
            mean, half = spread([r[key] for r in row["runs"]])
            cells.append(f"{mean:.{digits}f} ± {half:.{digits}f}")
        base = plain.get((row["rate"], row["epochs"]))
        cells.append(paired(row["runs"], base) if row["cue_epochs"] and base else "")
        print(f"| {row['rate']} | {row['epochs']} | {row['label']} | " + " | ".join(cells) + " |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
