#!/usr/bin/python3
"""PyTorch yardstick for minibatch training of the wide network 784-200-50 (models/fashion784.yaml).

The network: top (50 units) -> hidden (200) -> image (784, observed), sigmoid everywhere;
recognition the reverse chain image -> hidden -> top. Generative parameters: b0 (top's
bias), b1, W1 (200 x 50), b2, W2 (784 x 200); recognition: c1, R1 (200 x 784), c0, R0
(50 x 200), the layout of a helmholtz model file (a row per unit of the node, a column per
unit of its parent). Initial values as a model file draws them: biases 0, weights uniform in
[-0.1, 0.1] (from torch's generator, so not the engine's numbers; the rate does not depend
on them). A unit fires iff u < p, u uniform on [0, 1). Minibatches of B (default 100)
patterns in a new random order every epoch, learning rate r (default 0.01) for both
directions. Two algorithms, as framework/engines/training/ computes them:

wake-sleep (wake_sleep.cpp), one step on a minibatch x:
    wake:  h ~ Q(h | x) = [u < sigmoid(c1 + x R1^T)],  t ~ [u < sigmoid(c0 + h R0^T)]
           generative delta rule on (t, h, x) with rate r / B:
             b0 += r/B sum_n (t - sigmoid(b0));  d1 = h - sigmoid(b1 + t W1^T):  b1 += r/B sum d1, W1 += r/B d1^T t;
             d2 = x - sigmoid(b2 + h W2^T):  b2 += r/B sum d2, W2 += r/B d2^T h
    sleep: a fantasy top-down from the generative model just updated,
             f0 = [u < sigmoid(b0)], f1 = [u < sigmoid(b1 + f0 W1^T)], f2 = [u < sigmoid(b2 + f1 W2^T)],
           recognition delta rule on it: e1 = f1 - sigmoid(c1 + f2 R1^T): c1, R1 += r/B e1^T f2;
             e0 = f0 - sigmoid(c0 + f1 R0^T): c0, R0 += r/B e0^T f1

rws, reweighted wake-sleep with K samples (reweighted_wake_sleep.cpp, its default: no sleep
phase): K samples (h_nk, t_nk) ~ Q(. | x_n) per pattern, log weights
l_nk = log P(t, h, x_n) - log Q(h, t | x_n) (a log weight that is not finite counts as
-inf), w_nk = softmax_k(l_nk) / B (a pattern whose K weights are all -inf gets weight 0 and
its share is not handed to the others); then, on the same samples and weights, both
    P:  theta += r sum_nk w_nk d/dtheta log P(t_nk, h_nk, x_n)   (the delta rule, each row weighted)
    Q:  phi   += r sum_nk w_nk d/dphi log Q(h_nk, t_nk | x_n)
Q's gradient is taken at Q's parameters, which P's step does not touch, so the order of the
two steps does not matter; P's at P's parameters before its step. The engine replicates
each pattern K times and runs everything on K B rows; here the first recognition layer,
which sees only the data, is computed once per pattern, and its gradient collapses to
sum_k w_nk (h_nk - q_n) per pattern before the product with x (B rows, not K B). Both
are the same update; --rws-replicated also times the K B-row form of the engine.

The step is written the way one writes it in PyTorch when speed matters: explicit matrix
products (torch.addmm with out=, addmm_/addmv_ for the updates), torch.sigmoid, uniform_ and
torch.lt(u, p, out=s) for the samples, batched (B, K, units) tensors for the K samples,
buffers preallocated, under torch.no_grad(); no autograd and no Python loop over units,
samples or patterns. Plain eager PyTorch (TorchScript gained nothing at batch 100 on the
784-unit network of bench/wake_sleep_pytorch.py).

Checks before any timing (a benchmark of another computation would mean nothing), in
float64 on a few patterns: the wake-sleep step and the rws step (both forms) against the
same updates computed from their definitions with autograd (the gradients of
(1/B) sum log P and sum w log Q), the samples against the parameters they must come from
(the fantasy from the updated P), the rws weights recomputed independently, and rws with
K = 1 against wake-sleep's wake phase.

Timing: patterns per second of wall-clock time, best of 3 runs of whole epochs, each from
the same initial parameters, with as many epochs as fill about --budget seconds (estimated
from 10 minibatches after a warm-up); with --patterns N, one epoch of the first N patterns
per run (--rws-patterns N: the same for rws alone). For each dtype (float32, float64) and
thread count: 1 thread is torch's intra-op pool and OpenBLAS's both at 1; 2 threads is the fastest of the three ways of giving two
threads to the two pools (t/b = 2/1, 1/2, 2/2: torch.set_num_threads sets only the
former, and the two pools can slow each other down badly, docs/performance-training.md),
chosen by a probe of 10 minibatches each and then timed like the others. In the
same run, torch.mm's rate at the training's shapes and at 1024^3, per dtype and thread
count, and the flops per pattern of each algorithm, so that a training rate can be given
as a fraction of the sgemm rate.

Usage: wide_pytorch.py DATA [--json FILE] [--quick] [--patterns N] [--rws-patterns N] [--budget S]
                            [--algorithms wake-sleep,rws] [--samples K] [--rws-replicated]
DATA is a helmholtz data file of 784-unit patterns (scripts/fashion_mnist.py writes one).
Exit status: 0, 1 if a check fails, 2 for a usage or data mistake.
"""
import argparse
import ctypes
import json
import math
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

