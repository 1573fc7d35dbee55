#!/usr/bin/python3
"""The yardstick for bench/wake_sleep_bench.cpp: the same wake-sleep training in PyTorch (float64).

For each network that `wake_sleep_bench --export DIR` wrote (a chain of sigmoid layers
0 (top) -> 1 -> ... -> L (observed), recognition the reverse chain), with generative
parameters [b_l | W_l] (W_l: n_l x n_{l-1}) and recognition parameters [c_l | R_l]
(R_l: n_l x n_{l+1}), one step on a minibatch x (B x n_L) with rate r is

    wake:   s_L = x;  for l = L-1 .. 0:  s_l = [u < sigmoid(c_l + s_{l+1} R_l^T)]
            for every l:  d = s_l - sigmoid(b_l + s_{l-1} W_l^T)
                          b_l += (r/B) sum_rows d,   W_l += (r/B) d^T s_{l-1}
    sleep:  for l = 0 .. L:  f_l = [u < sigmoid(b_l + f_{l-1} W_l^T)]   (with the updated W)
            for l < L:    d = f_l - sigmoid(c_l + f_{l+1} R_l^T)
                          c_l += (r/B) sum_rows d,   R_l += (r/B) d^T f_{l+1}

(Hinton, Dayan, Frey & Neal 1995), with u uniform on [0, 1), patterns visited in a new
random order every epoch. It is written the way one writes such a loop in PyTorch when
speed matters: explicit matrix products (no autograd), every buffer preallocated and
written with out= or in place, under torch.no_grad(). Two forms are timed: plain eager
PyTorch, and the same step compiled with TorchScript (torch.jit.script), which trims the
Python interpreter's share of each operation; the faster is the yardstick.

Checks, before any timing (a benchmark of a different computation would mean nothing):
  1. Same update: from the engine's initial parameters, fed the very uniforms the engine
     drew, a few steps (online, and minibatches of 10) must reach the engine's parameters.
  2. Same learning (bars): from the same start, online training for the same number of
     epochs with independent random numbers must reach statistically the same exact
     log-likelihood of the training data (computed here by enumerating the hidden layers,
     independently of the engine) as the engine's trained models.

Usage: wake_sleep_pytorch.py DIR [--budget SECONDS] [--quick] [--checks-only]

Rates are patterns per second of wall-clock time, best of 3 runs of whole epochs, each from
the same initial parameters, on one thread and on two (every split of two threads between
torch's intra-op pool, torch.set_num_threads, and OpenBLAS's own pool); the last table gives
the ratio helmholtz / PyTorch on one thread and best against best.
"""
import argparse
import ctypes
import glob
import math
import os
import sys
import time
from typing import List

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

BATCH_SIZES = (1, 10, 100)
THREADS = (1, 2)  # OpenBLAS threads of the engine's runs (in the exported rates)
# (torch intra-op threads, OpenBLAS threads): one core, then every way of using two. Two
# thread pools that both wake at every operation (torch's OpenMP for elementwise work,
# OpenBLAS's pthreads for products) can slow each other down badly on two cores, so each
# split is timed and the best kept.
TWO_THREAD_CONFIGS = ((2, 1), (1, 2), (2, 2))
RUNS = 3


# ---------------------------------------------------------------------------------------
# Reading what wake_sleep_bench exported.

def read_case(path):
    case = {}
    with open(path) as f:
        for line in f:
            key, _, rest = line.rstrip("\n").partition(" ")
            case[key] = rest
    case["sizes"] = [int(x) for x in case["sizes"].split()]
    case["patterns"] = int(case["patterns"])
    case["rate"] = float(case["rate"])
    data = np.frombuffer(case["data"].encode(), dtype=np.uint8) - ord("0")
    case["data"] = torch.from_numpy(data.astype(np.float64).reshape(case["patterns"], case["sizes"][-1]))
    return case


def values(case, key):
    return torch.from_numpy(np.array(case[key].split(), dtype=np.float64))


