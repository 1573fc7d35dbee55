"""Model files through Python: loading and saving, the structure against `helmholtz check`,
the parameters as numpy arrays, and the reader's errors with the program's messages."""
import copy
import glob
import os
import pickle
import re

import numpy
import pytest

import helmholtz
from conftest import run_cli, source

SHIPPED = sorted(glob.glob(source("models", "*.yaml")))
TRAINED = sorted(glob.glob(source("models", "trained", "*.yaml")))
ERRORS = source("tests", "model-files", "errors")


def write_every_array_back(net):
    """Reads every parameter block of every node, both directions, and assigns it back."""
    for direction in (net.generative, net.recognition):
        for node, conditional in direction.items():
            for block in conditional.blocks:
                values = conditional[block]
                if isinstance(values, dict):
                    assert list(values) == conditional.parents
                    conditional[block] = {parent: numpy.array(m) for parent, m in values.items()}
                else:
                    conditional[block] = numpy.array(values)
            conditional.parameters = numpy.array(conditional.parameters)


@pytest.mark.parametrize("model", TRAINED, ids=os.path.basename)
def test_a_file_the_program_wrote_comes_back_byte_for_byte_through_numpy(model, in_tmp):
    # models/trained/ holds files written by `helmholtz train`: every parameter in full precision.
    net = helmholtz.load(model)
    write_every_array_back(net)
    net.save("again.yaml")
    with open(model, "rb") as original, open("again.yaml", "rb") as again:
        assert again.read() == original.read()


@pytest.mark.parametrize("model", SHIPPED, ids=os.path.basename)
def test_every_shipped_model_saves_the_same_file_before_and_after_its_arrays_go_through_numpy(model, in_tmp):
    net = helmholtz.load(model)
    net.save("before.yaml")
    write_every_array_back(net)
    net.save("after.yaml")
    with open("before.yaml", "rb") as before, open("after.yaml", "rb") as after:
        assert after.read() == before.read()
    # and the saved file reads back to the same parameters, bit for bit
    again = helmholtz.load("after.yaml")
    for name in net.generative:
        assert numpy.array_equal(again.generative[name].parameters, net.generative[name].parameters)
    for name in net.recognition:
        assert numpy.array_equal(again.recognition[name].parameters, net.recognition[name].parameters)