SIZES = (50, 200, 784)  # top, hidden, image (observed)
DTYPES = ("float32", "float64")
ONE_THREAD = ((1, 1),)
TWO_THREADS = ((2, 1), (1, 2), (2, 2))  # (torch intra-op threads, OpenBLAS threads)
RUNS = 3


class DataError(Exception):
    pass


# ---------------------------------------------------------------------------------------
# Data: the project's format (docs/data-files.md): a pattern per line of '0'/'1', spaces and
# tabs ignored, '#' starts a comment, blank lines skipped.

def read_data(path, width):
    rows = []
    try:
        with open(path, "rb") as f:
            for number, line in enumerate(f, 1):
                line = line.split(b"#", 1)[0].translate(None, b" \t\r\n")
                if not line:
                    continue
                if len(line) != width or line.strip(b"01"):
                    bad = line.strip(b"01")
                    what = f"unexpected character {bad[:1].decode(errors='replace')!r}" if bad else \
                        f"pattern has {len(line)} units, the network has {width} observed units"
                    raise DataError(f"{path}:{number}: {what}")
                rows.append(line)
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror or e}") from None
    if not rows:
        raise DataError(f"{path}: no patterns")
    bits = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), width) - ord("0")
    return torch.from_numpy(bits.astype(np.float64))


# ---------------------------------------------------------------------------------------
# Threads (as bench/wake_sleep_pytorch.py): torch's intra-op pool and OpenBLAS's own.

_blas_libraries = None


def set_threads(torch_threads, blas_threads):
    global _blas_libraries
    torch.set_num_threads(torch_threads)
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
        lib.openblas_set_num_threads(blas_threads)


# ---------------------------------------------------------------------------------------
# Flops: multiply-adds of the matrix products, 2 flops each; elementwise work not counted.

def edges():
    """Weights between consecutive layers: image-hidden, hidden-top."""
    return SIZES[2] * SIZES[1], SIZES[1] * SIZES[0]


def flops_per_pattern(algorithm, samples):
    e1, e2 = edges()
    if algorithm == "wake-sleep":
        # per layer: recognition pass, generative probabilities (wake), generative gradient
        # outer product, fantasy pass, recognition probabilities (sleep), recognition gradient
        return 2 * 6 * (e1 + e2)
    if algorithm == "rws":  # as timed here: the first recognition layer once per pattern
        # image-hidden: recognition logits and gradient once; generative logits and gradient K
        # times. hidden-top: recognition logits, generative logits and both gradients K times.
        return 2 * ((2 + 2 * samples) * e1 + 4 * samples * e2)
    if algorithm == "rws-replicated":  # every pattern K times, as the engine formulates it
        return 2 * 4 * samples * (e1 + e2)
    raise ValueError(algorithm)


# ---------------------------------------------------------------------------------------
# The network and the two steps.

class Network:
    """Parameters of 784-200-50 in one dtype; buffers made per batch size."""

    def __init__(self, dtype, seed=1):
        g = torch.Generator().manual_seed(seed)
        n0, n1, n2 = SIZES

        def weights(rows, columns):
            return (torch.rand(rows, columns, generator=g, dtype=torch.float64) * 0.2 - 0.1).to(dtype)

        z = lambda n: torch.zeros(n, dtype=dtype)  # noqa: E731
        self.dtype = dtype
        self.b0, self.b1, self.W1, self.b2, self.W2 = z(n0), z(n1), weights(n1, n0), z(n2), weights(n2, n1)
        self.c1, self.R1, self.c0, self.R0 = z(n1), weights(n1, n2), z(n0), weights(n0, n1)
        self._shape = None

    def parameters(self):
        return {name: getattr(self, name) for name in ("b0", "b1", "W1", "b2", "W2", "c1", "R1", "c0", "R0")}

    def copy_from(self, other):
        for name, value in other.parameters().items():
            getattr(self, name).copy_(value)


