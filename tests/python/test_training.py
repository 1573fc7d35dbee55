"""Training from Python writes the model file `helmholtz train` writes for the same model, data,
seed and options, byte for byte (training: section included), with every algorithm; the epoch
callback; options refused with clear messages."""
import os
import pathlib
import shutil

import numpy
import pytest

import helmholtz
from conftest import run_cli, source

BARS = source("models", "bars.yaml")


@pytest.fixture
def bars_data(in_tmp):
    """b.data (300 bars patterns) and v.data (100 more) in the scratch folder."""
    pathlib.Path("b.data").write_bytes(run_cli("data", "bars", "-n", 300, "--seed", 1).stdout)
    pathlib.Path("v.data").write_bytes(run_cli("data", "bars", "-n", 100, "--seed", 2).stdout)
    return in_tmp


def cli_train(model, *args, output="cli.yaml", status=0):
    result = run_cli("train", model, "--data", "b.data", "--quiet", "-o", output, *args, check=False)
    assert result.returncode == status, result.stderr.decode()
    return pathlib.Path(output).read_bytes()


def python_train(model, output="python.yaml", **options):
    net = helmholtz.load(model)
    result = net.train("b.data", **options)
    net.save(output)
    return pathlib.Path(output).read_bytes(), result


# (what, the program's options, the same as keyword arguments)
RUNS = [
    ("wake-sleep", ["--seed", "1", "--epochs", "3"], dict(seed=1, epochs=3)),
    ("rws", ["--algorithm", "rws", "--seed", "2", "--epochs", "2", "--samples", "3", "--batch-size", "10",
             "--learning-rate", "0.05"],
     dict(algorithm="rws", seed=2, epochs=2, samples=3, batch_size=10, learning_rate=0.05)),
    ("deterministic-cg", ["--algorithm", "deterministic", "--optimizer", "cg", "--seed", "3", "--epochs", "3"],
     dict(algorithm="deterministic", optimizer="cg", seed=3, epochs=3)),
    ("natural-wake-sleep", ["--algorithm", "natural-wake-sleep", "--seed", "4", "--epochs", "2", "--batch-size", "20",
                            "--damping", "0.01"],
     dict(algorithm="natural-wake-sleep", seed=4, epochs=2, batch_size=20, damping=0.01)),
    ("natural-rws", ["--algorithm", "natural-rws", "--seed", "5", "--epochs", "2", "--batch-size", "25",
                     "--sleep-updates", "--samples", "2"],
     dict(algorithm="natural-rws", seed=5, epochs=2, batch_size=25, sleep_updates=True, samples=2)),
    ("momentum-and-the-rest", ["--seed", "6", "--epochs", "3", "--optimizer", "momentum", "--momentum", "0.5",
                               "--schedule", "inverse", "--decay", "0.2", "--weight-decay", "0.01", "--no-shuffle",
                               "--natural-coordinates", "--generative-learning-rate", "0.02",
                               "--recognition-learning-rate", "0.03"],
     dict(seed=6, epochs=3, optimizer="momentum", momentum=0.5, schedule="inverse", decay=0.2, weight_decay=0.01,
          shuffle=False, natural_coordinates=True, generative_learning_rate=0.02, recognition_learning_rate=0.03)),
    ("float32", ["--seed", "7", "--epochs", "2", "--precision", "float32", "--batch-size", "10"],
     dict(seed=7, epochs=2, precision="float32", batch_size=10)),
    ("validation-and-patience", ["--seed", "8", "--epochs", "8", "--learning-rate", "0.3", "--validation", "v.data",
                                 "--patience", "1"],
     dict(seed=8, epochs=8, learning_rate=0.3, validation="v.data", patience=1)),
]


@pytest.mark.parametrize("what, arguments, options", RUNS, ids=[run[0] for run in RUNS])
def test_training_writes_the_file_helmholtz_train_writes(what, arguments, options, bars_data):
    expected = cli_train(BARS, *arguments)
    written, result = python_train(BARS, **options)
    assert written == expected
    assert result["epochs_completed"] == helmholtz.load("cli.yaml").training["epochs_completed"]
    assert len(result["history"]) >= 1 and not result["diverged"]
    if what == "validation-and-patience":
        assert result["stopped_early"] and result["best_epoch"] == result["epochs_completed"]


def test_training_a_noisy_or_network_and_a_network_with_cues_writes_the_programs_files(bars_data):
    tiny = source("models", "tiny.yaml")
    pathlib.Path("t.data").write_bytes(run_cli("sample", tiny, "-n", 200, "--seed", 9).stdout)
    run_cli("train", tiny, "--data", "t.data", "--seed", "1", "--epochs", "4", "--quiet", "-o", "cli-tiny.yaml")
    net = helmholtz.load(tiny)
    net.train("t.data", seed=1, epochs=4)
    assert net.to_yaml().encode() == pathlib.Path("cli-tiny.yaml").read_bytes()

    cues = source("models", "digits9-cues.yaml")
    digits = source("models", "data", "digits9-train.data")
    run_cli("train", cues, "--data", digits, "--seed", "2", "--epochs", "3", "--cue-epochs", "2", "--quiet",
            "-o", "cli-cues.yaml")
    net = helmholtz.load(cues)
    net.train(digits, seed=2, epochs=3, cue_epochs=2)
    assert net.to_yaml().encode() == pathlib.Path("cli-cues.yaml").read_bytes()