def parameters(case, prefix):
    """The flat [bias | weights] vectors of every layer, generative then recognition."""
    layers = len(case["sizes"])
    generative = [values(case, f"{prefix}generative_{l}") for l in range(layers)]
    recognition = [values(case, f"{prefix}recognition_{l}") for l in range(layers - 1)]
    return generative, recognition


# ---------------------------------------------------------------------------------------
# Threads.

_blas_libraries = None


def set_threads(n, blas=None):
    """Sets torch's intra-op threads to n and OpenBLAS's threads to `blas` (default n; torch
    does not set the latter). Debian ships OpenBLAS both as libblas.so.3 (what torch links)
    and libopenblas.so.0; both are set."""
    global _blas_libraries
    torch.set_num_threads(n)
    if _blas_libraries is None:
        _blas_libraries = []
        for name in ("libblas.so.3", "libopenblas.so.0"):
            try:
                lib = ctypes.CDLL(name)
                lib.openblas_set_num_threads  # noqa: B018  (raises if absent)
                _blas_libraries.append(lib)
            except (OSError, AttributeError):
                pass
    for lib in _blas_libraries:
        lib.openblas_set_num_threads(n if blas is None else blas)


# ---------------------------------------------------------------------------------------
# The step, written once as a TorchScript-compatible function; the eager form calls it
# uncompiled. Uniforms come from `uniforms` when it is non-empty (the checks: `position` is
# where the next one is, and the new position is returned), otherwise from torch's generator.

def _uniform(u: torch.Tensor, uniforms: torch.Tensor, position: int) -> int:
    if uniforms.numel() == 0:
        u.uniform_()
        return position
    n = u.numel()
    u.copy_(uniforms[position:position + n].view(u.shape))
    return position + n


def wake_sleep_step(x: torch.Tensor, b: List[torch.Tensor], W: List[torch.Tensor], c: List[torch.Tensor],
                    R: List[torch.Tensor], s: List[torch.Tensor], f: List[torch.Tensor], a: List[torch.Tensor],
                    d: List[torch.Tensor], u: List[torch.Tensor], p0: torch.Tensor, ones: torch.Tensor,
                    alpha: float, uniforms: torch.Tensor, position: int) -> int:
    top = len(b) - 1
    s[top] = x
    # Wake: h ~ Q(.|d) bottom-up ...
    for l in range(top - 1, -1, -1):
        torch.addmm(c[l], s[l + 1], R[l].t(), out=a[l])
        a[l].sigmoid_()
        position = _uniform(u[l], uniforms, position)
        torch.lt(u[l], a[l], out=s[l])
    # ... and the delta rule for the generative model on (h, d).
    torch.sigmoid(b[0], out=p0)
    torch.sub(s[0], p0, out=d[0])
    b[0].addmv_(d[0].t(), ones, alpha=alpha)
    for l in range(1, top + 1):
        torch.addmm(b[l], s[l - 1], W[l].t(), out=a[l])
        a[l].sigmoid_()
        torch.sub(s[l], a[l], out=d[l])
        b[l].addmv_(d[l].t(), ones, alpha=alpha)
        W[l].addmm_(d[l].t(), s[l - 1], alpha=alpha)
    # Sleep: a fantasy top-down with the updated generative model ...
    torch.sigmoid(b[0], out=p0)
    position = _uniform(u[0], uniforms, position)
    torch.lt(u[0], p0, out=f[0])
    for l in range(1, top + 1):
        torch.addmm(b[l], f[l - 1], W[l].t(), out=a[l])
        a[l].sigmoid_()
        position = _uniform(u[l], uniforms, position)
        torch.lt(u[l], a[l], out=f[l])
    # ... and the delta rule for the recognition model on it.
    for l in range(top):
        torch.addmm(c[l], f[l + 1], R[l].t(), out=a[l])
        a[l].sigmoid_()
        torch.sub(f[l], a[l], out=d[l])
        c[l].addmv_(d[l].t(), ones, alpha=alpha)
        R[l].addmm_(d[l].t(), f[l + 1], alpha=alpha)
    return position


_scripted_step = None


