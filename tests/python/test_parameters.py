"""Parameters as numpy arrays: laid out as the model file lays them out, written back with the
model-file reader's checks and messages, and used by the engines once written."""
import os
import re

import numpy
import pytest

import helmholtz
from conftest import run_cli, source

ERRORS = source("tests", "model-files", "errors")

TWO_PARENTS = """
name: two
nodes:
  - {name: a, type: binary, size: 2}
  - {name: b, type: binary, size: 3}
  - {name: v, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid, bias: [0.5, -0.5]}
  b: {distribution: sigmoid}
  v: {distribution: sigmoid, parents: [a, b], bias: [1, 2],
      weights: {a: [[1, 2], [3, 4]], b: [[5, 6, 7], [8, 9, 10]]}}
"""


def test_blocks_are_laid_out_as_in_the_model_file():
    net = helmholtz.parse(TWO_PARENTS)
    v = net.generative["v"]
    assert v.blocks == ["bias", "weights"] and v.parents == ["a", "b"] and v.units == 2
    assert v["bias"].dtype == numpy.float64 and v["bias"].tolist() == [1, 2]
    weights = v["weights"]
    assert list(weights) == ["a", "b"]  # in the order of `parents`
    assert weights["a"].tolist() == [[1, 2], [3, 4]]
    assert weights["b"].tolist() == [[5, 6, 7], [8, 9, 10]]
    # flat: [b | W row by row], the parents' columns side by side (docs/model-file.md)
    assert v.parameters.tolist() == [1, 2, 1, 2, 5, 6, 7, 3, 4, 8, 9, 10]
    assert v.parameter_count == 12


def test_the_arrays_are_read_only_copies():
    net = helmholtz.parse(TWO_PARENTS)
    bias = net.generative["v"]["bias"]
    with pytest.raises(ValueError):
        bias[0] = 7.0
    copied = bias.copy()
    copied[0] = 7.0
    assert net.generative["v"]["bias"].tolist() == [1, 2]
    net.generative["v"]["bias"] = copied
    assert net.generative["v"]["bias"].tolist() == [7, 2]


def test_a_parent_left_out_of_an_assignment_keeps_its_weights():
    net = helmholtz.parse(TWO_PARENTS)
    net.generative["v"]["weights"] = {"b": [[0, 0, 0], [1, 1, 1]]}
    assert net.generative["v"]["weights"]["a"].tolist() == [[1, 2], [3, 4]]
    assert net.generative["v"]["weights"]["b"].tolist() == [[0, 0, 0], [1, 1, 1]]
    net.generative["v"].parameters = numpy.arange(12.0)
    assert net.generative["v"]["weights"]["a"].tolist() == [[2, 3], [7, 8]]


def cli_message(name):
    result = run_cli("check", name, cwd=ERRORS, check=False)
    assert result.returncode == 1
    return result.stderr.decode()[len("helmholtz check: "):-1]


# (file in tests/model-files/errors, the text that makes it wrong, the block, the same value in numpy)
SAME_MESSAGE = [
    ("bias-len.yaml", ", bias: [0, 0]", "bias", [0, 0]),
    ("bias-range.yaml", ", bias: [0.5, 1.5]", "bias", [0.5, 1.5]),
    ("odds-range.yaml", ", bias: [0.5, -0.5]", "bias", [0.5, -0.5]),
    ("weights-rows.yaml", ", weights: {h: [[1, 1], [1, 1]]}", "weights", {"h": [[1, 1], [1, 1]]}),
    ("weights-parent.yaml", ", weights: {top: [[1, 1], [1, 1]]}", "weights", {"top": [[1, 1], [1, 1]]}),
    ("weights-range.yaml", "    weights:\n      mid: [[0.5, 0, 0.2],\n            [0.1, 0.3, 1.3]]\n", "weights",
     {"mid": numpy.array([[0.5, 0, 0.2], [0.1, 0.3, 1.3]])}),
]