class WakeSleep:
    name = "wake-sleep"

    def __init__(self, net, rate):
        self.net, self.rate, self.batch = net, rate, None

    def _buffers(self, batch):
        if self.batch == batch:
            return
        self.batch = batch
        e = lambda *shape: torch.empty(*shape, dtype=self.net.dtype)  # noqa: E731
        n0, n1, n2 = SIZES
        self.h, self.t = e(batch, n1), e(batch, n0)                       # wake samples
        self.f0, self.f1, self.f2 = e(batch, n0), e(batch, n1), e(batch, n2)  # fantasy
        self.a0, self.a1, self.a2 = e(batch, n0), e(batch, n1), e(batch, n2)  # probabilities
        self.d0, self.d1, self.d2 = e(batch, n0), e(batch, n1), e(batch, n2)  # s - p
        self.uw0, self.uw1 = e(batch, n0), e(batch, n1)                   # uniforms, wake
        self.us0, self.us1, self.us2 = e(batch, n0), e(batch, n1), e(batch, n2)  # uniforms, sleep
        self.p0 = e(n0)
        self.ones = torch.ones(batch, dtype=self.net.dtype)

    def step(self, x):
        n = self.net
        self._buffers(x.shape[0])
        alpha = self.rate / x.shape[0]
        # Wake: (h, t) ~ Q(. | x) bottom-up ...
        torch.addmm(n.c1, x, n.R1.t(), out=self.a1).sigmoid_()
        torch.lt(self.uw1.uniform_(), self.a1, out=self.h)
        torch.addmm(n.c0, self.h, n.R0.t(), out=self.a0).sigmoid_()
        torch.lt(self.uw0.uniform_(), self.a0, out=self.t)
        # ... and the generative delta rule on (t, h, x).
        torch.sigmoid(n.b0, out=self.p0)
        torch.sub(self.t, self.p0, out=self.d0)
        torch.addmm(n.b1, self.t, n.W1.t(), out=self.a1).sigmoid_()
        torch.sub(self.h, self.a1, out=self.d1)
        torch.addmm(n.b2, self.h, n.W2.t(), out=self.a2).sigmoid_()
        torch.sub(x, self.a2, out=self.d2)
        n.b0.addmv_(self.d0.t(), self.ones, alpha=alpha)
        n.b1.addmv_(self.d1.t(), self.ones, alpha=alpha)
        n.W1.addmm_(self.d1.t(), self.t, alpha=alpha)
        n.b2.addmv_(self.d2.t(), self.ones, alpha=alpha)
        n.W2.addmm_(self.d2.t(), self.h, alpha=alpha)
        # Sleep: a fantasy top-down from the generative model just updated ...
        torch.sigmoid(n.b0, out=self.p0)
        torch.lt(self.us0.uniform_(), self.p0, out=self.f0)
        torch.addmm(n.b1, self.f0, n.W1.t(), out=self.a1).sigmoid_()
        torch.lt(self.us1.uniform_(), self.a1, out=self.f1)
        torch.addmm(n.b2, self.f1, n.W2.t(), out=self.a2).sigmoid_()
        torch.lt(self.us2.uniform_(), self.a2, out=self.f2)
        # ... and the recognition delta rule on it.
        torch.addmm(n.c1, self.f2, n.R1.t(), out=self.a1).sigmoid_()
        torch.sub(self.f1, self.a1, out=self.d1)
        n.c1.addmv_(self.d1.t(), self.ones, alpha=alpha)
        n.R1.addmm_(self.d1.t(), self.f2, alpha=alpha)
        torch.addmm(n.c0, self.f1, n.R0.t(), out=self.a0).sigmoid_()
        torch.sub(self.f0, self.a0, out=self.d0)
        n.c0.addmv_(self.d0.t(), self.ones, alpha=alpha)
        n.R0.addmm_(self.d0.t(), self.f1, alpha=alpha)


