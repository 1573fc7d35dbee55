"""Sampling, exact inference and evaluation from Python give the numbers `helmholtz sample`,
`exact --json` and `evaluate --json` print for the same model, data and seed."""
import json
import math
import pathlib

import numpy
import pytest

import helmholtz
from conftest import format_patterns, run_cli, source

TINY = source("models", "tiny.yaml")

# tiny.yaml with a leak of 1 on data[0]: every pattern with data[0] = 0 has probability 0.
CERTAIN_LEAK = open(TINY).read().replace("bias: [0.01, 0.01, 0.01, 0.01]", "bias: [1, 0.01, 0.01, 0.01]")

# Wide enough (4200 units) that `helmholtz sample` draws batches of 998 patterns, not 1024.
WIDE = """
name: wide
nodes:
  - {name: h, type: binary, size: 3000}
  - {name: v, type: binary, size: 1200, observed: true}
generative:
  h: {distribution: sigmoid}
  v: {distribution: sigmoid, parents: [h]}
"""


@pytest.mark.parametrize("n, seed", [(1, 0), (2500, 7), (1024, 18446744073709551615)])
def test_samples_are_those_of_helmholtz_sample(n, seed):
    net = helmholtz.load(TINY)
    drawn = net.sample(n, seed)
    assert drawn.dtype == numpy.uint8 and drawn.shape == (n, 4)
    printed = run_cli("sample", TINY, "-n", n, "--seed", seed).stdout.decode()
    assert format_patterns(drawn) == printed


def test_samples_of_every_node_are_those_of_helmholtz_sample_all_nodes():
    net = helmholtz.load(source("models", "bars.yaml"))
    drawn = net.sample(300, 5, all_nodes=True)
    assert list(drawn) == ["orientation", "bars", "image"]
    printed = run_cli("sample", source("models", "bars.yaml"), "-n", 300, "--seed", 5, "--all-nodes").stdout.decode()
    lines = printed.splitlines()
    assert lines[0] == "# nodes: orientation(1) bars(8) image(16)"
    rows = [" ".join("".join(str(x) for x in drawn[name][r]) for name in drawn) for r in range(300)]
    assert rows == lines[1:]
    # the visible units of the same draws are sample()'s patterns
    assert numpy.array_equal(drawn["image"], net.sample(300, 5))


def test_samples_of_a_wide_network_are_drawn_in_the_programs_batches(in_tmp):
    pathlib.Path("wide.yaml").write_text(WIDE)
    net = helmholtz.load("wide.yaml")
    printed = run_cli("sample", "wide.yaml", "-n", 2000, "--seed", 3).stdout.decode()
    assert format_patterns(net.sample(2000, 3)) == printed


def test_bad_counts_and_seeds_are_refused():
    net = helmholtz.load(TINY)
    with pytest.raises(helmholtz.InputError, match=r"^seed is -1, but must be a whole number from 0 to 18446744073709551615$"):
        net.sample(3, -1)
    with pytest.raises(helmholtz.InputError, match=r"^seed is 18446744073709551616, but must be"):
        net.sample(3, 2**64)
    with pytest.raises(helmholtz.InputError, match=r"^n is a float, but must be a whole number >= 0$"):
        net.sample(3.0, 1)
    assert net.sample(0, 1).shape == (0, 4)
    with pytest.raises(helmholtz.InputError, match=r"^n is 18446744073709551615: 18446744073709551615 patterns of 4 "
                                                   r"units are more bytes than memory can address$"):
        net.sample(2**64 - 1, 1)


def json_numbers(values):
    """A JSON list of numbers with null for what JSON cannot hold (-inf, NaN), as floats."""
    return [math.nan if x is None else x for x in values]


def same(python, printed_json, impossible_value=-math.inf):
    """Python's numbers equal the program's, bit for bit; null stands for -inf (or NaN)."""
    python = numpy.asarray(python, dtype=float).ravel()
    expected = numpy.array([impossible_value if x is None else x for x in numpy.ravel(printed_json)], dtype=float)
    return python.shape == expected.shape and numpy.array_equal(python, expected, equal_nan=True)


def data_file(in_tmp, net, n=40, seed=2, name="d.data"):
    patterns = net.sample(n, seed)
    pathlib.Path(name).write_text(format_patterns(patterns))
    return name, patterns


@pytest.mark.parametrize("text", [open(TINY).read(), CERTAIN_LEAK], ids=["tiny", "certain-leak"])
def test_exact_log_likelihoods_are_those_of_helmholtz_exact(text, in_tmp):
    pathlib.Path("model.yaml").write_text(text)
    net = helmholtz.load("model.yaml")
    name, _ = data_file(in_tmp, helmholtz.load(TINY))
    printed = json.loads(run_cli("exact", "model.yaml", "--data", name, "--json").stdout)
    result = net.exact(name)
    assert result["hidden_configurations"] == printed["hidden_configurations"] == 32
    assert same(result["log_likelihood"], printed["log_likelihood"])
    assert result["mean_log_likelihood"] == (printed["mean_log_likelihood"] if printed["mean_log_likelihood"] is not None
                                             else -math.inf)
    impossible = [i + 1 for i, x in enumerate(result["log_likelihood"]) if x == -math.inf]
    assert impossible == printed["impossible_patterns"]
    assert (len(impossible) > 0) == (text == CERTAIN_LEAK)


