#!/usr/bin/python3
"""The PyTorch yardstick for `helmholtz exact` on a layered sigmoid network (float64).

Reads a model file (every node sigmoid; hidden nodes with hidden parents only, any number
of layers; observed nodes with hidden parents only; every parameter written in the file,
as scripts/random_model.py and `helmholtz train --output` write them; for a file whose
parameters are drawn from its seed, such as models/shifter.yaml, bench/run writes them out
by marking every generative block `fixed` and training one epoch) and a data file, and
computes for every pattern d_n

    log p(d_n) = logsumexp_h [ log P(h) + log P(d_n | h) ]

over all 2^H configurations h of the H hidden units (every hidden node, in declaration
order; bit i of the configuration's index is hidden unit i), a chunk of C configurations at
a time (C = 2^14, or fewer so that the N x C joint matrix has at most 2^22 entries), the
way a competent PyTorch user would write it, with matrix products:

    bits    C x H      the chunk's configurations (0/1), from the index by shifts
    prior   C          sum over hidden nodes of  s . a - sum_j softplus(a_j),
                       a = b + s_parents W^T  (C x n, one matmul per node; a root: a = b)
    a       C x V      the observed units' logits  b_v + s_parents W_v^T  (one matmul)
    joint   N x C      data @ a^T + (prior - sum_j softplus(a_j))  (one matmul with the data)
                       since log P(d | h) = d . a - sum_j softplus(a_j) for sigmoid units

then torch.logsumexp over the chunk and a running torch.logaddexp into the per-pattern sum.
softplus(a) is computed as -logsigmoid(-a), accurate in float64 for any a (torch's
softplus switches to the identity above a threshold of 20, an error of 2e-9 there).

Usage:
  exact_layered.py MODEL DATA [--check HELMHOLTZ_JSON] [--budget S] [--chunk C]
                   [--threads 1,2] [--json OUT] [--tolerance T]

It runs on 1 thread and on 2 (the faster of torch's intra-op (OpenMP) / OpenBLAS threads
2/1 and 1/2: float64 matmuls go to OpenBLAS, which torch.set_num_threads does not govern;
2/2 would put four busy threads on two cores), and prints for each thread setting the
seconds of a complete enumeration and the rate in (patterns x configurations) per second.
With --budget S a run stops after S seconds and its time for the whole enumeration is
extrapolated from the configurations done (marked "extrapolated"; every chunk costs the
same). With --check FILE (the output of `helmholtz exact MODEL --data DATA --json`), it
prints the largest relative difference of log p(d) over the patterns,
max_n |log p_torch(d_n) - log p_helmholtz(d_n)| / |log p_helmholtz(d_n)|, for the runs
that enumerated everything. Exit status: 1 if that difference exceeds --tolerance
(default 1e-9), 2 for a usage or input error.
"""
import argparse
import ctypes
import json
import math
import re
import sys
import time

import torch

torch.set_default_dtype(torch.float64)


# ---------------------------------------------------------------------------------------
# Reading the model file: the yaml module when there is one (Debian's python3-yaml),
# otherwise a minimal parser of the subset our model files use.

def _strip_comment(line):
    """Drops a # comment (at the start of a line or after white space; the files quote nothing)."""
    m = re.search(r"(^|\s)#", line)
    return line[: m.start()] if m else line


def _scalar(text):
    text = text.strip()
    if text in ("true", "True", "yes"):
        return True
    if text in ("false", "False", "no"):
        return False
    if text in ("null", "~", ""):
        return None
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        pass
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _parse_flow(text):
    """Parses a flow collection or scalar: [..], {..}, nested, with plain scalars."""
    pos = 0

    def skip():
        nonlocal pos
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1

    def value(stop):
        nonlocal pos
        skip()
        if text[pos] == "[":
            pos += 1
            items = []
            skip()
            if text[pos] == "]":
                pos += 1
                return items
            while True:
                items.append(value(",]"))
                skip()
                c = text[pos]
                pos += 1
                if c == "]":
                    return items
        if text[pos] == "{":
            pos += 1
            items = {}
            skip()
            if text[pos] == "}":
                pos += 1
                return items
            while True:
                skip()
                colon = text.index(":", pos)
                key = text[pos:colon].strip()
                pos = colon + 1
                items[key] = value(",}")
                skip()
                c = text[pos]
                pos += 1
                if c == "}":
                    return items
        start = pos
        while pos < len(text) and text[pos] not in stop:
            pos += 1
        return _scalar(text[start:pos])

    result = value("")
    return result