class ReweightedWakeSleep:
    """rws without sleep updates (the engine's default). replicated=True runs the first
    recognition layer on K B rows, every pattern K times, as the engine does."""

    def __init__(self, net, rate, samples, replicated=False):
        self.net, self.rate, self.K, self.replicated = net, rate, samples, replicated
        self.name = "rws-replicated" if replicated else "rws"
        self.batch = None

    def _buffers(self, batch):
        if self.batch == batch:
            return
        self.batch = batch
        e = lambda *shape: torch.empty(*shape, dtype=self.net.dtype)  # noqa: E731
        n0, n1, n2 = SIZES
        K, rows = self.K, batch * self.K
        self.xk = e(rows, n2)                          # replicated form: each pattern K times
        self.replicate = torch.arange(batch).repeat_interleave(K)
        self.a1 = e(rows if self.replicated else batch, n1)  # recognition logits of hidden
        self.q1 = torch.empty_like(self.a1)            # and probabilities
        self.u1, self.h = e(batch, K, n1), e(batch, K, n1)
        self.a0, self.q0, self.u0, self.t = e(rows, n0), e(rows, n0), e(rows, n0), e(rows, n0)
        self.g1, self.g2 = e(rows, n1), e(rows, n2)    # generative logits, then s - p
        self.d0, self.e0 = e(rows, n0), e(rows, n0)
        self.p0 = e(n0)
        self.log_w = e(batch, K)
        self.ones = torch.ones(rows, dtype=self.net.dtype)

    def weights(self, x, h, t, a1, a0, g1, g2):
        """w_nk / B from the logits (B, K rows): log P(t, h, x) - log Q(h, t | x), softmax over k."""
        n, B, K = self.net, x.shape[0], self.K
        h2 = h.view(B * K, -1)
        # log Q: sum_j s a - softplus(a) over each layer's units.
        if self.replicated:
            log_q = (h2 * a1).sum(1) - F.softplus(a1).sum(1)
        else:
            log_q = (torch.bmm(h, a1.unsqueeze(2)).squeeze(2) - F.softplus(a1).sum(1, keepdim=True)).view(B * K)
        log_q += (t * a0).sum(1) - F.softplus(a0).sum(1)
        # log P: top's prior, hidden given top, image given hidden.
        log_p = t @ n.b0 - F.softplus(n.b0).sum()
        log_p += (h2 * g1).sum(1) - F.softplus(g1).sum(1)
        log_p += torch.bmm(g2.view(B, K, -1), x.unsqueeze(2)).view(B * K) - F.softplus(g2).sum(1)
        torch.sub(log_p, log_q, out=self.log_w.view(B * K))
        log_w = self.log_w
        log_w.masked_fill_(~torch.isfinite(log_w), -math.inf)
        w = torch.softmax(log_w, dim=1)
        w.nan_to_num_(nan=0.0)  # a pattern with no possible sample: weight 0, share not passed on
        return w.div_(B)

    def step(self, x):
        n, B, K = self.net, x.shape[0], self.K
        self._buffers(B)
        rows = B * K
        h2 = self.h.view(rows, -1)
        # K samples from Q per pattern.
        if self.replicated:
            torch.index_select(x, 0, self.replicate, out=self.xk)
            torch.addmm(n.c1, self.xk, n.R1.t(), out=self.a1)
            torch.sigmoid(self.a1, out=self.q1)
            torch.lt(self.u1.uniform_().view(rows, -1), self.q1, out=h2)
        else:
            torch.addmm(n.c1, x, n.R1.t(), out=self.a1)
            torch.sigmoid(self.a1, out=self.q1)
            torch.lt(self.u1.uniform_(), self.q1.unsqueeze(1), out=self.h)
        torch.addmm(n.c0, h2, n.R0.t(), out=self.a0)
        torch.sigmoid(self.a0, out=self.q0)
        torch.lt(self.u0.uniform_(), self.q0, out=self.t)
        # Generative logits, importance weights.
        torch.addmm(n.b1, self.t, n.W1.t(), out=self.g1)
        torch.addmm(n.b2, h2, n.W2.t(), out=self.g2)
        w = self.weights(x, self.h, self.t, self.a1, self.a0, self.g1, self.g2)
        wk = w.view(rows, 1)
        wv = w.view(rows)
        # P: the delta rule, row nk weighted by w_nk / B.
        torch.sigmoid(n.b0, out=self.p0)
        torch.sub(self.t, self.p0, out=self.d0)
        n.b0.addmv_(self.d0.t(), wv, alpha=self.rate)
        self.g1.sigmoid_()
        torch.sub(h2, self.g1, out=self.g1).mul_(wk)
        n.b1.addmv_(self.g1.t(), self.ones, alpha=self.rate)
        n.W1.addmm_(self.g1.t(), self.t, alpha=self.rate)
        self.g2.sigmoid_()
        torch.sub(x.unsqueeze(1), self.g2.view(B, K, -1), out=self.g2.view(B, K, -1)).mul_(w.unsqueeze(2))
        n.b2.addmv_(self.g2.t(), self.ones, alpha=self.rate)
        n.W2.addmm_(self.g2.t(), h2, alpha=self.rate)
        # Q: the delta rule on the same samples and weights.
        torch.sub(self.t, self.q0, out=self.e0).mul_(wk)
        n.c0.addmv_(self.e0.t(), self.ones, alpha=self.rate)
        n.R0.addmm_(self.e0.t(), h2, alpha=self.rate)
        if self.replicated:
            e1 = torch.sub(h2, self.q1, out=self.g1).mul_(wk)
            n.c1.addmv_(e1.t(), self.ones, alpha=self.rate)
            n.R1.addmm_(e1.t(), self.xk, alpha=self.rate)
        else:  # sum_k w_nk (h_nk - q_n) = sum_k w_nk h_nk - q_n sum_k w_nk, then B rows
            e1 = torch.bmm(w.unsqueeze(1), self.h).squeeze(1)
            e1.sub_(self.q1 * w.sum(1, keepdim=True))
            n.c1.add_(e1.sum(0), alpha=self.rate)
            n.R1.addmm_(e1.t(), x, alpha=self.rate)


@torch.no_grad()
def train(algorithm, data, epochs, batch, perm, x):
    patterns = data.shape[0]
    for _ in range(epochs):
        torch.randperm(patterns, out=perm)
        for first in range(0, patterns, batch):
            count = min(batch, patterns - first)
            xb = x if count == batch else x[:count]
            torch.index_select(data, 0, perm[first:first + count], out=xb)
            algorithm.step(xb)


# ---------------------------------------------------------------------------------------
# Checks: the steps against their definitions (float64, autograd only here).

def log_bernoulli(states, logits):
    return (states * logits - F.softplus(logits)).sum(-1)


def reference_gradients(params, names, objective):
    leaves = {k: params[k].clone().requires_grad_(True) for k in names}
    with torch.enable_grad():
        value = objective(leaves)
        grads = torch.autograd.grad(value, [leaves[k] for k in names])
    return dict(zip(names, grads))


GENERATIVE = ("b0", "b1", "W1", "b2", "W2")
RECOGNITION = ("c1", "R1", "c0", "R0")


def largest(a, b):
    return max((a[k] - b[k]).abs().max().item() for k in a)


