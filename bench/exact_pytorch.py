#!/usr/bin/python3
"""The yardstick for bench/exact_bench.cpp: the same exact computation in PyTorch (float64).

For each network that `exact_bench --export DIR` wrote (one hidden layer of H sigmoid units
with no parents above V observed sigmoid or noisy-or units, and N data patterns), this
computes

    log p(d_n) = logsumexp_h [ log P(h) + log P(d_n | h) ]

over all 2^H hidden configurations h, a chunk of C configurations at a time:

    bits    C x H      the configurations of the chunk (0/1)
    prior   C          bits @ (log sigma(b_h) - log sigma(-b_h)) + sum log sigma(-b_h)
    sigmoid:  a = bits @ W^T + b_v                      (C x V, one matmul)
              log P(d | h) = d . a + sum_j log sigma(-a_j)      (log_on - log_off = a)
    noisy-or: log_off = log1p(-b_v) + bits @ log1p(-W)^T   (C x V, one matmul)
              log P(d | h) = d . (log_on - log_off) + sum_j log_off_j
    joint   N x C      data @ (...)^T + row sums + prior   (one matmul with the data)

and folds each chunk's logsumexp into a running torch.logaddexp. The per-pattern product
costs 2V flops per pattern and configuration (the engine's [d | 1 - d] layout costs 4V);
the logits are recomputed for every configuration (2HV flops) rather than updated
incrementally, which a tensor library cannot do cheaply one flip at a time.

Usage: exact_pytorch.py DIR [--budget SECONDS] [--chunk C] [--quick]

For each case, on 1 thread and on 2 (the fastest of three ways of sharing the two cores
between torch's OpenMP pool and OpenBLAS's pool), it enumerates everything when that fits
in the budget (and then compares log p(d) with the engine's values in the file), otherwise
it times chunks in counting order until the budget is spent and extrapolates the rate. Rates are
(patterns x configurations) per second, as in exact_bench.
"""
import argparse
import ctypes
import glob
import math
import os
import sys
import time

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def read_case(path):
    """Parses a case file: one `key value value ...` line per field."""
    case = {}
    with open(path) as f:
        for line in f:
            key, _, rest = line.strip().partition(" ")
            case[key] = rest
    for key in ("hidden", "visible", "patterns"):
        case[key] = int(case[key])
    for key in ("hidden_bias", "visible_bias", "weights", "data", "helmholtz_log_likelihood",
                "helmholtz_rate", "naive_rate"):
        if key in case:
            case[key] = np.array(case[key].split(), dtype=np.float64)
    case["weights"] = case["weights"].reshape(case["visible"], case["hidden"])
    case["data"] = case["data"].reshape(case["patterns"], case["visible"])
    return case


_openblas = None


def set_threads(intra_op, blas):
    """Sets torch's intra-op (OpenMP) threads and OpenBLAS's own threads, which torch leaves
    alone: float64 matmuls go to OpenBLAS, element-wise ops and reductions to OpenMP."""
    global _openblas
    torch.set_num_threads(intra_op)
    if _openblas is None:
        try:
            _openblas = ctypes.CDLL("libblas.so.3")
            _openblas.openblas_set_num_threads  # noqa: B018  (raises if absent)
        except (OSError, AttributeError):
            _openblas = False
            print("warning: cannot set OpenBLAS's thread count; matmuls use its default")
    if _openblas:
        _openblas.openblas_set_num_threads(blas)


# Thread settings tried for "2 threads": both pools at 2 oversubscribes the two cores (4
# busy threads), so the split ones are tried too and the fastest is reported.
TWO_THREAD_SETTINGS = ((2, 1), (1, 2), (2, 2))


def log1m_exp(x):
    """log(1 - exp(x)) for x <= 0, accurate on both sides of -log 2 (Maechler 2012)."""
    return torch.where(x > -math.log(2.0), torch.log(-torch.expm1(x)), torch.log1p(-torch.exp(x)))