def _logical_lines(source):
    """(indent, text) per logical line, joining the lines of a flow collection that spans several."""
    lines = []
    pending, indent, depth = None, 0, 0
    for raw in source.splitlines():
        line = _strip_comment(raw).rstrip()
        if pending is not None:
            pending += " " + line.strip()
            depth += line.count("[") + line.count("{") - line.count("]") - line.count("}")
            if depth <= 0:
                lines.append((indent, pending))
                pending = None
            continue
        if not line.strip() or line.strip() == "---":
            continue
        indent = len(line) - len(line.lstrip())
        depth = line.count("[") + line.count("{") - line.count("]") - line.count("}")
        if depth > 0:
            pending = line.strip()
        else:
            lines.append((indent, line.strip()))
    if pending is not None:
        raise ValueError("unbalanced brackets at the end of the file")
    return lines


def _parse_block(lines, i, indent):
    """Parses the block of lines at this indent starting at lines[i]; returns (value, next i)."""
    if lines[i][1].startswith("- ") or lines[i][1] == "-":
        items = []
        while i < len(lines) and lines[i][0] == indent and (lines[i][1].startswith("- ") or lines[i][1] == "-"):
            rest = lines[i][1][1:].strip()
            if not rest:
                value, i = _parse_block(lines, i + 1, lines[i + 1][0])
                items.append(value)
                continue
            if re.match(r"^[^\[{][^:]*:(\s|$)", rest):
                # "- key: value" starts a map whose other keys are indented further
                child_indent = indent + 2
                sub = [(child_indent, rest)]
                j = i + 1
                while j < len(lines) and lines[j][0] > indent:
                    sub.append(lines[j])
                    j += 1
                value, _ = _parse_block(sub, 0, child_indent)
                items.append(value)
                i = j
                continue
            items.append(_parse_flow(rest))
            i += 1
        return items, i
    result = {}
    while i < len(lines) and lines[i][0] == indent:
        text = lines[i][1]
        key, _, rest = text.partition(":")
        key, rest = key.strip(), rest.strip()
        if rest:
            result[key] = _parse_flow(rest)
            i += 1
        elif i + 1 < len(lines) and lines[i + 1][0] > indent:
            result[key], i = _parse_block(lines, i + 1, lines[i + 1][0])
        elif i + 1 < len(lines) and lines[i + 1][0] == indent and lines[i + 1][1].startswith("-"):
            result[key], i = _parse_block(lines, i + 1, indent)  # a sequence at the key's indent
        else:
            result[key] = None
            i += 1
    return result, i


def minimal_yaml(source):
    lines = _logical_lines(source)
    if not lines:
        return None
    value, i = _parse_block(lines, 0, lines[0][0])
    if i != len(lines):
        raise ValueError("cannot parse the line '%s'" % lines[i][1])
    return value


def load_yaml(path, force_minimal=False):
    with open(path) as f:
        source = f.read()
    if not force_minimal:
        try:
            import yaml
        except ImportError:
            yaml = None
        if yaml is not None:
            return yaml.safe_load(source), "yaml " + yaml.__version__
    return minimal_yaml(source), "minimal parser"


# ---------------------------------------------------------------------------------------
# The network.

class InputError(Exception):
    pass