def check_wake_sleep(data, rate):
    net = Network(torch.float64, seed=7)
    before = {k: v.clone() for k, v in net.parameters().items()}
    ws = WakeSleep(net, rate)
    x = data[:8].clone()
    B = x.shape[0]
    with torch.no_grad():
        ws.step(x)
    after = net.parameters()
    p = before
    # Wake samples from Q's parameters (unchanged by the wake step) and the uniforms drawn.
    h = (ws.uw1 < torch.sigmoid(p["c1"] + x @ p["R1"].t())).double()
    t = (ws.uw0 < torch.sigmoid(p["c0"] + h @ p["R0"].t())).double()
    ok_samples = torch.equal(h, ws.h) and torch.equal(t, ws.t)

    def log_p(q):
        return (log_bernoulli(t, q["b0"].expand(B, -1)) + log_bernoulli(h, q["b1"] + t @ q["W1"].t())
                + log_bernoulli(x, q["b2"] + h @ q["W2"].t())).sum() / B

    grads = reference_gradients(p, GENERATIVE, log_p)
    expected = {k: p[k] + rate * grads[k] for k in GENERATIVE}
    diff_p = largest(expected, {k: after[k] for k in GENERATIVE})
    # The fantasy from the updated generative model.
    g = after
    f0 = (ws.us0 < torch.sigmoid(g["b0"])).double()
    f1 = (ws.us1 < torch.sigmoid(g["b1"] + f0 @ g["W1"].t())).double()
    f2 = (ws.us2 < torch.sigmoid(g["b2"] + f1 @ g["W2"].t())).double()
    ok_fantasy = torch.equal(f0, ws.f0) and torch.equal(f1, ws.f1) and torch.equal(f2, ws.f2)

    def log_q(q):
        return (log_bernoulli(f1, q["c1"] + f2 @ q["R1"].t()) + log_bernoulli(f0, q["c0"] + f1 @ q["R0"].t())).sum() / B

    grads = reference_gradients(p, RECOGNITION, log_q)
    expected = {k: p[k] + rate * grads[k] for k in RECOGNITION}
    diff_q = largest(expected, {k: after[k] for k in RECOGNITION})
    good = ok_samples and ok_fantasy and diff_p < 1e-12 and diff_q < 1e-12
    print(f"  wake-sleep: wake samples {'ok' if ok_samples else 'WRONG'}, fantasy from the updated P"
          f" {'ok' if ok_fantasy else 'WRONG'}; P step vs autograd {diff_p:.1e}, Q step vs autograd {diff_q:.1e}"
          f" {'ok' if good else 'DISAGREE'}")
    return good


def check_rws(data, rate, samples):
    x = data[:6].clone()
    B, K = x.shape[0], samples
    ok = True
    results = {}
    for replicated in (False, True):
        net = Network(torch.float64, seed=11)
        before = {k: v.clone() for k, v in net.parameters().items()}
        rws = ReweightedWakeSleep(net, rate, K, replicated)
        torch.manual_seed(5)
        with torch.no_grad():
            rws.step(x)
        after = {k: v.clone() for k, v in net.parameters().items()}
        results[replicated] = after
        p = before
        q1 = torch.sigmoid(p["c1"] + x @ p["R1"].t())  # B x 200
        h = (rws.u1 < q1.unsqueeze(1)).double()         # B x K x 200
        t = (rws.u0.view(B, K, -1) < torch.sigmoid(p["c0"] + h @ p["R0"].t())).double()
        same = torch.equal(h, rws.h) and torch.equal(t.view(B * K, -1), rws.t)
        xs = x.unsqueeze(1).expand(B, K, -1)

        def log_p(q):
            return (log_bernoulli(t, q["b0"].expand(B, K, -1)) + log_bernoulli(h, q["b1"] + t @ q["W1"].t())
                    + log_bernoulli(xs, q["b2"] + h @ q["W2"].t()))

        def log_q(q):
            return log_bernoulli(h, (q["c1"] + x @ q["R1"].t()).unsqueeze(1)) + log_bernoulli(t, q["c0"] + h @ q["R0"].t())

        # Weights recomputed here in another way: exp(l - max), normalised, / B.
        l = log_p(p) - log_q(p)
        e = torch.exp(l - l.max(1, keepdim=True).values)
        w = e / e.sum(1, keepdim=True) / B
        gp = reference_gradients(p, GENERATIVE, lambda q: (w * log_p(q)).sum())
        gq = reference_gradients(p, RECOGNITION, lambda q: (w * log_q(q)).sum())
        expected = {k: p[k] + rate * gp[k] for k in GENERATIVE}
        expected.update({k: p[k] + rate * gq[k] for k in RECOGNITION})
        diff = largest(expected, after)
        good = same and diff < 1e-12
        ok &= good
        print(f"  {rws.name} (K = {K}): samples {'ok' if same else 'WRONG'}; P and Q steps vs autograd of"
              f" sum w log P, sum w log Q: {diff:.1e} {'ok' if good else 'DISAGREE'}")
    diff = largest(results[False], results[True])
    good = diff < 1e-12
    ok &= good
    print(f"  rws and rws-replicated, same uniforms: largest parameter difference {diff:.1e} {'ok' if good else 'DISAGREE'}")
    # K = 1: every weight is 1, P's step is wake-sleep's wake phase.
    x = data[:5].clone()
    a, b = Network(torch.float64, seed=3), Network(torch.float64, seed=3)
    torch.manual_seed(9)
    with torch.no_grad():
        ReweightedWakeSleep(a, rate, 1).step(x)
    torch.manual_seed(9)
    with torch.no_grad():
        WakeSleep(b, rate).step(x)  # draws the wake uniforms first, in the same shapes
    diff = largest({k: a.parameters()[k] for k in GENERATIVE}, {k: b.parameters()[k] for k in GENERATIVE})
    good = diff < 1e-12
    ok &= good
    print(f"  rws with K = 1: P step against wake-sleep's wake phase, same uniforms: {diff:.1e}"
          f" {'ok' if good else 'DISAGREE'}")
    return ok


