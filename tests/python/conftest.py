"""Shared helpers of the Python tests: where the program and the sources are, running the
`helmholtz` program, and running a Python snippet in a process of its own.

CTest sets HELMHOLTZ_BINARY, HELMHOLTZ_SOURCE_DIR and PYTHONPATH (the module in the build
tree); by hand, from the top of the source tree:
    PYTHONPATH=build/python python3 -m pytest tests/python
"""
import json
import os
import subprocess
import sys
import textwrap

import pytest

SOURCE_DIR = os.environ.get("HELMHOLTZ_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BINARY = os.environ.get("HELMHOLTZ_BINARY", os.path.join(SOURCE_DIR, "build", "bin", "helmholtz"))


def source(*parts):
    """A path in the source tree."""
    return os.path.join(SOURCE_DIR, *parts)


def run_cli(*args, cwd=None, check=True):
    """Runs `helmholtz ARGS...`; returns the CompletedProcess (stdout and stderr as bytes)."""
    result = subprocess.run([BINARY, *map(str, args)], cwd=cwd, capture_output=True)
    if check and result.returncode != 0:
        raise AssertionError("helmholtz %s failed (%d): %s" % (" ".join(map(str, args)), result.returncode,
                                                              result.stderr.decode(errors="replace")))
    return result


def run_python(code, cwd=None, timeout=60):
    """Runs a Python snippet in a new interpreter (with this one's module path) and returns what
    it prints last as JSON, for the tests that send signals to the process doing the work."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True,
                            timeout=timeout, env=environment)
    if result.returncode != 0:
        raise AssertionError("the snippet failed (%d):\n%s" % (result.returncode, result.stderr.decode(errors="replace")))
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


def format_patterns(patterns):
    """Patterns as the data-file format and `helmholtz sample` write them: a line of 0/1 each."""
    return "".join("".join("1" if x else "0" for x in row) + "\n" for row in patterns)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Runs the test in a scratch folder, where files it writes (and the program's) land."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
