#!/usr/bin/env python3
"""Do hidden units find the cell assemblies planted in a binned spike recording? (docs/results.md, Spike recordings)

Makes a synthetic recording with `helmholtz data assemblies --planted`, trains networks on it
(each row below: a plugin for the channels, a number of hidden units, an algorithm, a rate)
from several seeds, and reads the planted assemblies off their generative weights with
`helmholtz probe --assemblies --json`. For a seed s the network's parameters are drawn from
`seed: s` and training runs with `--seed s`. Prints a Markdown table: per row, how many
assemblies were recovered exactly and the mean best Jaccard (mean over seeds with the spread,
half the range), the runs that recovered all of them, and the training time.

With --spike-file it also goes the way of a real recording: it writes the recording as spike
times (`channel time`, in ms, a spike at a random time inside its bin), bins them again with
`helmholtz data spikes --bin`, checks that this gives back the patterns, and trains the first
row on the binned file.

  python3 scripts/spike_assemblies.py [--rows LABEL,...] [--seeds 1,2,3] [--bins 5000] [--data-seed 1]
        [--data-options '--unassigned-channels 4 ...'] [--helmholtz build/bin/helmholtz] [--work DIR] [--spike-file] [--json results.json]

Every number it prints comes from the commands it runs; --verbose echoes each command.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPPED = os.path.join(ROOT, "models", "spikes.yaml")

# A row: (label, model, training options). The model is the shipped models/spikes.yaml (16
# channels) or (plugin of the channels, hidden units): one hidden node above the channels.
ROWS = [
    ("models/spikes.yaml, rws K=5 0.05", SHIPPED, ["--algorithm", "rws", "--samples", "5", "--learning-rate", "0.05", "--epochs", "10"]),
    ("models/spikes.yaml, wake-sleep 0.05", SHIPPED, ["--algorithm", "wake-sleep", "--learning-rate", "0.05", "--epochs", "10"]),
    ("noisy-or 8, wake-sleep 0.05", ("noisy-or", 8), ["--algorithm", "wake-sleep", "--learning-rate", "0.05", "--epochs", "10"]),
    ("noisy-or 6, wake-sleep 0.05", ("noisy-or", 6), ["--algorithm", "wake-sleep", "--learning-rate", "0.05", "--epochs", "10"]),
    ("noisy-or 4, wake-sleep 0.05", ("noisy-or", 4), ["--algorithm", "wake-sleep", "--learning-rate", "0.05", "--epochs", "10"]),
    ("noisy-or 6, wake-sleep 0.01", ("noisy-or", 6), ["--algorithm", "wake-sleep", "--learning-rate", "0.01", "--epochs", "10"]),
    ("noisy-or 6, wake-sleep 0.2", ("noisy-or", 6), ["--algorithm", "wake-sleep", "--learning-rate", "0.2", "--epochs", "10"]),
    ("noisy-or 6, rws K=5 0.05", ("noisy-or", 6), ["--algorithm", "rws", "--samples", "5", "--learning-rate", "0.05", "--epochs", "10"]),
    ("sigmoid 8, wake-sleep 0.05", ("sigmoid", 8), ["--algorithm", "wake-sleep", "--learning-rate", "0.05", "--epochs", "10"]),
    ("sigmoid 6, wake-sleep 0.05", ("sigmoid", 6), ["--algorithm", "wake-sleep", "--learning-rate", "0.05", "--epochs", "10"]),
    ("sigmoid 4, wake-sleep 0.05", ("sigmoid", 4), ["--algorithm", "wake-sleep", "--learning-rate", "0.05", "--epochs", "10"]),
    ("sigmoid 6, wake-sleep 0.01", ("sigmoid", 6), ["--algorithm", "wake-sleep", "--learning-rate", "0.01", "--epochs", "10"]),
    ("sigmoid 6, wake-sleep 0.2", ("sigmoid", 6), ["--algorithm", "wake-sleep", "--learning-rate", "0.2", "--epochs", "10"]),
    ("sigmoid 6, rws K=5 0.05", ("sigmoid", 6), ["--algorithm", "rws", "--samples", "5", "--learning-rate", "0.05", "--epochs", "10"]),
    ("sigmoid 6, rws K=5 0.01", ("sigmoid", 6), ["--algorithm", "rws", "--samples", "5", "--learning-rate", "0.01", "--epochs", "10"]),
]

BIN_MS = 10  # the width of a bin when the recording is written as spike times


def run(command, verbose, stdout=None):
    if verbose:
        print("$ " + " ".join(command), file=sys.stderr)
    result = subprocess.run(command, cwd=ROOT, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def model_text(model, seed, channels):
    if model == SHIPPED:
        with open(SHIPPED) as f:
            text = f.read()
        return re.sub(r"(?m)^seed: \d+$", f"seed: {seed}", text)
    plugin, hidden = model
    return (f"name: spikes\nseed: {seed}\nnodes:\n"
            f"  - {{name: assemblies, type: binary, size: {hidden}}}\n"
            f"  - {{name: channels, type: binary, size: {channels}, observed: true}}\n"
            f"generative:\n  assemblies: {{distribution: sigmoid}}\n"
            f"  channels: {{distribution: {plugin}, parents: [assemblies]}}\n")


def summary(values):
    return sum(values) / len(values), (max(values) - min(values)) / 2


def patterns_of(file):
    with open(file) as f:
        return [line.split("#")[0].strip() for line in f if line.split("#")[0].strip()]


def write_spike_file(data_file, spike_file, seed):
    """Each 1 of bin k becomes a spike at a random time inside [k BIN_MS, (k+1) BIN_MS) ms, kept
    clear of the edges by 0.5 ms, lines in time order."""
    rng = random.Random(seed)
    spikes = []
    for k, row in enumerate(patterns_of(data_file)):
        for channel, bit in enumerate(row):
            if bit == "1":
                spikes.append((k * BIN_MS + rng.uniform(0.5, BIN_MS - 0.5), channel))
    spikes.sort()
    with open(spike_file, "w") as f:
        f.write(f"# {os.path.basename(data_file)} as spike times: channel, time (ms); bins of {BIN_MS} ms\n")
        for t, channel in spikes:
            f.write(f"{channel} {t:.3f}\n")
    return len(spikes)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="", help="only these rows (comma-separated labels, or indices from 0)")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--bins", default="5000")
    parser.add_argument("--data-seed", default="1")
    parser.add_argument("--data-options", default="",
                        help="more options of `data assemblies`, e.g. '--unassigned-channels 4 --member-probability 0.7'")
    parser.add_argument("--helmholtz", default=os.path.join(ROOT, "build", "bin", "helmholtz"))
    parser.add_argument("--work", default="")
    parser.add_argument("--spike-file", action="store_true")
    parser.add_argument("--json", default="")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="helmholtz-spikes-"))
    os.makedirs(work, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    wanted = [r for r in args.rows.split(",") if r]
    rows = [row for i, row in enumerate(ROWS) if not wanted or row[0] in wanted or str(i) in wanted]

    data = os.path.join(work, "spikes-assemblies.data")
    planted = os.path.join(work, "spikes-assemblies.assemblies")
    with open(data, "w") as f:
        run([args.helmholtz, "data", "assemblies", "-n", args.bins, "--seed", args.data_seed, "--planted", planted]
            + args.data_options.split(), args.verbose, stdout=f)
    with open(data) as f:
        description = f.readline().lstrip("# ").strip()
    channels = len(patterns_of(data)[0])

    def train_and_probe(label, model, options, seed, data_file):
        tag = re.sub(r"[^A-Za-z0-9.=]+", "_", label)
        model_file = os.path.join(work, f"{tag}.{seed}.model.yaml")
        output = os.path.join(work, f"{tag}.{seed}.yaml")
        with open(model_file, "w") as f:
            f.write(model_text(model, seed, channels))
        began = time.monotonic()
        run([args.helmholtz, "train", model_file, "--data", data_file, "--seed", str(seed), "--output", output,
             "--quiet"] + options, args.verbose)
        seconds = time.monotonic() - began
        j = json.loads(run([args.helmholtz, "probe", output, "--assemblies", planted, "--node", "assemblies",
                            "--json"], args.verbose))
        return {"seed": seed, "recovered": j["recovered"], "count": j["count"], "mean_jaccard": j["mean_jaccard"],
                "jaccards": [a["jaccard"] for a in j["assemblies"]], "seconds": seconds, "model": output}

    results = []
    for label, model, options in rows:
        per_seed = []
        for seed in seeds:
            r = train_and_probe(label, model, options, seed, data)
            per_seed.append(r)
            print(f"{label} | seed {seed}: recovered {r['recovered']} of {r['count']}, mean Jaccard "
                  f"{r['mean_jaccard']:.3f} ({' '.join(f'{x:.2f}' for x in r['jaccards'])}), {r['seconds']:.1f} s",
                  file=sys.stderr)
        results.append({"label": label, "options": options, "per_seed": per_seed})

    options = f" {args.data_options}" if args.data_options else ""
    print(f"\n{args.bins} bins of `helmholtz data assemblies --seed {args.data_seed}{options}` ({description}); "
          f"training seeds {args.seeds}\n")
    count = results[0]["per_seed"][0]["count"] if results else 0
    print(f"| network, algorithm, rate | assemblies recovered (of {count}) | mean best Jaccard | runs recovering all "
          f"{count} | training time (s) |")
    print("| --- | --- | --- | --- | --- |")
    for row in results:
        s = row["per_seed"]
        recovered, spread = summary([r["recovered"] for r in s])
        jac, jac_spread = summary([r["mean_jaccard"] for r in s])
        seconds, seconds_spread = summary([r["seconds"] for r in s])
        complete = sum(r["recovered"] == r["count"] for r in s)
        print(f"| {row['label']} | {recovered:.2f} ± {spread:.2f} | {jac:.3f} ± {jac_spread:.3f} | {complete} of {len(s)} "
              f"| {seconds:.1f} ± {seconds_spread:.1f} |")

    if args.spike_file:
        spike_file = os.path.join(work, "spikes-assemblies.spikes")
        count = write_spike_file(data, spike_file, int(args.data_seed))
        binned = os.path.join(work, "spikes-binned.data")
        with open(binned, "w") as f:
            run([args.helmholtz, "data", "spikes", spike_file, "--bin", str(BIN_MS), "--channels", str(channels)], args.verbose,
                stdout=f)
        original, again = patterns_of(data), patterns_of(binned)
        # Binning stops at the bin of the last spike: silent bins at the end are not written.
        same = again == original[:len(again)] and all(set(r) == {"0"} for r in original[len(again):])
        print(f"\nspike file: {count} spikes; `data spikes --bin {BIN_MS}` gives {len(again)} bins, "
              f"{'the' if same else 'NOT the'} patterns of the recording"
              f"{f' (without its {len(original) - len(again)} silent bins at the end)' if len(again) < len(original) else ''}")
        label, model, options = rows[0]
        r = train_and_probe(label + " (binned spike file)", model, options, seeds[0], binned)
        print(f"trained on the binned spike file ({label}, seed {seeds[0]}): recovered {r['recovered']} of "
              f"{r['count']}, mean Jaccard {r['mean_jaccard']:.3f}")
        results.append({"label": label + " (binned spike file)", "options": options, "per_seed": [r]})

    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