# ---------------------------------------------------------------------------------------
# Timing.

def make_algorithm(name, net, rate, samples):
    if name == "wake-sleep":
        return WakeSleep(net, rate)
    return ReweightedWakeSleep(net, rate, samples, replicated=(name == "rws-replicated"))


class Timer:
    """One algorithm in one dtype on the data: a probe of a few minibatches, then timed runs."""

    def __init__(self, name, dtype, data, batch, rate, samples):
        self.initial = Network(dtype)
        self.net = Network(dtype)
        self.algorithm = make_algorithm(name, self.net, rate, samples)
        self.data, self.batch = data, batch
        self.perm = torch.arange(data.shape[0])
        self.x = torch.empty(batch, data.shape[1], dtype=dtype)

    def probe(self):
        """Patterns per second over 10 minibatches, after 2 of warm-up (buffers, first touches,
        waking the thread pools)."""
        patterns = self.data.shape[0]
        warm = self.data[: min(patterns, 2 * self.batch)]
        probe = self.data[: min(patterns, 10 * self.batch)]
        train(self.algorithm, warm, 1, self.batch, torch.arange(warm.shape[0]), self.x)
        start = time.perf_counter()
        train(self.algorithm, probe, 1, self.batch, torch.arange(probe.shape[0]), self.x)
        return probe.shape[0] / max(time.perf_counter() - start, 1e-9)

    def runs(self, epochs):
        """Best of RUNS runs of `epochs` whole epochs, each from the same initial parameters."""
        patterns = self.data.shape[0]
        runs = []
        for _ in range(RUNS):
            self.net.copy_from(self.initial)
            cpu = time.process_time()
            start = time.perf_counter()
            train(self.algorithm, self.data, epochs, self.batch, self.perm, self.x)
            wall = time.perf_counter() - start
            runs.append({"seconds": wall, "cpu_per_wall": (time.process_time() - cpu) / wall})
        best = min(runs, key=lambda r: r["seconds"])
        finite = all(torch.isfinite(v).all().item() for v in self.net.parameters().values())
        return {"patterns_per_second": epochs * patterns / best["seconds"], "cpu_per_wall": best["cpu_per_wall"],
                "epochs_per_run": epochs, "patterns": patterns, "runs": runs, "finite": finite}


def time_training(name, dtype, data, batch, rate, samples, budget, whole_epoch_only, splits):
    """The thread splits (t, b) are probed; the fastest is timed in whole epochs. Returns the
    timing of that split, with the probe rates of all."""
    timer = Timer(name, dtype, data, batch, rate, samples)
    probes = {}
    for t, b in splits:
        set_threads(t, b)
        probes[(t, b)] = timer.probe()
    t, b = max(splits, key=lambda split: probes[split])
    set_threads(t, b)
    if len(splits) > 1:
        timer.probe()  # warm the chosen pools again
    one_epoch = data.shape[0] / probes[(t, b)]
    epochs = 1 if whole_epoch_only else max(1, math.ceil(budget / one_epoch))
    result = timer.runs(epochs)
    result.update({"torch_threads": t, "blas_threads": b,
                   "probe_patterns_per_second": {f"{tt}/{bb}": r for (tt, bb), r in probes.items()}})
    return result


def time_mm(dtype, m, k, n, seconds, a_transposed=False, b_transposed=False):
    """GFLOP/s of torch.mm for (m x k) (k x n), best of 5 timed loops of about `seconds`; an
    operand `transposed` is the transposed view of a contiguous matrix, as in the training
    (x R^T, d^T h)."""
    a = torch.rand(k, m, dtype=dtype).t() if a_transposed else torch.rand(m, k, dtype=dtype)
    b = torch.rand(n, k, dtype=dtype).t() if b_transposed else torch.rand(k, n, dtype=dtype)
    out = torch.empty(m, n, dtype=dtype)
    torch.mm(a, b, out=out)
    start = time.perf_counter()
    reps = 0
    while time.perf_counter() - start < seconds / 5 or reps < 2:
        torch.mm(a, b, out=out)
        reps += 1
    reps = max(1, round(reps * seconds / (time.perf_counter() - start)))
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2.0 * m * k * n * reps / best / 1e9


