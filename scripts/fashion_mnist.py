#!/usr/bin/env python3
"""Fashion-MNIST images as a helmholtz data file, binarised at 0.5.

Reads the idx files of Debian's package dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist/{train,t10k}-images-idx3-ubyte.gz), sets each pixel to 1
if value / 255 >= 0.5 (a byte of 128 or more) and to 0 otherwise, and writes one pattern per
line of 784 characters '0' and '1' (the 28 x 28 image row by row), after one '#' comment line
that says where the patterns come from (docs/data-files.md). The result is data for a model
whose observed units are the 784 pixels, such as models/fashion784.yaml.

    scripts/fashion_mnist.py --set train -n 2000 -o fashion.data
    scripts/fashion_mnist.py --set test > fashion-test.data

Standard library only. An output file is written atomically (a temporary file in the same
directory, then renamed), so a reader never sees half of it. Exit status 0 on success, 1 if
the files are missing or malformed or the output cannot be written, 2 for a usage mistake.
"""
import argparse
import gzip
import os
import struct
import sys
import tempfile
import zlib

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"
FILES = {"train": "train-images-idx3-ubyte.gz", "test": "t10k-images-idx3-ubyte.gz"}
IDX_UNSIGNED_BYTE_3D = 0x00000803  # magic number: unsigned bytes, 3 dimensions
THRESHOLD = 0.5
# Byte value -> the character of the binarised pixel: '1' iff value / 255 >= 0.5.
PIXEL = bytes(ord("1") if value / 255 >= THRESHOLD else ord("0") for value in range(256))

PROGRAM = "fashion_mnist.py"


class Failure(Exception):
    """A mistake to report in one line, without a traceback."""


def read_images(path, count):
    """The first `count` images of an idx3 file (all if None): (rows, columns, bytes, total)."""
    if not os.path.exists(path):
        raise Failure(f"{path} not found: install Debian's Fashion-MNIST with `apt-get install dataset-fashion-mnist`"
                      " (or give --dir, the folder holding the idx files)")
    try:
        with gzip.open(path, "rb") as f:
            header = f.read(16)
            if len(header) < 16:
                raise Failure(f"{path}: too short for an idx file header")
            magic, total, rows, columns = struct.unpack(">IIII", header)
            if magic != IDX_UNSIGNED_BYTE_3D:
                raise Failure(f"{path}: not an idx file of unsigned-byte images (magic number {magic:#010x},"
                              f" expected {IDX_UNSIGNED_BYTE_3D:#010x})")
            if count is None:
                count = total
            if count > total:
                raise Failure(f"{path} holds {total} images; asked for {count} (-n)")
            size = rows * columns
            pixels = f.read(count * size)
    except OSError as e:  # unreadable, or not gzip
        raise Failure(f"{path}: {e.strerror or e}") from None
    except (EOFError, zlib.error) as e:
        raise Failure(f"{path}: the compressed file is damaged ({e})") from None
    if len(pixels) != count * size:
        raise Failure(f"{path}: the header announces {total} images of {rows}x{columns}, but the file ends after"
                      f" {len(pixels) // size}")
    return rows, columns, pixels, total


def data_text(pixels, size, comment):
    """The data file: the comment line, then one line of '0'/'1' per image."""
    characters = pixels.translate(PIXEL)
    lines = [f"# {comment}\n".encode()]
    for start in range(0, len(characters), size):
        lines.append(characters[start:start + size])
        lines.append(b"\n")
    return b"".join(lines)


def write_atomically(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    except OSError as e:
        raise Failure(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as e:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise Failure(f"cannot write {path}: {e.strerror or e}") from None


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog=PROGRAM, description="Write Fashion-MNIST images, binarised at 0.5, as a helmholtz data file "
                                  "(784 characters '0'/'1' per line).")
    parser.add_argument("--set", choices=sorted(FILES), default="train",
                        help="train (60000 images) or test (10000); default train")
    parser.add_argument("-n", type=int, metavar="N", help="only the first N images (default: all)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE, atomically (default: standard output)")
    parser.add_argument("--dir", default=DEFAULT_DIR,
                        help=f"folder of the idx files (default {DEFAULT_DIR}, from dataset-fashion-mnist)")
    args = parser.parse_args(argv)
    if args.n is not None and args.n < 1:
        parser.error("-n must be at least 1")

    path = os.path.join(args.dir, FILES[args.set])
    try:
        rows, columns, pixels, total = read_images(path, args.n)
        count = len(pixels) // (rows * columns)
        comment = (f"Fashion-MNIST {args.set} images 1-{count} of {total} ({path}), {rows}x{columns} row by row;"
                   f" pixel 1 iff value/255 >= {THRESHOLD}")
        text = data_text(pixels, rows * columns, comment)
        if args.output:
            write_atomically(args.output, text)
        else:
            try:
                sys.stdout.buffer.write(text)
                sys.stdout.flush()
            except BrokenPipeError:  # e.g. piped into head: not a mistake
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except Failure as e:
        print(f"{PROGRAM}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