def numbers_by_line(text):
    """Each line's numbers (for the flow lists model files write), by line."""
    return [re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", line) for line in text.splitlines()]


def test_changing_one_value_then_saving_changes_exactly_that_value(in_tmp):
    net = helmholtz.load(source("models", "tiny.yaml"))
    net.save("before.yaml")
    weights = net.generative["data"]["weights"]
    changed = weights["mid"].copy()
    assert changed[1, 2] == 0.0
    changed[1, 2] = 0.25
    net.generative["data"]["weights"] = {"mid": changed}
    net.save("after.yaml")
    before = open("before.yaml").read()
    after = open("after.yaml").read()
    different = [i for i, (a, b) in enumerate(zip(before.splitlines(), after.splitlines())) if a != b]
    assert len(before.splitlines()) == len(after.splitlines())
    assert len(different) == 1
    line = different[0]
    old, new = numbers_by_line(before)[line], numbers_by_line(after)[line]
    assert len(old) == len(new) == 3  # the row [0, 0.8, 0] of weights[mid]
    assert [i for i in range(3) if old[i] != new[i]] == [2]
    assert float(new[2]) == 0.25
    # read back, exactly one parameter of the whole network differs, and it is that one
    a, b = helmholtz.load("before.yaml"), helmholtz.load("after.yaml")
    for direction in ("generative", "recognition"):
        for name in getattr(a, direction):
            x = getattr(a, direction)[name].parameters
            y = getattr(b, direction)[name].parameters
            differing = numpy.flatnonzero(x != y)
            if (direction, name) == ("generative", "data"):
                # bias: 4 entries, then weights row by row: row 1, column 2 is 4 + 1 * 3 + 2
                assert differing.tolist() == [9]
                assert y[9] == 0.25
            else:
                assert differing.size == 0


def check_tables(model):
    """The node and conditional tables `helmholtz check` prints, as lists of rows."""
    out = run_cli("check", model).stdout.decode()
    sections = {}
    current = None
    for line in out.splitlines():
        if line and not line.startswith(" "):
            current = line.split(" (")[0]
            sections[current] = []
        elif line.startswith("  ") and current is not None:
            sections[current].append(line.strip())
    return sections


@pytest.mark.parametrize("model", SHIPPED + [source("tests", "model-files", "examples", "zero-fixed.yaml")],
                         ids=os.path.basename)
def test_the_structure_is_what_helmholtz_check_prints(model):
    net = helmholtz.load(model)
    tables = check_tables(model)
    nodes = [re.split(r"\s{2,}", row) for row in tables["nodes"][1:]]
    assert [n["name"] for n in net.nodes] == [row[0] for row in nodes] == net.node_names
    for node, row in zip(net.nodes, nodes):
        assert row[1] == "binary"
        assert node["size"] == int(row[2])
        assert node["observed"] == row[3].startswith("observed")
        assert (node["cue"] is not None) == ("cue of" in row[3])
        if node["cue"]:
            cue = node["cue"]
            assert "cue of %s: image %dx%d in cells %dx%d" % (cue["of"], *cue["image"], *cue["cells"]) in row[3]
    assert net.observed_nodes == [n["name"] for n in net.nodes if n["observed"]]
    assert net.hidden_nodes == [n["name"] for n in net.nodes if not n["observed"]]
    assert net.visible_units == sum(n["size"] for n in net.nodes if n["observed"])
    assert net.hidden_units == sum(n["size"] for n in net.nodes if not n["observed"])
    for direction, title in ((net.generative, "generative model P"), (net.recognition, "recognition model Q")):
        rows = [re.split(r"\s{2,}", row) for row in tables[title][1:]]
        assert direction.order == [row[0] for row in rows]
        assert sorted(direction) == sorted(row[0] for row in rows)
        for row in rows:
            conditional = direction[row[0]]
            assert conditional.node == row[0]
            assert conditional.distribution == row[1]
            assert conditional.parameter_count == int(row[2]) == conditional.parameters.size
            assert (", ".join(conditional.parents) or "-") == row[3]
            fixed = row[4][len("(fixed: "):-1].split() if len(row) > 4 else []
            assert conditional.fixed == fixed
        assert direction.parameter_count == sum(int(row[2]) for row in rows)


def error_files():
    return sorted(os.path.basename(f) for f in glob.glob(os.path.join(ERRORS, "*.yaml")))


def limit_settings(name):
    """The limit a file's documented message is made under (docs/model-file.md gives the message,
    which names the variable and the limit): {} for most files."""
    for message in re.findall(r"`([^`]*)`", open(source("docs", "model-file.md")).read()):
        if message.startswith(name + ":") or message.startswith(name + ","):
            found = re.search(r"the limit of (\d+) \(raise it with (HELMHOLTZ_[A-Z_]+)=N", message)
            if found:
                return {found.group(2): found.group(1)}
    return {}


@pytest.mark.parametrize("name", error_files() + ["nosuch.yaml", "."])
def test_a_bad_model_file_raises_the_message_helmholtz_check_prints(name, monkeypatch):
    # Run where the files are, as docs/model-file.md shows the messages, so names read the same.
    monkeypatch.chdir(ERRORS)
    for variable, value in limit_settings(name).items():
        monkeypatch.setenv(variable, value)  # read by the program and by load() alike
    result = run_cli("check", name, cwd=ERRORS, check=False)
    assert result.returncode == 1
    printed = result.stderr.decode(errors="replace")
    assert printed.startswith("helmholtz check: ") and printed.endswith("\n")
    with pytest.raises(helmholtz.Error) as raised:
        helmholtz.load(name)
    assert str(raised.value) == printed[len("helmholtz check: "):-1]


def test_an_input_error_carries_its_place_and_is_a_value_error():
    with pytest.raises(ValueError) as raised:
        helmholtz.load(os.path.join(ERRORS, "weights-range.yaml"))
    error = raised.value
    assert isinstance(error, helmholtz.InputError) and isinstance(error, helmholtz.Error)
    assert error.file == os.path.join(ERRORS, "weights-range.yaml")
    assert (error.line, error.column) == (11, 24)
    assert error.field == "generative.data (noisy-or)"
    assert error.reason == "weights[mid][1][2] is 1.3, but must be in [0, 1]"
    with pytest.raises(helmholtz.Error) as missing:
        helmholtz.load("nosuch.yaml")
    assert not isinstance(missing.value, helmholtz.InputError)
    assert str(missing.value) == "cannot open model file 'nosuch.yaml'"


def test_parse_reads_text_and_names_it_in_messages():
    text = open(source("models", "tiny.yaml")).read()
    net = helmholtz.parse(text)
    assert net.to_yaml() == helmholtz.load(source("models", "tiny.yaml")).to_yaml()
    with pytest.raises(helmholtz.InputError) as raised:
        helmholtz.parse("nodes: []\n", "mine.yaml")
    assert str(raised.value) == "mine.yaml, line 1, column 8: nodes is empty"


def test_copies_and_pickles_are_independent_networks_with_the_same_parameters():
    net = helmholtz.load(source("models", "bars.yaml"))
    for other in (net.copy(), copy.copy(net), copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert other.to_yaml() == net.to_yaml()
        other.generative["image"]["bias"] = numpy.ones(16)
        assert not numpy.array_equal(net.generative["image"]["bias"], numpy.ones(16))