class ExactPyTorch:
    def __init__(self, case, chunk):
        self.kind = case["observed_kind"]
        self.hidden = case["hidden"]
        self.chunk = chunk
        self.data = torch.from_numpy(case["data"]).contiguous()            # N x V
        bh = torch.from_numpy(case["hidden_bias"])
        log_on_h = torch.nn.functional.logsigmoid(bh)
        log_off_h = torch.nn.functional.logsigmoid(-bh)
        self.prior_slope = (log_on_h - log_off_h).contiguous()              # H
        self.prior_base = float(log_off_h.sum())
        w = torch.from_numpy(case["weights"])                                # V x H
        bv = torch.from_numpy(case["visible_bias"])
        if self.kind == "sigmoid":
            self.wt = w.t().contiguous()                                     # H x V
            self.offset = bv.contiguous()
        elif self.kind == "noisy-or":
            self.wt = torch.log1p(-w).t().contiguous()
            self.offset = torch.log1p(-bv).contiguous()
        else:
            raise ValueError("no PyTorch formula for " + self.kind)
        self.shifts = torch.arange(self.hidden, dtype=torch.int64)

    def chunk_logsumexp(self, start, count):
        """logsumexp over configurations start .. start + count - 1 (bit i = hidden unit i)."""
        index = torch.arange(start, start + count, dtype=torch.int64)
        bits = ((index.unsqueeze(1) >> self.shifts) & 1).to(torch.float64)   # C x H
        prior = torch.mv(bits, self.prior_slope) + self.prior_base           # C
        if self.kind == "sigmoid":
            a = torch.addmm(self.offset, bits, self.wt)                      # C x V logits
            log_off = torch.nn.functional.logsigmoid(-a)
            slope = a                                                         # log_on - log_off
        else:
            log_off = torch.addmm(self.offset, bits, self.wt)
            slope = log1m_exp(log_off) - log_off
        joint = torch.addmm(log_off.sum(1) + prior, self.data, slope.t())   # N x C
        return torch.logsumexp(joint, dim=1)

    def run(self, budget):
        """Returns (configurations done, seconds, log p(d) or None if stopped at the budget)."""
        total = 1 << self.hidden
        self.chunk_logsumexp(0, min(self.chunk, total))  # warm-up, not timed
        running = torch.full((self.data.shape[0],), -math.inf)
        start = time.perf_counter()
        done = 0
        while done < total:
            count = min(self.chunk, total - done)
            running = torch.logaddexp(running, self.chunk_logsumexp(done, count))
            done += count
            if budget is not None and time.perf_counter() - start > budget:
                break
        seconds = time.perf_counter() - start
        return done, seconds, (running.numpy().copy() if done == total else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per case and thread setting")
    parser.add_argument("--chunk", type=int, default=512, help="configurations per chunk")
    parser.add_argument("--quick", action="store_true", help="budget 0.3 s")
    args = parser.parse_args()
    budget = 0.3 if args.quick else args.budget

    paths = sorted(glob.glob(os.path.join(args.dir, "case_*.txt")))
    if not paths:
        sys.exit("exact_pytorch.py: no case_*.txt in " + args.dir + " (run exact_bench --export DIR first)")
    print("exact_pytorch.py: torch %s, float64, chunks of %d configurations, budget %.1f s per run"
          % (torch.__version__, args.chunk, budget))
    print("Rates: (patterns x configurations) per second; * = stopped at the budget, rate extrapolated\n")
    header = "  %-26s %11s %11s %7s %5s %11s %11s %8s %13s" % (
        "case", "torch t=1", "torch t=2", "omp/blas", "best", "helmholtz 1", "helmholtz 2", "h/torch",
        "max rel diff")
    print(header)
    worst = 0.0
    ratios = []
    for path in paths:
        case = read_case(path)
        exact = ExactPyTorch(case, args.chunk)
        n = case["patterns"]
        rates, marks, diffs, setting = {}, {}, [], {}
        for threads, settings in ((1, ((1, 1),)), (2, TWO_THREAD_SETTINGS)):
            rates[threads] = 0.0
            for intra_op, blas in settings:
                set_threads(intra_op, blas)
                done, seconds, log_p = exact.run(budget)
                if log_p is not None and "helmholtz_log_likelihood" in case:
                    reference = case["helmholtz_log_likelihood"]
                    diffs.append(float(np.max(np.abs(log_p - reference) / np.abs(reference))))
                if done * n / seconds > rates[threads]:
                    rates[threads] = done * n / seconds
                    marks[threads] = " " if log_p is not None else "*"
                    setting[threads] = "%d/%d" % (intra_op, blas)
        best_threads = max(rates, key=rates.get)
        h1, h2 = case["helmholtz_rate"]
        ratio = max(h1, h2) / rates[best_threads]
        ratios.append((case["name"], ratio))
        diff_text = "%.2e" % max(diffs) if diffs else "-"
        if diffs:
            worst = max(worst, max(diffs))
        print("  %-26s %10.3g%s %10.3g%s %8s %5d %11.3g %11.3g %7.2fx %13s" % (
            case["name"], rates[1], marks[1], rates[2], marks[2], setting[2], best_threads, h1, h2, ratio,
            diff_text))
        sys.stdout.flush()
    print("\n  torch t=2: the fastest of intra-op/OpenBLAS threads %s (omp/blas: the winner)"
          % ", ".join("%d/%d" % s for s in TWO_THREAD_SETTINGS))
    print("  best = torch thread count with the higher rate; h/torch = best helmholtz rate / best torch rate")
    print("  max rel diff = max_n |log p_torch(d_n) - log p_helmholtz(d_n)| / |log p_helmholtz(d_n)|,")
    print("  where both enumerated all configurations")
    print("Worst relative difference of log p(d), PyTorch vs helmholtz: %.2e" % worst)
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