def scripted_step():
    global _scripted_step
    if _scripted_step is None:
        _scripted_step = torch.jit.script(wake_sleep_step)
    return _scripted_step


class WakeSleep:
    """Parameters as flat [bias | weights] tensors per layer (the engine's layout), with b, W,
    c, R views into them; buffers for one batch size, made once."""

    def __init__(self, sizes, generative, recognition, rate, scripted=False):
        self.sizes = sizes
        self.rate = rate
        self.generative = [g.clone() for g in generative]
        self.recognition = [r.clone() for r in recognition]
        top = len(sizes) - 1
        self.b = [self.generative[l][:sizes[l]] for l in range(top + 1)]
        self.W = [torch.empty(0, 0)] + [self.generative[l][sizes[l]:].view(sizes[l], sizes[l - 1])
                                        for l in range(1, top + 1)]
        self.c = [self.recognition[l][:sizes[l]] for l in range(top)]
        self.R = [self.recognition[l][sizes[l]:].view(sizes[l], sizes[l + 1]) for l in range(top)]
        self.step = scripted_step() if scripted else wake_sleep_step
        self.batch = None
        self.no_uniforms = torch.empty(0)

    def _buffers(self, batch):
        if self.batch == batch:
            return
        self.batch = batch
        self.x = torch.empty(batch, self.sizes[-1])
        self.s = [torch.empty(batch, n) for n in self.sizes]
        self.f = [torch.empty(batch, n) for n in self.sizes]
        self.a = [torch.empty(batch, n) for n in self.sizes]
        self.d = [torch.empty(batch, n) for n in self.sizes]
        self.u = [torch.empty(batch, n) for n in self.sizes]
        self.p0 = torch.empty(self.sizes[0])
        self.ones = torch.ones(batch)

    @torch.no_grad()
    def train(self, data, epochs, batch, shuffle=True, uniforms=None):
        patterns = data.shape[0]
        perm = torch.arange(patterns)
        uniforms = self.no_uniforms if uniforms is None else uniforms
        position = 0
        for _ in range(epochs):
            if shuffle:
                torch.randperm(patterns, out=perm)
            for first in range(0, patterns, batch):
                count = min(batch, patterns - first)
                self._buffers(count)
                torch.index_select(data, 0, perm[first:first + count], out=self.x)
                position = self.step(self.x, self.b, self.W, self.c, self.R, self.s, self.f, self.a, self.d, self.u,
                                     self.p0, self.ones, self.rate / count, uniforms, position)


# ---------------------------------------------------------------------------------------
# Exact log-likelihood of a layered sigmoid network, by enumerating every hidden configuration
# (independent of the engine's Gray-code enumeration).

def exact_log_likelihood(sizes, generative, data):
    hidden = sizes[:-1]
    H = sum(hidden)
    if H > 16:
        raise ValueError("too many hidden units to enumerate")
    codes = torch.arange(2 ** H)
    bits = ((codes[:, None] >> torch.arange(H)) & 1).to(torch.float64)  # C x H
    layers, start = [], 0
    for n in hidden:
        layers.append(bits[:, start:start + n])
        start += n
    log_joint_hidden = torch.zeros(2 ** H)
    F = torch.nn.functional
    for l, h in enumerate(layers):
        n = sizes[l]
        logits = generative[l][:n].expand(2 ** H, n).clone()
        if l > 0:
            logits += layers[l - 1] @ generative[l][n:].view(n, sizes[l - 1]).t()
        log_joint_hidden += (h * F.logsigmoid(logits) + (1 - h) * F.logsigmoid(-logits)).sum(1)
    V = sizes[-1]
    logits = layers[-1] @ generative[-1][V:].view(V, sizes[-2]).t() + generative[-1][:V]  # C x V
    log_p_data = data @ F.logsigmoid(logits).t() + (1 - data) @ F.logsigmoid(-logits).t()  # N x C
    return torch.logsumexp(log_p_data + log_joint_hidden, dim=1)


# ---------------------------------------------------------------------------------------

def largest_difference(model, generative, recognition):
    worst = 0.0
    for mine, theirs in zip(model.generative + model.recognition, generative + recognition):
        worst = max(worst, (mine - theirs).abs().max().item())
    return worst


