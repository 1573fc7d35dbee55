#!/usr/bin/env python3
"""Compare the learning algorithms of helmholtz on three problems, as in docs/algorithms.md.

For each problem and each row (algorithm, optimiser, options) it picks the learning rate by a
bounded search on validation data (seed 1), trains from the same starting network with
several seeds, then evaluates on held-out data with
`helmholtz evaluate --json` (exact log p(d), exact bound -F and their gap KL(Q||P)), and
prints a Markdown table: mean over seeds with the spread (half the range), and the
training time.

  python3 scripts/compare_algorithms.py [--problems teacher,bars,shifter] [--seeds 1,2,3]
        [--helmholtz build/bin/helmholtz] [--work DIR] [--json results.json]

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

# The rows: (label, options without a learning rate). Natural gradients want minibatches of
# about 100 (a Fisher block from one pattern is a poor estimate); the others run online
# (batch 1, as in the papers) except the line-search optimiser, which uses all the data.
ROWS = [
    ("wake-sleep, sgd", ["--algorithm", "wake-sleep"]),
    ("rws K=5, sgd", ["--algorithm", "rws", "--samples", "5"]),
    ("rws K=20, sgd", ["--algorithm", "rws", "--samples", "20"]),
    ("deterministic, cg", ["--algorithm", "deterministic", "--optimizer", "cg"]),
    ("natural-wake-sleep, sgd", ["--algorithm", "natural-wake-sleep", "--batch-size", "100"]),
    ("natural-rws K=5, sgd", ["--algorithm", "natural-rws", "--samples", "5", "--batch-size", "100"]),
]

# The bounded search: each row's learning rate (for cg, the first step length) is the one of
# these with the best exact log p(d) on a validation set (not the held-out set), with seed 1.
RATES = ["0.02", "0.05", "0.1", "0.2"]

# One problem: a starting model, how to make its training, validation and held-out data, and
# how long to train. A problem without "search" (its exact evaluation is costly) takes the
# rates the search chose on bars, written out in "rates".
PROBLEMS = {
    "teacher": {
        "title": "data from a known network (models/teacher.yaml, 2-4-8 sigmoid; 2,000 training, 1,000 held-out patterns)",
        "model": "models/student.yaml",
        "train": ["sample", "models/teacher.yaml", "-n", "2000", "--seed", "101"],
        "validation": ["sample", "models/teacher.yaml", "-n", "1000", "--seed", "103"],
        "held_out": ["sample", "models/teacher.yaml", "-n", "1000", "--seed", "102"],
        "truth": "models/teacher.yaml",
        "common": ["--epochs", "40"],
        "search": True,
    },
    "bars": {
        "title": "bars (models/bars.yaml, 1-8-16 sigmoid; 2,000 training, 1,000 held-out patterns)",
        "model": "models/bars.yaml",
        "train": ["data", "bars", "-n", "2000", "--seed", "201"],
        "validation": ["data", "bars", "-n", "1000", "--seed", "203"],
        "held_out": ["data", "bars", "-n", "1000", "--seed", "202"],
        "common": ["--epochs", "40"],
        "search": True,
    },
    "shifter": {
        "title": "shifter (models/shifter.yaml, 1-24-32 sigmoid; 5,000 training, 100 held-out patterns; entropy 4.579 nats)",
        "model": "models/shifter.yaml",
        "train": ["data", "shifter", "-n", "5000", "--seed", "301"],
        "held_out": ["data", "shifter", "-n", "100", "--seed", "302"],
        "common": ["--epochs", "20"],
        "rates": {"wake-sleep, sgd": "0.05", "rws K=5, sgd": "0.2", "rws K=20, sgd": "0.05",
                  "deterministic, cg": "0.02", "natural-wake-sleep, sgd": "0.2", "natural-rws K=5, sgd": "0.05"},
    },
}


def run(command, verbose, stdout=None):
    if verbose:
        print("$ " + " ".join(command), file=sys.stderr)
    result = subprocess.run(command, cwd=ROOT, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def evaluate(helmholtz, model, data, verbose):
    out = run([helmholtz, "evaluate", model, "--data", data, "--json", "--samples", "10"], verbose)
    j = json.loads(out)
    return {k: j[k]["mean"] for k in ("exact_log_likelihood", "exact_bound", "kl_gap")}


def summary(values):
    mean = sum(values) / len(values)
    spread = (max(values) - min(values)) / 2
    return mean, spread


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", default="teacher,bars,shifter")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--rows", default="", help="only the rows of these algorithms (comma-separated names)")
    parser.add_argument("--helmholtz", default=os.path.join(ROOT, "build", "bin", "helmholtz"))
    parser.add_argument("--work", default="")
    parser.add_argument("--json", default="")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="helmholtz-compare-")
    os.makedirs(work, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    only = [r for r in args.rows.split(",") if r]
    results = {}
    chosen = {}  # problem -> label -> rate
    for name in args.problems.split(","):
        problem = PROBLEMS[name]
        files = {}
        for part in ("train", "validation", "held_out"):
            if part not in problem:
                continue
            files[part] = os.path.join(work, f"{name}.{part}.data")
            with open(files[part], "w") as f:
                run([args.helmholtz] + problem[part], args.verbose, stdout=f)
        start = evaluate(args.helmholtz, problem["model"], files["held_out"], args.verbose)
        truth = evaluate(args.helmholtz, problem["truth"], files["held_out"], args.verbose) if "truth" in problem else None

        def train(label, options, rate, seed):
            output = os.path.join(work, f"{name}.{label.replace(' ', '_').replace(',', '')}.{rate}.{seed}.yaml")
            command = [args.helmholtz, "train", problem["model"], "--data", files["train"], "--seed", str(seed),
                       "--output", output, "--quiet", "--learning-rate", rate] + problem["common"] + options
            began = time.monotonic()
            run(command, args.verbose)
            return output, time.monotonic() - began

        rows = []
        chosen[name] = {}
        for label, options in ROWS:
            if only and label.split(",")[0].split(" ")[0] not in only:
                continue
            if problem.get("search"):
                scores = {}
                for rate in RATES:
                    output, _ = train(label, options, rate, 1)
                    scores[rate] = evaluate(args.helmholtz, output, files["validation"], args.verbose)["exact_log_likelihood"]
                rate = max(RATES, key=lambda r: scores[r])
                print(f"{name} | {label}: validation log p(d) by rate " +
                      ", ".join(f"{r}: {scores[r]:.3f}" for r in RATES) + f" -> {rate}", file=sys.stderr)
            else:
                rate = problem["rates"][label]
            chosen[name][label] = rate
            per_seed = []
            for seed in seeds:
                output, seconds = train(label, options, rate, seed)
                scores = evaluate(args.helmholtz, output, files["held_out"], args.verbose)
                scores["seconds"] = seconds
                per_seed.append(scores)
                print(f"{name} | {label} | rate {rate} | seed {seed}: log p(d) {scores['exact_log_likelihood']:.4f}, "
                      f"bound {scores['exact_bound']:.4f}, {seconds:.1f} s", file=sys.stderr)
            rows.append({"label": label, "rate": rate, "options": problem["common"] + options, "per_seed": per_seed})
        results[name] = {"title": problem["title"], "start": start, "truth": truth, "rows": rows}

        print(f"\n**{problem['title']}**\n")
        print(f"Before training: log p(d) {start['exact_log_likelihood']:.3f}, bound {start['exact_bound']:.3f}."
              + (f" The true network: log p(d) {truth['exact_log_likelihood']:.3f}." if truth else ""))
        print("\n| algorithm, optimiser | rate | held-out log p(d) | exact bound -F | KL gap | training time (s) |")
        print("| --- | --- | --- | --- | --- | --- |")
        for row in rows:
            cells = []
            for key, digits in (("exact_log_likelihood", 3), ("exact_bound", 3), ("kl_gap", 3), ("seconds", 1)):
                mean, spread = summary([s[key] for s in row["per_seed"]])
                cells.append(f"{mean:.{digits}f} ± {spread:.{digits}f}")
            print(f"| {row['label']} | {row['rate']} | " + " | ".join(cells) + " |")
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