def test_an_array_of_patterns_records_the_data_file_named(bars_data):
    expected = cli_train(BARS, "--seed", "1", "--epochs", "2")
    net = helmholtz.load(BARS)
    patterns = helmholtz.read_data("b.data", net)
    net.train(patterns, seed=1, epochs=2, data_file="b.data")
    assert net.to_yaml().encode() == expected
    unnamed = helmholtz.load(BARS)
    unnamed.train(patterns, seed=1, epochs=2)
    assert unnamed.training["data"] is None
    assert unnamed.training["data_checksum"] == helmholtz.load("cli.yaml").training["data_checksum"]
    with pytest.raises(helmholtz.InputError, match="data given as a file"):
        helmholtz.load(BARS).train("b.data", seed=1, epochs=1, data_file="other.data")


def test_resuming_continues_as_the_program_does(bars_data):
    cli_train(BARS, "--seed", "1", "--epochs", "2", "--optimizer", "momentum", output="two.yaml")
    result = run_cli("train", "two.yaml", "--resume", "--data", "b.data", "--epochs", "2", "--quiet", "-o", "cli.yaml")
    assert result.returncode == 0
    expected = pathlib.Path("cli.yaml").read_bytes()
    # from the program's file
    net = helmholtz.load("two.yaml")
    out = net.train("b.data", resume=True, epochs=2)
    assert out["epochs_completed"] == 4 and [r["epoch"] for r in out["history"]] == [3, 4]
    assert net.to_yaml().encode() == expected
    # from a run in Python, in the same object: 2 + 2 epochs, the momentum's velocity carried over
    net = helmholtz.load(BARS)
    net.train("b.data", seed=1, epochs=2, optimizer="momentum")
    net.train("b.data", resume=True, epochs=2)
    assert net.to_yaml().encode() == expected


def test_resuming_is_refused_where_the_program_refuses_it(bars_data):
    with pytest.raises(helmholtz.InputError, match="this network has no training: section"):
        helmholtz.load(BARS).train("b.data", resume=True)
    cli_train(BARS, "--seed", "1", "--epochs", "1", output="one.yaml")
    net = helmholtz.load("one.yaml")
    with pytest.raises(helmholtz.Error) as raised:
        net.train("v.data", resume=True)
    recorded = net.training["data_checksum"]
    assert str(raised.value) == ("resume: v.data holds other patterns than the run being resumed was trained on "
                                 "(b.data, checksum %s, here %s); to train on these data, leave out resume"
                                 % (recorded, helmholtz.data_checksum(helmholtz.read_data("v.data", net))))
    with pytest.raises(helmholtz.InputError, match="whose seed is 1; leave out seed"):
        net.train("b.data", resume=True, seed=2)
    with pytest.raises(helmholtz.InputError, match="continues a run of wake-sleep"):
        net.train("b.data", resume=True, algorithm="rws")


@pytest.mark.parametrize("options, message", [
    (dict(epochs=1), "train() needs a seed (the seed of every random stream: same seed, same result), unless resume=True"),
    (dict(seed=1, momentum=0.5), "momentum applies to optimizer='momentum' only"),
    (dict(seed=1, optimizer="momentum", momentum=1.0), "momentum is 1, but must be a number >= 0 and < 1"),
    (dict(seed=1, algorithm="wake-slep"),
     "unknown algorithm 'wake-slep' (available: deterministic, natural-rws, natural-wake-sleep, rws, wake-sleep)"),
    (dict(seed=1, optimizer="adam"), "optimizer is 'adam', but must be one of sgd, momentum, cg"),
    (dict(seed=1, schedule="linear"), "schedule is 'linear', but must be one of constant, inverse, exponential"),
    (dict(seed=1, precision="float16"), "precision is 'float16', but must be one of float64, float32"),
    (dict(seed=1, learning_rate=0), "learning_rate is 0, but must be a number > 0"),
    (dict(seed=1, learning_rate=float("nan")), "learning_rate is nan, but must be a number > 0"),
    (dict(seed=1, damping=-1), "damping is -1, but must be a number > 0"),
    (dict(seed=1, decay=-0.5), "decay is -0.5, but must be a number >= 0"),
    (dict(seed=1, weight_decay="0.1"), "weight_decay is '0.1', but must be a number"),
    (dict(seed=1, epochs=0), "epochs is 0, but must be a whole number >= 1"),
    (dict(seed=1, batch_size=-2), "batch_size is -2, but must be a whole number >= 1"),
    (dict(seed=1, shuffle=1), "shuffle is 1, but must be True or False"),
    (dict(seed=1, patience=2), "patience needs validation data (the data it watches)"),
    (dict(seed=1, callback=3), "callback is 3, but must be callable (it is called with each epoch's report)"),
])
def test_bad_options_are_refused_before_any_training(options, message, bars_data):
    net = helmholtz.load(BARS)
    before = net.to_yaml()
    with pytest.raises(helmholtz.InputError) as raised:
        net.train("b.data", **options)
    assert str(raised.value) == message
    assert net.to_yaml() == before