def rws_patterns(requested, data):
    return data.shape[0] if requested is None else min(requested, data.shape[0])


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": model or platform.processor(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "torch": torch.__version__, "numpy": np.__version__,
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
            "load_average": os.getloadavg()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", help="data file of 784-unit patterns (the project's format)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure to FILE as JSON")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: at most 500 patterns, short timings")
    parser.add_argument("--patterns", type=int, metavar="N", help="one epoch of the first N patterns per timed run")
    parser.add_argument("--rws-patterns", type=int, metavar="N",
                        help="rws (both forms): one epoch of the first N patterns per timed run (rws is ~5-10 times"
                             " slower than wake-sleep)")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds per timed run (default 1)")
    parser.add_argument("--algorithms", default="wake-sleep,rws",
                        help="comma-separated: wake-sleep, rws, rws-replicated (default wake-sleep,rws)")
    parser.add_argument("--rws-replicated", action="store_true", help="also time rws on K B replicated rows")
    parser.add_argument("--samples", type=int, default=10, help="rws: samples per pattern K (default 10)")
    parser.add_argument("--batch-size", type=int, default=100, help="patterns per minibatch (default 100)")
    parser.add_argument("--learning-rate", type=float, default=0.01, help="both directions (default 0.01)")
    parser.add_argument("--dtypes", default=",".join(DTYPES), help="comma-separated (default float32,float64)")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts, 1 and/or 2 (default 1,2)")
    parser.add_argument("--skip-checks", action="store_true", help="time without checking the steps first")
    args = parser.parse_args()
    algorithms = [a for a in args.algorithms.split(",") if a]
    if args.rws_replicated and "rws-replicated" not in algorithms:
        algorithms.append("rws-replicated")
    dtypes = [d for d in args.dtypes.split(",") if d]
    threads = [int(t) for t in args.threads.split(",") if t]
    for a in algorithms:
        if a not in ("wake-sleep", "rws", "rws-replicated"):
            parser.error(f"unknown algorithm {a!r}")
    for d in dtypes:
        if d not in DTYPES:
            parser.error(f"unknown dtype {d!r}")
    if any(t not in (1, 2) for t in threads):
        parser.error("--threads takes 1 and/or 2")
    if args.samples < 1 or args.batch_size < 1 or any(n is not None and n < 1 for n in (args.patterns, args.rws_patterns)):
        parser.error("--samples, --batch-size, --patterns and --rws-patterns must be at least 1")
    budget = min(args.budget, 0.1) if args.quick else args.budget
    mm_seconds = 0.05 if args.quick else 0.2
    square = 256 if args.quick else 1024

    try:
        data = read_data(args.data, SIZES[2])
    except DataError as e:
        print(f"wide_pytorch.py: {e}", file=sys.stderr)
        return 2
    limit = args.patterns if args.patterns is not None else (500 if args.quick else None)
    if limit is not None:
        data = data[:limit]
    whole_epoch_only = args.patterns is not None

    def data_for(name):
        """The patterns an algorithm is timed on, and whether a run is one epoch of them."""
        n = rws_patterns(args.rws_patterns, data)
        if name.startswith("rws") and n < data.shape[0]:
            return data[:n], True
        return data, whole_epoch_only
    batch, rate, K = args.batch_size, args.learning_rate, args.samples
    e1, e2 = edges()
    flops = {a: flops_per_pattern(a, K) for a in ("wake-sleep", "rws", "rws-replicated")}
    result = {"network": {"sizes": list(SIZES), "names": ["top", "hidden", "image"]}, "data": args.data,
              "patterns": data.shape[0], "batch_size": batch, "learning_rate": rate, "samples": K,
              "budget_seconds": budget, "runs": RUNS, "whole_epoch_per_run": whole_epoch_only,
              "rws_patterns": rws_patterns(args.rws_patterns, data),
              "machine": machine(), "flops_per_pattern": flops,
              "flops_formula": {
                  "wake-sleep": "2 * 6 * (784*200 + 200*50)",
                  "rws": f"2 * ((2 + 2K) * 784*200 + 4K * 200*50), K = {K}",
                  "rws-replicated": f"2 * 4K * (784*200 + 200*50), K = {K}"},
              "gemm": [], "training": [], "checks": None}
    print(f"PyTorch {torch.__version__}; network 784-200-50 (image-hidden-top), sigmoid; {data.shape[0]} patterns of"
          f" {args.data}; batch {batch}, rate {rate}, rws K = {K}")

    status = 0
    if not args.skip_checks:
        print("\n== checks (float64): the steps against their definitions")
        set_threads(1, 1)
        torch.manual_seed(1)
        ok = check_wake_sleep(data, rate) & check_rws(data, rate, min(K, 4))
        result["checks"] = "ok" if ok else "failed"
        if not ok:
            status = 1

    print("\n== flops per pattern (multiply-adds of the matrix products x 2; elementwise work not counted)")
    print(f"  wake-sleep      12 x (784*200 + 200*50) = {flops['wake-sleep']:>10,d}"
          "  (6 products per layer: recognition pass, wake generative probabilities, generative gradient,")
    print("                                                fantasy pass, sleep recognition probabilities, recognition gradient)")
    print(f"  rws             2 x ((2 + 2K) x 784*200 + 4K x 200*50) = {flops['rws']:>10,d}"
          "  (as timed here: first recognition layer once per pattern)")
    print(f"  rws-replicated  8K x (784*200 + 200*50) = {flops['rws-replicated']:>10,d}"
          "  (every pattern K times, as the engine formulates it)")

    print(f"\n== torch.mm, GFLOP/s (best of 5 loops of ~{mm_seconds:g} s; threads: torch and OpenBLAS both)")
    # (m, k, n, a transposed, b transposed): the passes' x R1^T, the gradient's d2^T h, a square product
    shapes = ((batch, e1 // SIZES[1], SIZES[1], False, True), (SIZES[2], batch, SIZES[1], True, False),
              (square, square, square, False, False))
    labels = [f"{m}x{k}x{n}" for m, k, n, _, _ in shapes]
    print(f"  {'dtype':8s} {'threads':>7s} | " + " | ".join(f"{label:>14s}" for label in labels))
    gemm = {}
    for dtype_name in dtypes:
        dtype = getattr(torch, dtype_name)
        for n_threads in threads:
            set_threads(n_threads, n_threads)
            rates = [time_mm(dtype, m, k, n, mm_seconds, ta, tb) for m, k, n, ta, tb in shapes]
            for (m, k, n, _, _), label, g in zip(shapes, labels, rates):
                result["gemm"].append({"dtype": dtype_name, "threads": n_threads, "m": m, "k": k, "n": n,
                                       "shape": label, "gflops": g})
            gemm[(dtype_name, n_threads)] = rates[0]
            print(f"  {dtype_name:8s} {n_threads:7d} | " + " | ".join(f"{g:14.2f}" for g in rates), flush=True)
    print(f"  ({labels[0]}: the passes' products, x R1^T with R1 200 x 784; {labels[1]}: the gradient outer"
          f" product d2^T h; {labels[2]}: a large square product)")

    print(f"\n== training, patterns per second (wall clock, best of {RUNS} runs of"
          f" {'one epoch' if whole_epoch_only else f'whole epochs filling ~{budget:g} s'}; cpu/wall in brackets)")
    if rws_patterns(args.rws_patterns, data) < data.shape[0]:
        print(f"rws: runs of one epoch of the first {rws_patterns(args.rws_patterns, data)} patterns")
    print("threads t/b: torch intra-op / OpenBLAS threads; 2 threads: the split (2/1, 1/2, 2/2) fastest on a probe of"
          " 10 minibatches (probe rates at the end of the line);")
    print("GFLOP/s from the flops per pattern above;"
          f" % mm: of torch.mm at {labels[0]}, same dtype and thread count")
    print(f"  {'algorithm':15s} {'dtype':8s} {'thr':>3s} {'t/b':>4s} | {'patterns/s':>11s} {'cpu/wall':>8s} |"
          f" {'GFLOP/s':>8s} {'% mm':>6s}")
    for name in algorithms:
        for dtype_name in dtypes:
            dtype = getattr(torch, dtype_name)
            patterns_used, whole_epochs = data_for(name)
            data_t = patterns_used.to(dtype)
            for n_threads in threads:
                torch.manual_seed(1)
                splits = ONE_THREAD if n_threads == 1 else TWO_THREADS
                r = time_training(name, dtype, data_t, batch, rate, K, budget, whole_epochs, splits)
                t, b = r["torch_threads"], r["blas_threads"]
                g = flops[name] * r["patterns_per_second"] / 1e9
                mm = gemm.get((dtype_name, n_threads))
                r.update({"algorithm": name, "dtype": dtype_name, "threads": n_threads, "gflops": g,
                          "fraction_of_mm": g / mm if mm else None})
                result["training"].append(r)
                if not r["finite"]:
                    print(f"  note: {name} {dtype_name} {t}/{b}: parameters not finite after training")
                others = "" if len(splits) == 1 else "  probes: " + ", ".join(
                    f"{k} {v:.0f}" for k, v in r["probe_patterns_per_second"].items())
                print(f"  {name:15s} {dtype_name:8s} {n_threads:3d} {t}/{b:<2d} | {r['patterns_per_second']:11.0f}"
                      f" ({r['cpu_per_wall']:5.2f}) | {g:8.2f} {100 * g / mm if mm else float('nan'):5.1f}%{others}",
                      flush=True)
    set_threads(1, 1)

    # Best per (algorithm, dtype, threads) and per algorithm.
    best = {}
    for r in result["training"]:
        key = f"{r['algorithm']}/{r['dtype']}/{r['threads']}"
        if key not in best or r["patterns_per_second"] > best[key]["patterns_per_second"]:
            best[key] = r
    result["best_by_setting"] = {k: {"patterns_per_second": v["patterns_per_second"], "torch_threads": v["torch_threads"],
                                     "blas_threads": v["blas_threads"]} for k, v in best.items()}
    result["best"] = {}
    print("\n== best of each algorithm")
    for name in algorithms:
        rows = [r for r in result["training"] if r["algorithm"] == name]
        if not rows:
            continue
        r = max(rows, key=lambda r: r["patterns_per_second"])
        result["best"][name] = {"patterns_per_second": r["patterns_per_second"], "dtype": r["dtype"],
                                "threads": r["threads"], "torch_threads": r["torch_threads"],
                                "blas_threads": r["blas_threads"], "gflops": r["gflops"],
                                "fraction_of_mm": r["fraction_of_mm"]}
        print(f"  {name:15s} {r['patterns_per_second']:11.0f} patterns/s  ({r['dtype']}, t/b {r['torch_threads']}/"
              f"{r['blas_threads']}; {r['gflops']:.2f} GFLOP/s)")
    result["machine"]["load_average_after"] = os.getloadavg()
    if args.json:
        text = json.dumps(result, indent=1) + "\n"
        directory = os.path.dirname(os.path.abspath(args.json))
        temporary = os.path.join(directory, f".{os.path.basename(args.json)}.{os.getpid()}.tmp")
        with open(temporary, "w") as f:
            f.write(text)
        os.replace(temporary, args.json)
    return status


if __name__ == "__main__":
    sys.exit(main())