@pytest.mark.parametrize("name, wrong, block, value", SAME_MESSAGE, ids=[case[0] for case in SAME_MESSAGE])
def test_a_refused_value_has_the_readers_message_without_the_place_and_changes_nothing(name, wrong, block, value):
    text = open(os.path.join(ERRORS, name)).read()
    assert wrong in text
    net = helmholtz.parse(text.replace(wrong, "\n" if wrong.endswith("\n") else ""))
    node = net.observed_nodes[0]
    before = net.generative[node].parameters.copy()
    with pytest.raises(helmholtz.InputError) as raised:
        net.generative[node][block] = value
    place = re.match(r"^[^,]+, line \d+, column \d+: ", cli_message(name))
    assert place
    assert str(raised.value) == cli_message(name)[place.end():]
    assert raised.value.file is None and raised.value.line is None
    assert numpy.array_equal(net.generative[node].parameters, before)


def test_values_the_reader_would_refuse_are_refused_with_their_own_messages():
    net = helmholtz.parse(TWO_PARENTS)
    v = net.generative["v"]
    cases = [
        ("bias", [0, numpy.inf], "generative.v (sigmoid): bias[1] is inf, but must be finite"),
        ("bias", [numpy.nan, 0], "generative.v (sigmoid): bias[0] is nan, but must be finite"),
        ("bias", [[1, 2]], "generative.v (sigmoid): bias is a 2-D array, but must be a list of 2 numbers (one per unit of 'v')"),
        ("bias", "ab", "generative.v (sigmoid): bias is a str, but must be an array of numbers"),
        ("weights", [[1, 2], [3, 4]], "generative.v (sigmoid): weights is a list, but must be a dict from parent name to matrix (parents: a, b)"),
        ("weights", {"a": [[1, 2, 3], [4, 5, 6]]}, "generative.v (sigmoid): weights[a] has 3 columns, but must have 2 (one per unit of 'a')"),
        ("weights", {"a": [1, 2]}, "generative.v (sigmoid): weights[a] is a 1-D array, but must be a matrix of 2 rows (one per unit of 'v') and 2 columns (one per unit of 'a')"),
        ("weights", {"b": [[0, 0, 0], [0, 0, numpy.inf]]}, "generative.v (sigmoid): weights[b][1][2] is inf, but must be finite"),
    ]
    before = v.parameters.copy()
    for block, value, message in cases:
        with pytest.raises(helmholtz.InputError) as raised:
            v[block] = value
        assert str(raised.value) == message
    with pytest.raises(helmholtz.InputError) as raised:
        v.parameters = numpy.zeros(11)
    assert str(raised.value) == ("generative.v (sigmoid): parameters has shape (11,), but must be 12 numbers "
                                 "(every block in order, as the property gives them)")
    assert numpy.array_equal(v.parameters, before)


def test_unknown_names_raise_key_errors_that_say_what_there_is():
    net = helmholtz.load(source("models", "tiny.yaml"))
    with pytest.raises(KeyError, match=r"unknown node 'nope' \(nodes: top, mid, data\)"):
        net.generative["nope"]
    with pytest.raises(KeyError, match=r"'data' is observed, so it has no recognition distribution"):
        net.recognition["data"]
    with pytest.raises(KeyError, match=r"'bais' is not a parameter block of sigmoid \(blocks: bias, weights\)"):
        net.generative["mid"]["bais"]
    assert list(net.generative) == ["top", "mid", "data"] and list(net.recognition) == ["top", "mid"]
    assert "data" in net.generative and "data" not in net.recognition
    assert net.recognition["mid"].parents == ["data"] and net.recognition["mid"].direction == "recognition"
    assert net.generative.order == ["top", "mid", "data"] and net.recognition.order == ["mid", "top"]


def test_written_values_are_what_the_engines_use():
    # A noisy-or leak of 1 turns a unit on whatever its parents do, and a leak and weights of 0
    # keep it off: every fantasy is then 1 0 1 0, of probability 1.
    net = helmholtz.load(source("models", "tiny.yaml"))
    net.generative["data"]["bias"] = [1, 0, 1, 0]
    net.generative["data"]["weights"] = {"mid": numpy.zeros((4, 3))}
    assert (net.sample(200, seed=3) == [1, 0, 1, 0]).all()
    exact = net.exact(numpy.array([[1, 0, 1, 0], [1, 1, 1, 0]], dtype=numpy.uint8))
    assert exact["log_likelihood"][0] == pytest.approx(0.0, abs=1e-12)
    assert exact["log_likelihood"][1] == -numpy.inf
    # the same network written and read back behaves the same
    again = helmholtz.parse(net.to_yaml())
    assert (again.sample(200, seed=3) == net.sample(200, seed=3)).all()
