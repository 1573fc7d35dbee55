#!/usr/bin/env python3
"""Writes the seed corpora of the four fuzzers into OUT/<target>/, one file per input.

Seeds come from what the project already has: the shipped models and data sets, the inputs
that the tests feed the readers (their string literals, error cases included), the hand-made
seeds of tests/fuzz/seeds/ and the regression inputs of tests/fuzz/regressions/. Inputs are
laid out as the entry points of tests/fuzz/fuzz_entry_points.hpp expect: a width byte before
a data file, a channel byte and a bin-width byte before a spike file, arguments joined by NUL.

usage: make_seeds.py SOURCE_DIR OUT
"""
import hashlib
import re
import sys
from pathlib import Path

SOURCE, OUT = Path(sys.argv[1]), Path(sys.argv[2])
TARGETS = ["model_file", "data_file", "spike_file", "arguments"]
ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "a": "\a", "0": "\0", "\\": "\\", '"': '"', "'": "'"}

written = {t: 0 for t in TARGETS}


def write(target, data):
    if isinstance(data, str):
        data = data.encode("latin-1", errors="replace")
    folder = OUT / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
    written[target] += 1


def unescape(body):
    """A C string literal's body as its bytes (\\xHH, \\n and friends; others kept as typed)."""
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            if n == "x":
                digits = re.match(r"[0-9A-Fa-f]{1,2}", body[i + 2:]).group(0)
                out.append(chr(int(digits, 16)))
                i += 2 + len(digits)
                continue
            out.append(ESCAPES.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


# A raw string R"(...)", or a run of adjacent ordinary literals ("a" "b" is "ab").
LITERAL = r'(?:R"\((?P<raw>.*?)\)"|(?P<plain>"(?:[^"\\\n]|\\.)*"(?:\s*"(?:[^"\\\n]|\\.)*")*))'


def literal_text(match):
    if match.group("raw") is not None:
        return match.group("raw")
    return "".join(unescape(m) for m in re.findall(r'"((?:[^"\\\n]|\\.)*)"', match.group("plain")))


def literals(path):
    return [literal_text(m) for m in re.finditer(LITERAL, path.read_text(), re.S)]


def calls(path, names):
    """(first argument, rest of the call up to its line end) for calls like parse("...", 4)."""
    pattern = r"\b(?:%s)\(\s*%s(?P<rest>[^\n]*)" % ("|".join(names), LITERAL)
    return [(literal_text(m), m.group("rest")) for m in re.finditer(pattern, path.read_text(), re.S)]


def model_seeds():
    for model in sorted((SOURCE / "models").rglob("*.yaml")):
        write("model_file", model.read_bytes())
    # Model texts in the tests, the error cases among them: every raw string, and ordinary
    # literals that look like a model.
    tests = sorted((SOURCE / "tests").rglob("*_test.cpp"))
    for test in tests:
        for text in literals(test):
            if "nodes" in text or "generative" in text or "distribution" in text or "training" in text:
                write("model_file", text)


def data_seeds():
    for data in sorted((SOURCE / "models" / "data").glob("*.data")):
        lines = [l for l in data.read_text().splitlines() if l.strip() and not l.startswith("#")]
        width = len(lines[0].replace(" ", "")) if lines else 1
        write("data_file", bytes([(width - 1) % 256]) + data.read_bytes()[:4000])
    for text, rest in calls(SOURCE / "tests/framework/io/data_file_test.cpp", ["parse", "error_of"]):
        width = re.match(r"\s*,\s*(\d+)", rest)
        write("data_file", bytes([(int(width.group(1)) - 1) % 256 if width else 3]) + text.encode("latin-1"))


def spike_seeds():
    # The channel byte (0: none, else channels + 1) and the bin-width byte (an index into the
    # entry point's table, 0 is 1, 2 is 0.1).
    for text in literals(SOURCE / "tests/framework/datasets/spikes_test.cpp"):
        if re.search(r"\d", text) and "\n" in text:
            for prefix in (b"\0\0", b"\x05\x02"):
                write("spike_file", prefix + text.encode("latin-1"))


def top_level_items(text):
    """The items of a braced list, split at commas outside quotes and parentheses."""
    items, depth, quoted, start = [], 0, False, 0
    for i, c in enumerate(text):
        if quoted:
            quoted = not (c == '"' and text[i - 1] != "\\")
        elif c == '"':
            quoted = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            items.append(text[start:i].strip())
            start = i + 1
    items.append(text[start:].strip())
    return [item for item in items if item]


def argument_seeds():
    # run({"sample", tiny_model, "-n", "5"}) in the CLI tests: the literals as typed, anything
    # else (a variable naming a file) as a file name.
    for test in sorted((SOURCE / "tests/cli").glob("*_test.cpp")):
        for items in re.findall(r"\brun\(\{([^{}]*)\}\)", test.read_text()):
            args = []
            for item in top_level_items(items):
                m = re.fullmatch(r'"((?:[^"\\]|\\.)*)"', item)
                args.append(unescape(m.group(1)) if m else "models/tiny.yaml")
            if args:
                write("arguments", "\0".join(args))


model_seeds()
data_seeds()
spike_seeds()
argument_seeds()
for target in TARGETS:
    for folder in (SOURCE / "tests/fuzz/seeds" / target, SOURCE / "tests/fuzz/regressions" / target):
        if folder.is_dir():
            for f in sorted(folder.iterdir()):
                write(target, f.read_bytes())
for target in TARGETS:
    count = len(list((OUT / target).iterdir())) if (OUT / target).is_dir() else 0
    print(f"{target}: {count} seeds")
