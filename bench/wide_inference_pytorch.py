#!/usr/bin/env python3
"""The PyTorch yardstick for inference on the 784-200-50 sigmoid network (models/fashion784.yaml):
importance-sampled log p(d) with K samples from Q per pattern, and fantasies by ancestral
sampling. bench/run's wide part times `helmholtz evaluate --samples K` and `helmholtz sample`
on the same shapes and prints the ratios.

Importance sampling, per block of patterns: the first recognition layer's probabilities
once per pattern (a competent implementation does not recompute them per sample), then the
K samples in sub-batches: h1 ~ Q(h1 | d), h2 ~ Q(h2 | h1), log Q, log P(h2) + log P(h1 | h2)
+ log P(d | h1), and a running log-sum-exp of log P - log Q over the samples. The rate is
samples per second (patterns x K over the seconds). Fantasies: top -> hidden -> image in
batches of 1000; the rate is fantasies per second, generated in memory.

Each figure is the best of 3 timed runs, per dtype (float64, float32) and thread setting
(torch intra-op threads / OpenBLAS threads: 1/1, 2/1, 1/2, 2/2).

Usage: wide_inference_pytorch.py DATA [--patterns N] [--samples K] [--fantasies M] [--json FILE] [--quick]
DATA is a helmholtz data file of 784-unit patterns (scripts/fashion_mnist.py writes one).
Exit status: 0; 1 if the estimator's check fails; 2 for a usage or data mistake.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wide_pytorch import DataError, machine, read_data, set_threads  # noqa: E402

SIZES = (784, 200, 50)  # image (observed), hidden, top

SETTINGS = ((1, 1), (2, 1), (1, 2), (2, 2))
RUNS = 3
BLOCK = 100       # patterns per block
SUB_BATCH = 100   # samples per sub-batch of a block: BLOCK x SUB_BATCH rows per product


def log_bernoulli(states, logits):
    """Sum over the last axis of log P(states | logits) for sigmoid units."""
    return (states * logits - F.softplus(logits)).sum(-1)


def importance(net, x, samples, generator):
    """log (1/K) sum_k P(h_k, d) / Q(h_k | d) for each row of x, h_k ~ Q(. | d)."""
    n1, n2 = net.sizes[1], net.sizes[2]
    out = torch.empty(x.shape[0], dtype=net.dtype)
    for first in range(0, x.shape[0], BLOCK):
        d = x[first:first + BLOCK]
        b = d.shape[0]
        a1 = torch.addmm(net.c_hidden, d, net.R_hidden.t())
        p1 = torch.sigmoid(a1)
        total = torch.full((b,), -math.inf, dtype=net.dtype)
        prior_softplus = F.softplus(net.b0).sum()
        for done in range(0, samples, SUB_BATCH):
            s = min(SUB_BATCH, samples - done)
            u = torch.rand(b, s, n1, generator=generator, dtype=net.dtype)
            h1 = (u < p1.unsqueeze(1)).to(net.dtype)                       # b x s x 200
            log_q = log_bernoulli(h1, a1.unsqueeze(1))
            h1f = h1.reshape(b * s, n1)
            a2 = torch.addmm(net.c_top, h1f, net.R_top.t())                # (b s) x 50
            h2 = (torch.rand(b * s, n2, generator=generator, dtype=net.dtype) < torch.sigmoid(a2)).to(net.dtype)
            log_q = log_q + log_bernoulli(h2, a2).reshape(b, s)
            log_p = h2 @ net.b0 - prior_softplus                           # top prior
            log_p = log_p + log_bernoulli(h1f, torch.addmm(net.b1, h2, net.W1.t()))
            logits0 = torch.addmm(net.b2, h1f, net.W2.t())                 # (b s) x 784
            log_p = log_p + log_bernoulli(d.repeat_interleave(s, 0), logits0)
            total = torch.logaddexp(total, torch.logsumexp(log_p.reshape(b, s) - log_q, dim=1))
        out[first:first + b] = total - math.log(samples)
    return out


def fantasies(net, count, generator, batch=1000):
    n0, n1, n2 = net.sizes
    made = 0
    while made < count:
        m = min(batch, count - made)
        h2 = (torch.rand(m, n2, generator=generator, dtype=net.dtype) < torch.sigmoid(net.b0)).to(net.dtype)
        h1 = (torch.rand(m, n1, generator=generator, dtype=net.dtype)
              < torch.sigmoid(torch.addmm(net.b1, h2, net.W1.t()))).to(net.dtype)
        x = (torch.rand(m, n0, generator=generator, dtype=net.dtype)
             < torch.sigmoid(torch.addmm(net.b2, h1, net.W2.t()))).to(net.dtype)
        made += m
    return x


class Layered:
    """A layered sigmoid network top (sizes[2]) -> hidden (sizes[1]) -> image (sizes[0]) with
    its reversed recognition network; weights uniform in [-0.1, 0.1], biases 0 (the speed
    does not depend on the values)."""

    def __init__(self, dtype, sizes=SIZES, seed=1):
        g = torch.Generator().manual_seed(seed)
        n0, n1, n2 = sizes

        def weights(rows, columns):
            return (torch.rand(rows, columns, generator=g, dtype=torch.float64) * 0.2 - 0.1).to(dtype)

        z = lambda n: torch.zeros(n, dtype=dtype)  # noqa: E731
        self.dtype, self.sizes = dtype, sizes
        self.b0, self.b1, self.W1, self.b2, self.W2 = z(n2), z(n1), weights(n1, n2), z(n0), weights(n0, n1)
        self.c_hidden, self.R_hidden, self.c_top, self.R_top = z(n1), weights(n1, n0), z(n2), weights(n2, n1)

    def tensors(self):
        return (self.b0, self.b1, self.W1, self.b2, self.W2, self.c_hidden, self.R_hidden, self.c_top, self.R_top)


def exact_check():
    """The estimator against brute force on a 2-3-4 network, through the same code."""
    net = Layered(torch.float64, sizes=(4, 3, 2))
    g = torch.Generator().manual_seed(3)
    for t in net.tensors():
        t.copy_(torch.randn(t.shape, generator=g, dtype=torch.float64))
    # Q uniform over the 32 hidden configurations: a proposal with no blind spot, so that
    # K = 20000 samples estimate log p(d) to a few hundredths of a nat.
    for t in (net.c_hidden, net.R_hidden, net.c_top, net.R_top):
        t.zero_()
    x = torch.tensor([[1, 0, 1, 1], [0, 0, 1, 0]], dtype=torch.float64)
    exact = []
    for d in x:
        terms = []
        for top in range(4):
            h2 = torch.tensor([(top >> i) & 1 for i in range(2)], dtype=torch.float64)
            for hidden in range(8):
                h1 = torch.tensor([(hidden >> i) & 1 for i in range(3)], dtype=torch.float64)
                terms.append(log_bernoulli(h2, net.b0) + log_bernoulli(h1, net.b1 + net.W1 @ h2)
                             + log_bernoulli(d, net.b2 + net.W2 @ h1))
        exact.append(torch.logsumexp(torch.stack(terms), 0).item())
    estimate = importance(net, x, 20000, g)
    return max(abs(estimate[i].item() - exact[i]) for i in range(2))


def best_rate(work, amount):
    work()  # warm-up
    best = math.inf
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return amount / best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", help="data file of 784-unit patterns")
    parser.add_argument("--patterns", type=int, default=200, help="patterns for importance sampling (default 200)")
    parser.add_argument("--samples", type=int, default=1000, help="K, samples per pattern (default 1000)")
    parser.add_argument("--fantasies", type=int, default=20000, help="fantasies per timed run (default 20000)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--quick", action="store_true", help="20 patterns, K = 100, 2000 fantasies")
    args = parser.parse_args()
    if args.quick:
        args.patterns, args.samples, args.fantasies = min(args.patterns, 20), min(args.samples, 100), 2000
    if args.patterns < 1 or args.samples < 1 or args.fantasies < 1:
        print("wide_inference_pytorch.py: --patterns, --samples and --fantasies must be at least 1", file=sys.stderr)
        return 2
    try:
        data = read_data(args.data, SIZES[0])[: args.patterns]
    except DataError as e:
        print(f"wide_inference_pytorch.py: {e}", file=sys.stderr)
        return 2

    set_threads(1, 1)
    error = exact_check()
    ok = error < 0.02
    print(f"check: importance estimate (K = 20000) against brute force on a 2-3-4 network: "
          f"largest difference {error:.4f} nats {'ok' if ok else 'FAILED'}")

    results = {"machine": machine(), "patterns": int(data.shape[0]), "samples": args.samples,
               "fantasies": args.fantasies, "importance": {}, "fantasy": {}}
    print(f"\nPyTorch {torch.__version__}; importance sampling: {data.shape[0]} patterns x K = {args.samples}; "
          f"fantasies: {args.fantasies} per run")
    print(f"{'dtype':8} {'threads t/b':>11} | {'samples/s':>12} | {'fantasies/s':>12}")
    for dtype_name in ("float64", "float32"):
        dtype = getattr(torch, dtype_name)
        net = Layered(dtype)
        x = data.to(dtype)
        for torch_threads, blas_threads in SETTINGS:
            set_threads(torch_threads, blas_threads)
            g = torch.Generator().manual_seed(7)
            sampled = best_rate(lambda: importance(net, x, args.samples, g), x.shape[0] * args.samples)
            made = best_rate(lambda: fantasies(net, args.fantasies, g), args.fantasies)
            key = f"{torch_threads}/{blas_threads}"
            results["importance"].setdefault(dtype_name, {})[key] = sampled
            results["fantasy"].setdefault(dtype_name, {})[key] = made
            print(f"{dtype_name:8} {key:>11} | {sampled:12.0f} | {made:12.0f}")
    for what in ("importance", "fantasy"):
        best = max(((rate, dt, key) for dt, per in results[what].items() for key, rate in per.items()))
        results[f"{what}_best"] = {"rate": best[0], "dtype": best[1], "threads": best[2]}
        print(f"best {what}: {best[0]:.0f}/s ({best[1]}, threads {best[2]})")
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump(results, f, indent=1)
        os.replace(args.json + ".tmp", args.json)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
