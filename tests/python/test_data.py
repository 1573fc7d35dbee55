"""Data as numpy arrays (0/1 as uint8 or bool, one row per pattern) and as data files."""
import pathlib
import re

import numpy
import pytest

import helmholtz
from conftest import format_patterns, run_cli, source

TINY = source("models", "tiny.yaml")
PATTERNS = numpy.array([[1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=numpy.uint8)


def every_call_with(net, data):
    """Every call that takes patterns, with `data`."""
    return [
        lambda: net.exact(data),
        lambda: net.evaluate(data, samples=2),
        lambda: net.train(data, seed=1, epochs=1),
        lambda: net.estimate_exact_seconds(data),
        lambda: net.train(PATTERNS, seed=1, epochs=1, validation=data),
    ]


@pytest.mark.parametrize("data, message", [
    ([[1, 0, 1, 0]], "data is a list, but must be a numpy array of 0/1 patterns (uint8 or bool, one row per pattern "
                     "and a column per visible unit) or the name of a data file"),
    (numpy.array([1, 0, 1, 0], dtype=numpy.uint8),
     "data is a 1-D array, but must be 2-D: one row per pattern, one column per visible unit (one pattern p is "
     "p.reshape(1, -1))"),
    (numpy.zeros((2, 2, 4), dtype=numpy.uint8),
     "data is a 3-D array, but must be 2-D: one row per pattern, one column per visible unit"),
    (PATTERNS.astype(numpy.float64),
     "data has dtype float64, but must be uint8 or bool (states 0 and 1); convert 0/1 values with data.astype(numpy.uint8)"),
    (PATTERNS.astype(numpy.int64),
     "data has dtype int64, but must be uint8 or bool (states 0 and 1); convert 0/1 values with data.astype(numpy.uint8)"),
    (PATTERNS.astype(numpy.int8),
     "data has dtype int8, but must be uint8 or bool (states 0 and 1); convert 0/1 values with data.astype(numpy.uint8)"),
    (PATTERNS[:, :3], "data has 3 columns, but the network has 4 visible units"),
    (numpy.array([[1, 0, 1, 0], [0, 0, 2, 0]], dtype=numpy.uint8), "data[1, 2] is 2, but must be 0 or 1"),
])
def test_bad_patterns_are_refused_with_a_message_naming_what_is_wrong(data, message):
    net = helmholtz.load(TINY)
    before = net.to_yaml()
    for call in every_call_with(net, data):
        with pytest.raises(helmholtz.InputError) as raised:
            call()
        as_validation = re.sub(r"^data", "validation", message).replace("data.astype", "validation.astype")
        assert str(raised.value) in (message, as_validation)
    assert net.to_yaml() == before  # nothing trained


def test_bool_and_strided_arrays_give_the_same_results_as_a_plain_uint8_array():
    net = helmholtz.load(TINY)
    expected = net.exact(PATTERNS)["log_likelihood"]
    fortran = numpy.asfortranarray(PATTERNS)
    reversed_twice = PATTERNS[::-1, ::-1][::-1, ::-1]
    every_other = numpy.repeat(PATTERNS, 2, axis=0)[::2]
    wide = numpy.zeros((3, 8), dtype=numpy.uint8)
    wide[:, ::2] = PATTERNS
    for data in (PATTERNS.astype(bool), fortran, reversed_twice, every_other, wide[:, ::2]):
        assert numpy.array_equal(net.exact(data)["log_likelihood"], expected)
    assert net.exact(numpy.zeros((0, 4), dtype=numpy.uint8))["log_likelihood"].shape == (0,)


def test_a_data_file_reads_as_the_program_reads_it_and_writes_as_it_writes(in_tmp):
    printed = run_cli("data", "bars", "-n", "50", "--seed", "4").stdout.decode()
    pathlib.Path("bars.data").write_text(printed)
    assert printed.startswith("# ")
    text = "".join(line + "\n" for line in printed.splitlines() if not line.startswith("#"))
    bars = helmholtz.load(source("models", "bars.yaml"))
    patterns = helmholtz.read_data("bars.data", bars)
    assert patterns.dtype == numpy.uint8 and patterns.shape == (50, 16)
    assert format_patterns(patterns) == text
    assert numpy.array_equal(helmholtz.read_data(pathlib.Path("bars.data"), 16), patterns)
    helmholtz.write_data("again.data", patterns.astype(bool))
    assert pathlib.Path("again.data").read_text() == text
    # a path wherever patterns are taken gives what the array gives
    assert numpy.array_equal(bars.exact("bars.data")["log_likelihood"], bars.exact(patterns)["log_likelihood"])


def test_a_bad_data_file_raises_the_programs_message(in_tmp):
    pathlib.Path("bad.data").write_text("1010\n10x0\n")
    result = run_cli("exact", TINY, "--data", "bad.data", check=False)
    assert result.returncode == 1
    printed = result.stderr.decode()
    with pytest.raises(helmholtz.InputError) as raised:
        helmholtz.read_data("bad.data", 4)
    assert "helmholtz exact: " + str(raised.value) + "\n" == printed
    net = helmholtz.load(TINY)
    with pytest.raises(helmholtz.InputError) as from_exact:
        net.exact("bad.data")
    assert str(from_exact.value) == str(raised.value)
    with pytest.raises(helmholtz.InputError) as narrow:
        helmholtz.read_data("bad.data", 5)
    assert "bad.data, line 1" in str(narrow.value)


def test_the_checksum_is_the_one_a_training_section_records(in_tmp):
    pathlib.Path("tiny.data").write_text(format_patterns(PATTERNS))
    run_cli("train", TINY, "--data", "tiny.data", "--seed", "1", "--epochs", "1", "-o", "out.yaml")
    recorded = helmholtz.load("out.yaml").training["data_checksum"]
    assert helmholtz.data_checksum(PATTERNS) == recorded
    assert helmholtz.data_checksum(PATTERNS.astype(bool)) == recorded
    assert helmholtz.data_checksum(PATTERNS[:2]) != recorded
