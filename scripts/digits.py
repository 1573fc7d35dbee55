#!/usr/bin/env python3
"""Writes the handwritten-digit data sets of models/data/ from the UCI optical digits.

The source is the 8x8 version of the UCI "Optical Recognition of Handwritten Digits" data
(E. Alpaydin, C. Kaynak; CC BY 4.0) as Debian's python3-sklearn ships it: a CSV of 1797
rows, 64 pixel counts in 0..16 (row by row) and the digit. A pixel is on when its count is
>= THRESHOLD (default 8). The images of one digit, in the order of the file, are split
into a training set and a test set: every third image (the 3rd, 6th, ...) is a test image.

Usage: digits.py [--source CSV.GZ] [--digit D] [--threshold T] --train OUT --test OUT
Exit status: 0; 1 if the source is missing or malformed; 2 for a usage mistake.
Needs nothing but Python's standard library (and the source file: apt-get install
python3-sklearn, or apt-get download python3-sklearn and unpack it with dpkg-deb -x).
"""
import argparse
import gzip
import hashlib
import os
import sys

DEBIAN_SOURCE = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"


def read_source(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
        text = gzip.decompress(raw).decode("ascii")
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise SystemExit(f"digits.py: cannot read {path}: {e}")
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split(",")
        if len(fields) != 65 or not all(f.isdigit() for f in fields):
            raise SystemExit(f"digits.py: {path}: line {number} is not 64 counts and a digit")
        values = [int(f) for f in fields]
        if max(values[:64]) > 16 or values[64] > 9:
            raise SystemExit(f"digits.py: {path}: line {number} has a count above 16 or a digit above 9")
        rows.append(values)
    return raw, rows


def write(path, header, patterns):
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        for line in header:
            f.write(f"# {line}\n")
        for p in patterns:
            f.write(p + "\n")
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default=DEBIAN_SOURCE, help=f"the CSV (default {DEBIAN_SOURCE})")
    parser.add_argument("--digit", type=int, default=9, choices=range(10))
    parser.add_argument("--threshold", type=int, default=8, help="a pixel is on when its count is >= this (default 8)")
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    args = parser.parse_args()
    raw, rows = read_source(args.source)
    images = [r for r in rows if r[64] == args.digit]
    patterns = ["".join("1" if v >= args.threshold else "0" for v in r[:64]) for r in images]
    train = [p for i, p in enumerate(patterns) if i % 3 != 2]
    test = [p for i, p in enumerate(patterns) if i % 3 == 2]
    common = [
        f"UCI optical digits, 8x8, the digit {args.digit}: {len(patterns)} of the {len(rows)} images of",
        f"{os.path.basename(args.source)} (sha256 {hashlib.sha256(raw).hexdigest()}),",
        "as Debian's python3-sklearn ships it; E. Alpaydin and C. Kaynak, CC BY 4.0.",
        f"A pixel is on when its count (0..16) is >= {args.threshold}; 64 units, row by row (--shape 8x8).",
        "Every third image of the digit in file order is a test image. Written by scripts/digits.py.",
    ]
    write(args.train, common + [f"training set: {len(train)} images"], train)
    write(args.test, common + [f"test set: {len(test)} images"], test)
    print(f"{args.train}: {len(train)} patterns; {args.test}: {len(test)} patterns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