class Network:
    """The sigmoid network of a model file: hidden units concatenated in declaration order."""

    def __init__(self, model, path):
        nodes = model.get("nodes") or []
        generative = model.get("generative") or {}
        self.sizes = {}
        self.hidden_nodes, self.observed_nodes = [], []
        for node in nodes:
            name, size = str(node["name"]), int(node["size"])
            self.sizes[name] = size
            (self.observed_nodes if node.get("observed") else self.hidden_nodes).append(name)
        self.offset = {}
        h = 0
        for name in self.hidden_nodes:
            self.offset[name] = h
            h += self.sizes[name]
        self.hidden = h
        self.visible = sum(self.sizes[n] for n in self.observed_nodes)

        def entry(name):
            e = generative.get(name)
            if e is None:
                raise InputError("%s: no generative entry for node '%s'" % (path, name))
            if e.get("distribution") != "sigmoid":
                raise InputError("%s: node '%s' is %s; this yardstick handles sigmoid nodes only"
                                 % (path, name, e.get("distribution")))
            parents = [str(p) for p in (e.get("parents") or [])]
            for p in parents:
                if p not in self.offset:
                    raise InputError("%s: node '%s' has parent '%s', which is not hidden" % (path, name, p))
            if "bias" not in e:
                raise InputError("%s: node '%s' has no explicit bias (parameters drawn from the seed cannot be "
                                 "reproduced here; write them out: add `fixed: [bias, weights]` to every generative "
                                 "entry and run helmholtz train --epochs 1 --output FILE, as bench/run does)"
                                 % (path, name))
            bias = torch.tensor([float(x) for x in e["bias"]])
            if bias.numel() != self.sizes[name]:
                raise InputError("%s: node '%s': bias has %d numbers, not %d" % (path, name, bias.numel(),
                                                                                  self.sizes[name]))
            weights = e.get("weights") or {}
            blocks = []
            for p in parents:
                if p not in weights:
                    raise InputError("%s: node '%s' has no explicit weights for parent '%s'" % (path, name, p))
                w = torch.tensor([[float(x) for x in row] for row in weights[p]])
                if tuple(w.shape) != (self.sizes[name], self.sizes[p]):
                    raise InputError("%s: weights[%s] of node '%s' is %s, not %d x %d"
                                     % (path, p, name, tuple(w.shape), self.sizes[name], self.sizes[p]))
                blocks.append(w)
            columns = torch.cat([torch.arange(self.offset[p], self.offset[p] + self.sizes[p]) for p in parents]) \
                if parents else torch.zeros(0, dtype=torch.int64)
            w_t = torch.cat(blocks, dim=1).t().contiguous() if blocks else None   # (parent units) x n
            return parents, columns, w_t, bias

        # Hidden nodes: any order works for the sum, since every hidden unit's state is given.
        self.hidden_terms = []
        for name in self.hidden_nodes:
            parents, columns, w_t, bias = entry(name)
            cols = slice(self.offset[name], self.offset[name] + self.sizes[name])
            self.hidden_terms.append((name, cols, columns, w_t, bias))
        # Observed nodes, concatenated as the data's columns: one logit matrix over all hidden units.
        w_blocks, biases = [], []
        for name in self.observed_nodes:
            parents, columns, w_t, bias = entry(name)
            full = torch.zeros(self.hidden, self.sizes[name])
            if w_t is not None:
                full[columns] = w_t
            w_blocks.append(full)
            biases.append(bias)
        self.visible_wt = torch.cat(w_blocks, dim=1).contiguous()    # H x V
        self.visible_bias = torch.cat(biases).contiguous()           # V
        # Only the hidden units some observed node depends on enter the visible matmul.
        used = (self.visible_wt != 0).any(dim=1).nonzero().flatten()
        if used.numel() and used.numel() < self.hidden:
            self.visible_cols = used
            self.visible_wt = self.visible_wt[used].contiguous()
        else:
            self.visible_cols = None