def check_same_update(case, scripted):
    ok = True
    initial = parameters(case, "initial_")
    for key in ("check_online", "check_batch"):
        batch, steps = int(case[key + "_batch"]), int(case[key + "_steps"])
        model = WakeSleep(case["sizes"], *initial, case["rate"], scripted)
        model.train(case["data"][:batch * steps], 1, batch, shuffle=False, uniforms=values(case, key + "_uniforms"))
        diff = largest_difference(model, *parameters(case, key + "_"))
        good = diff < 1e-9
        ok &= good
        print(f"  {case['name']:9s} {'scripted' if scripted else 'eager':8s} {steps} steps of batch {batch:<3d}"
              f" from the engine's uniforms: largest parameter difference {diff:.2e} {'ok' if good else 'DISAGREE'}")
    return ok


def check_same_learning(case):
    epochs, seeds = int(case["trained_epochs"]), int(case["trained_seeds"])
    data, sizes = case["data"], case["sizes"]
    initial = parameters(case, "initial_")
    ok = True
    engine, mine = [], []
    for s in range(seeds):
        generative, _ = parameters(case, f"trained_{s}_")
        ll = exact_log_likelihood(sizes, generative, data).mean().item()
        reported = float(case[f"trained_{s}_exact_log_likelihood"])
        if abs(ll - reported) > 1e-9 * max(1.0, abs(ll)):
            print(f"  engine's exact log-likelihood {reported:.12f} differs from the enumeration here {ll:.12f}")
            ok = False
        engine.append(ll)
        torch.manual_seed(1000 + s)
        model = WakeSleep(sizes, *initial, case["rate"], scripted=True)
        model.train(data, epochs, 1)
        mine.append(exact_log_likelihood(sizes, model.generative, data).mean().item())
    start = exact_log_likelihood(sizes, initial[0], data).mean().item()
    e, m = np.array(engine), np.array(mine)
    # Difference of means against its standard error (seeds are independent runs).
    se = math.sqrt(e.var(ddof=1) / len(e) + m.var(ddof=1) / len(m))
    diff = e.mean() - m.mean()
    good = abs(diff) <= 4 * se + 0.02
    ok &= good
    print(f"  bars: exact mean log p(d) before training {start:.4f}; after {epochs} epochs online, "
          f"{seeds} seeds each:")
    print(f"    helmholtz {e.mean():.4f} (sd {e.std(ddof=1):.4f}: {' '.join(f'{x:.4f}' for x in e)})")
    print(f"    PyTorch   {m.mean():.4f} (sd {m.std(ddof=1):.4f}: {' '.join(f'{x:.4f}' for x in m)})")
    print(f"    difference {diff:+.4f}, standard error {se:.4f}: {'same learning' if good else 'DIFFERENT'}"
          f" (engine's own exact values reproduced here to 1e-9: {'yes' if ok else 'NO'})")
    return ok