@pytest.mark.parametrize("text", [open(TINY).read(), CERTAIN_LEAK], ids=["tiny", "certain-leak"])
def test_posterior_marginals_and_modes_are_those_of_helmholtz_exact(text, in_tmp):
    pathlib.Path("model.yaml").write_text(text)
    net = helmholtz.load("model.yaml")
    name, _ = data_file(in_tmp, helmholtz.load(TINY))
    printed = json.loads(run_cli("exact", "model.yaml", "--data", name, "--json", "--posterior").stdout)
    result = net.exact(name, posterior=True)
    assert result["hidden_unit_names"] == printed["hidden_unit_names"] == ["top[0]", "top[1]", "mid[0]", "mid[1]", "mid[2]"]
    assert same(result["log_likelihood"], printed["log_likelihood"])
    assert same(result["posterior_marginals"], printed["posterior_marginals"], impossible_value=math.nan)
    assert same(result["mode_log_joint"], printed["mode_log_joint"])
    assert result["posterior_mode"].dtype == numpy.uint8
    for row, printed_row, log_p in zip(result["posterior_mode"], printed["posterior_mode"], result["log_likelihood"]):
        if printed_row is None:  # a pattern of probability 0 has no posterior and no mode
            assert log_p == -math.inf
        else:
            assert row.tolist() == printed_row
    # where there is a posterior, its marginals are probabilities
    defined = result["posterior_marginals"][numpy.isfinite(result["log_likelihood"])]
    assert ((defined >= 0) & (defined <= 1)).all()


def test_the_exact_bound_is_below_log_p_by_the_kl_gap_of_evaluate(in_tmp):
    net = helmholtz.load(TINY)
    name, patterns = data_file(in_tmp, net)
    result = net.exact(patterns, bound=True)
    evaluated = net.evaluate(patterns, samples=3)
    assert numpy.array_equal(result["free_energy_bound"], evaluated["exact_bound"])
    assert (result["free_energy_bound"] <= result["log_likelihood"] + 1e-12).all()
    assert numpy.allclose(result["log_likelihood"], evaluated["exact_log_likelihood"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("text, samples, seed", [(open(TINY).read(), 100, 0), (CERTAIN_LEAK, 7, 3)],
                         ids=["tiny", "certain-leak"])
def test_evaluation_is_that_of_helmholtz_evaluate(text, samples, seed, in_tmp):
    pathlib.Path("model.yaml").write_text(text)
    net = helmholtz.load("model.yaml")
    name, _ = data_file(in_tmp, helmholtz.load(TINY), n=150)  # three blocks of 64 patterns
    printed = json.loads(run_cli("evaluate", "model.yaml", "--data", name, "--json", "--samples", samples,
                                 "--seed", seed).stdout)
    result = net.evaluate(name, samples=samples, seed=seed)
    keys = ["sampled_bound", "importance_log_likelihood", "exact_log_likelihood", "exact_bound", "kl_gap"]
    for key in keys:
        nan_for_null = math.nan if key == "kl_gap" else -math.inf
        assert same(result[key], printed[key]["per_pattern"], impossible_value=nan_for_null), key
        assert same([result["mean"][key]], [printed[key]["mean"]], impossible_value=nan_for_null), key
    assert [i + 1 for i in result["impossible_patterns"]] == printed["impossible_patterns"]
    assert result["samples"] == printed["samples"] == samples
    assert "exact_skipped" not in result and "exact_skipped" not in printed


def test_exact_values_are_left_out_or_refused_beyond_the_hidden_units_allowed():
    net = helmholtz.load(TINY)
    patterns = net.sample(5, 1)
    skipped = net.evaluate(patterns, max_hidden_units=4)
    assert skipped["exact_skipped"] == "5 hidden units, more than max_hidden_units=4"
    assert "exact_log_likelihood" not in skipped and "sampled_bound" in skipped
    assert net.evaluate(patterns, exact=False)["exact_skipped"] == "exact=False"
    message = ("exact inference enumerates all 2^H configurations of the hidden units, and this network has H = 5 hidden "
               "units (2^5 = 32 configurations), above the limit of 4 (ExactOptions::max_hidden_units, at most 62)")
    for call in (lambda: net.exact(patterns, max_hidden_units=4),
                 lambda: net.evaluate(patterns, exact=True, max_hidden_units=4)):
        with pytest.raises(helmholtz.Error) as raised:
            call()
        assert str(raised.value) == message


def test_results_do_not_depend_on_the_threads():
    net = helmholtz.load(source("models", "bars.yaml"))
    patterns = net.sample(300, 1)
    one = net.evaluate(patterns, samples=20, seed=4, threads=1)
    two = net.evaluate(patterns, samples=20, seed=4, threads=2)
    for key in ("sampled_bound", "importance_log_likelihood", "exact_log_likelihood", "exact_bound"):
        assert numpy.array_equal(one[key], two[key])
    assert numpy.array_equal(net.exact(patterns, threads=1)["log_likelihood"], net.exact(patterns, threads=3)["log_likelihood"])
    assert net.estimate_exact_seconds(patterns) > 0