def read_data(path, width):
    rows = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            text = line.split("#", 1)[0].replace(" ", "").replace("\t", "").strip()
            if not text:
                continue
            if len(text) != width or set(text) - {"0", "1"}:
                raise InputError("%s:%d: expected %d characters 0 or 1" % (path, number, width))
            rows.append([1.0 if c == "1" else 0.0 for c in text])
    if not rows:
        raise InputError("%s: no patterns" % path)
    return torch.tensor(rows)


_openblas = None


def set_threads(intra_op, blas):
    """Sets torch's intra-op (OpenMP) threads and OpenBLAS's own, which torch leaves alone."""
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


class ExactLayered:
    def __init__(self, net, data, chunk):
        self.net = net
        self.data = data.contiguous()                        # N x V
        self.chunk = chunk
        self.shifts = torch.arange(net.hidden, dtype=torch.int64)
        # Roots: log P(s) = s . b - sum softplus(b), one matrix-vector product.
        self.root_slope = torch.zeros(net.hidden)
        self.root_base = 0.0
        self.conditional = []
        for name, cols, columns, w_t, bias in net.hidden_terms:
            if w_t is None:
                self.root_slope[cols] = bias
                self.root_base -= float(-torch.nn.functional.logsigmoid(-bias).sum())
            else:
                self.conditional.append((cols, columns, w_t, bias))

    def chunk_logsumexp(self, start, count):
        """logsumexp over configurations start .. start + count - 1, per pattern (N)."""
        net = self.net
        index = torch.arange(start, start + count, dtype=torch.int64)
        bits = ((index.unsqueeze(1) >> self.shifts) & 1).to(torch.float64)      # C x H
        prior = torch.mv(bits, self.root_slope) + self.root_base                 # C
        for cols, columns, w_t, bias in self.conditional:
            a = torch.addmm(bias, bits[:, columns], w_t)                         # C x n
            prior += (bits[:, cols] * a).sum(1) + torch.nn.functional.logsigmoid(-a).sum(1)
        parents = bits if net.visible_cols is None else bits[:, net.visible_cols]
        a = torch.addmm(net.visible_bias, parents, net.visible_wt)               # C x V
        base = prior + torch.nn.functional.logsigmoid(-a).sum(1)                 # C
        joint = torch.addmm(base, self.data, a.t())                              # N x C
        return torch.logsumexp(joint, dim=1)

    def run(self, budget):
        """Returns (configurations done, seconds, log p(d) or None if stopped at the budget)."""
        total = 1 << self.net.hidden
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
        return done, seconds, (running.clone() if done == total else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("data")
    parser.add_argument("--check", metavar="FILE", help="JSON of `helmholtz exact --json` to compare log p(d) with")
    parser.add_argument("--budget", type=float, help="seconds per thread setting; stop then and extrapolate")
    parser.add_argument("--chunk", type=int, help="configurations per chunk (default: 2^14, fewer when there are "
                        "many patterns: the largest power of 2 with patterns x chunk <= 2^22, at least 2^8)")
    parser.add_argument("--threads", default="1,2", help="thread counts to run, of 1 and 2 (default 1,2)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to this file")
    parser.add_argument("--tolerance", type=float, default=1e-9, help="largest relative difference accepted")
    parser.add_argument("--minimal-yaml", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        thread_counts = sorted({int(t) for t in args.threads.split(",")})
        if not thread_counts or not set(thread_counts) <= {1, 2}:
            raise ValueError
    except ValueError:
        parser.error("--threads takes 1, 2 or 1,2")
    if args.chunk is not None and args.chunk < 1:
        parser.error("--chunk must be >= 1")

    try:
        model, parsed_by = load_yaml(args.model, args.minimal_yaml)
        net = Network(model, args.model)
        data = read_data(args.data, net.visible)
        reference = None
        if args.check:
            with open(args.check) as f:
                reference = torch.tensor([float(x) for x in json.load(f)["log_likelihood"]])
            if reference.numel() != data.shape[0]:
                raise InputError("%s has %d log-likelihoods for %d patterns" % (args.check, reference.numel(),
                                                                                data.shape[0]))
    except (InputError, OSError, KeyError, ValueError) as e:
        print("exact_layered.py: %s" % e, file=sys.stderr)
        return 2

    n = data.shape[0]
    total = 1 << net.hidden
    chunk = args.chunk
    if chunk is None:
        # The N x C joint matrix and its exp stay within a few tens of MB: 2^14 configurations
        # for 144 patterns, 2^12 for 1000 (2x faster there than 2^14, measured on shifter).
        chunk = max(1 << 8, min(1 << 14, 1 << int(math.floor(math.log2((1 << 22) / n)))))
    chunk = min(chunk, total)
    exact = ExactLayered(net, data, chunk)
    layers = "-".join(str(net.sizes[x]) for x in net.hidden_nodes + net.observed_nodes)
    print("exact_layered.py: %s (%s, H = %d hidden, V = %d observed; model parsed by %s), %d patterns"
          % (args.model, layers, net.hidden, net.visible, parsed_by, n))
    print("torch %s, float64, chunks of %d configurations, 2^%d = %d configurations%s"
          % (torch.__version__, chunk, net.hidden, total,
             ", budget %g s per run" % args.budget if args.budget is not None else ""))
    print("  %-8s %8s %13s %12s  %s" % ("threads", "omp/blas", "seconds", "rate", "(rate: patterns x configurations / s)"))

    settings = {1: ((1, 1),), 2: ((2, 1), (1, 2))}
    runs, best, diffs = [], {}, []
    for threads in thread_counts:
        for intra_op, blas in settings[threads]:
            set_threads(intra_op, blas)
            done, seconds, log_p = exact.run(args.budget)
            full_seconds = seconds * total / done
            rate = n * done / seconds
            extrapolated = log_p is None
            diff = None
            if log_p is not None and reference is not None:
                diff = float(((log_p - reference).abs() / reference.abs()).max())
                diffs.append(diff)
            run = {"threads": threads, "omp_threads": intra_op, "blas_threads": blas, "configurations_done": done,
                   "seconds_run": seconds, "seconds": full_seconds, "extrapolated": extrapolated, "rate": rate,
                   "max_relative_difference": diff}
            if log_p is not None:
                run["mean_log_likelihood"] = float(log_p.mean())
            runs.append(run)
            note = ("extrapolated from %d of %d configurations in %.1f s" % (done, total, seconds)
                    if extrapolated else "complete")
            if diff is not None:
                note += "; max rel diff vs helmholtz %.2e" % diff
            print("  %-8d %8s %13.3f %12.4g  %s" % (threads, "%d/%d" % (intra_op, blas), full_seconds, rate, note))
            sys.stdout.flush()
            if threads not in best or rate > best[threads]["rate"]:
                best[threads] = run
    for threads in thread_counts:
        b = best[threads]
        print("best %d thread%s: %.3f s%s (%.4g /s, omp/blas %d/%d)" % (
            threads, "" if threads == 1 else "s", b["seconds"], " extrapolated" if b["extrapolated"] else "",
            b["rate"], b["omp_threads"], b["blas_threads"]))
    worst = max(diffs) if diffs else None
    if reference is not None:
        if worst is None:
            print("log p(d) not compared: no run enumerated every configuration within the budget")
        else:
            print("max relative difference of log p(d), PyTorch vs helmholtz, over %d patterns: %.2e" % (n, worst))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"model": args.model, "data": args.data, "patterns": n, "hidden": net.hidden,
                       "visible": net.visible, "configurations": total, "chunk": chunk, "budget": args.budget,
                       "torch": torch.__version__, "runs": runs,
                       "best": {str(t): best[t] for t in thread_counts},
                       "max_relative_difference": worst}, f, indent=1)
    return 1 if worst is not None and worst > args.tolerance else 0


if __name__ == "__main__":
    sys.exit(main())