def time_best(case, batch, scripted, budget):
    sizes, data, rate = case["sizes"], case["data"], case["rate"]
    initial = parameters(case, "initial_")
    model = WakeSleep(sizes, *initial, rate, scripted)
    model.train(data[: min(len(data), 10 * batch)], 1, batch)  # warm-up (and TorchScript's profiling runs)
    start = time.perf_counter()
    model.train(data, 1, batch)
    one_epoch = max(time.perf_counter() - start, 1e-6)
    epochs = max(1, math.ceil(budget / one_epoch))
    best, best_cpu = float("inf"), 0.0
    for _ in range(RUNS):
        model = WakeSleep(sizes, *initial, rate, scripted)
        cpu = time.process_time()
        start = time.perf_counter()
        model.train(data, epochs, batch)
        wall = time.perf_counter() - start
        if wall < best:
            best, best_cpu = wall, (time.process_time() - cpu) / wall
    return epochs * len(data) / best, best_cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir")
    parser.add_argument("--budget", type=float, default=0.5, help="seconds per timed run (default 0.5)")
    parser.add_argument("--quick", action="store_true", help="short runs, fewer seeds")
    parser.add_argument("--checks-only", action="store_true", help="run the checks, time nothing")
    args = parser.parse_args()
    budget = min(args.budget, 0.1) if args.quick else args.budget

    paths = sorted(glob.glob(os.path.join(args.dir, "network_*.txt")))
    order = {"bars": 0, "shifter": 1, "net32": 2, "net64": 3, "mnist784": 4}
    cases = sorted((read_case(p) for p in paths), key=lambda c: order.get(c["name"], 9))
    if not cases:
        print(f"no network_*.txt in {args.dir}", file=sys.stderr)
        return 1
    print(f"PyTorch {torch.__version__}, float64, {torch.get_num_threads()} intra-op threads by default")
    set_threads(1)
    status = 0

    print("\n== same update: PyTorch fed the engine's uniforms must reach the engine's parameters")
    for case in cases:
        for scripted in (False, True):
            if not check_same_update(case, scripted):
                status = 1
    print("\n== same learning")
    for case in cases:
        if "trained_epochs" in case and not check_same_learning(case):
            status = 1

    if args.checks_only:
        return status

    print(f"\n== PyTorch, patterns per second (wall clock, best of {RUNS} runs of ~{budget:.2g} s; cpu/wall in"
          " brackets)")
    print("threads t/b: t torch intra-op threads, b OpenBLAS threads; two threads use the faster form on one")
    header = " | ".join(f"{'t/b ' + str(t) + '/' + str(b):>16s}" for t, b in TWO_THREAD_CONFIGS)
    print(f"{'network':9s} {'batch':>5s} | {'eager 1/1':>16s} | {'scripted 1/1':>16s} | {header}")
    one, two = {}, {}
    for case in cases:
        for batch in BATCH_SIZES:
            set_threads(1)
            eager = time_best(case, batch, False, budget)
            script = time_best(case, batch, True, budget)
            scripted = script[0] > eager[0]
            one[(case["name"], batch)] = max((eager[0], "eager"), (script[0], "scripted"))
            cells = []
            for t, b in TWO_THREAD_CONFIGS:
                set_threads(t, b)
                rate, cpu = time_best(case, batch, scripted, budget)
                two[(case["name"], batch, t, b)] = rate
                cells.append(f"{rate:9.0f} ({cpu:4.2f})")
            print(f"{case['name']:9s} {batch:5d} | {eager[0]:9.0f} ({eager[1]:4.2f}) | {script[0]:9.0f} ({script[1]:4.2f})"
                  f" | {' | '.join(cells)}", flush=True)
    set_threads(1)

    print("\n== helmholtz against PyTorch (patterns per second; helmholtz 2 threads: OpenBLAS's)")
    print(f"{'':15s} | {'helmholtz':^17s} | {'PyTorch':^30s} | {'helmholtz / PyTorch':^19s} | {'direct C++':>10s}")
    print(f"{'network':9s} {'batch':>5s} | {'1 thread':>8s} {'2 thr':>8s} | {'1 thread':>8s} {'form':>8s} {'2 thr':>8s}"
          f" {'t/b':>3s} | {'1 thread':>8s} {'best':>10s} | {'best':>10s}")
    for case in cases:
        for batch in BATCH_SIZES:
            name = case["name"]
            engine1 = float(case[f"helmholtz_rate_{batch}_1"])
            engine2 = float(case[f"helmholtz_rate_{batch}_2"])
            direct = max(float(case[f"direct_rate_{batch}_{t}"]) for t in THREADS)
            torch1, form = one[(name, batch)]
            torch2, t, b = max((two[(name, batch, t, b)], t, b) for t, b in TWO_THREAD_CONFIGS)
            print(f"{name:9s} {batch:5d} | {engine1:8.0f} {engine2:8.0f} | {torch1:8.0f} {form:>8s} {torch2:8.0f}"
                  f" {t}/{b} | {engine1 / torch1:8.2f} {max(engine1, engine2) / max(torch1, torch2):10.2f} |"
                  f" {direct:10.0f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