def test_the_trainers_own_refusals_read_as_the_programs(bars_data):
    for arguments, options in ((["--optimizer", "cg"], dict(optimizer="cg")),
                               (["--algorithm", "deterministic", "--precision", "float32"],
                                dict(algorithm="deterministic", precision="float32")),
                               (["--cue-epochs", "3"], dict(cue_epochs=3))):
        result = run_cli("train", BARS, "--data", "b.data", "--seed", "1", "-o", "x.yaml", *arguments, check=False)
        assert result.returncode == 1
        with pytest.raises(helmholtz.Error) as raised:
            helmholtz.load(BARS).train("b.data", seed=1, **options)
        assert "helmholtz train: " + str(raised.value) + "\n" == result.stderr.decode()


def test_a_diverging_run_keeps_the_last_good_parameters_and_warns_as_the_program_does(bars_data):
    expected = cli_train(BARS, "--seed", "1", "--epochs", "3", "--learning-rate", "1e308", status=1)
    net = helmholtz.load(BARS)
    with pytest.warns(RuntimeWarning, match="training diverged in epoch 1"):
        result = net.train("b.data", seed=1, epochs=3, learning_rate=1e308)
    assert result["diverged"] and result["epochs_completed"] == 0
    assert net.to_yaml().encode() == expected


def test_the_callback_gets_each_epochs_report_on_the_calling_thread(bars_data):
    import threading
    reports, threads = [], []

    def callback(report):
        reports.append(report)
        threads.append(threading.get_ident())

    net = helmholtz.load(BARS)
    result = net.train("b.data", seed=1, epochs=4, validation="v.data", callback=callback)
    assert [r["epoch"] for r in reports] == [1, 2, 3, 4]
    assert reports == result["history"]
    assert set(threads) == {threading.get_ident()}
    for r in reports:
        assert set(r) == {"epoch", "seconds", "patterns_per_second", "sampled_bound", "objective",
                          "validation_log_likelihood", "validation_exact_bound", "validation_sampled_bound"}
        assert r["objective"] is None  # wake-sleep follows no objective
        assert r["sampled_bound"] < 0 and r["validation_sampled_bound"] < 0
        # the exact validation bound is below the exact log-likelihood
        assert r["validation_exact_bound"] <= r["validation_log_likelihood"]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "cg"])
def test_an_exception_in_the_callback_stops_training_as_a_run_of_that_many_epochs(optimizer, bars_data):
    algorithm = "deterministic" if optimizer == "cg" else "wake-sleep"
    calls = []

    class Enough(Exception):
        pass

    def stop_after_two(report):
        calls.append(report["epoch"])
        if report["epoch"] == 2:
            raise Enough("two is enough")

    net = helmholtz.load(BARS)
    with pytest.raises(Enough, match="two is enough"):
        net.train("b.data", seed=3, epochs=6, algorithm=algorithm, optimizer=optimizer, callback=stop_after_two)
    assert calls == [1, 2]
    assert net.training["epochs_completed"] == 2 and not net.training["interrupted"]
    two = helmholtz.load(BARS)
    two.train("b.data", seed=3, epochs=2, algorithm=algorithm, optimizer=optimizer)
    assert net.to_yaml() == two.to_yaml()  # parameters and optimiser state of epoch 2
    # and the network trains on from there as the record says
    net.train("b.data", resume=True, epochs=1)
    two.train("b.data", resume=True, epochs=1)
    assert net.to_yaml() == two.to_yaml()


def test_the_callback_may_read_the_parameters_but_not_change_them(bars_data):
    net = helmholtz.load(BARS)
    seen, refused = [], []

    def callback(report):
        seen.append(net.generative["image"]["bias"])
        seen.append(net.exact(net.sample(5, 1))["mean_log_likelihood"])
        try:
            net.generative["image"]["bias"] = numpy.zeros(16)
        except helmholtz.Error as error:
            refused.append(str(error))
        try:
            net.save("checkpoint.yaml")
        except helmholtz.Error as error:
            refused.append(str(error))

    net.train("b.data", seed=1, epochs=2, callback=callback)
    assert refused == ["the network is being trained, so its parameters cannot be changed until train() returns",
                       "the network is being trained; save it after train() returns, when its training: section is "
                       "recorded"] * 2
    assert not numpy.array_equal(seen[0], seen[2])  # the biases moved in epoch 2
    assert numpy.array_equal(seen[2], net.generative["image"]["bias"])
