"""Threads: long work releases the GIL, two threads train two networks at once and each gets
what it gets alone (no state is shared between runs), and a network in use by one thread is
protected from the others."""
import threading
import time

import numpy
import pytest

import helmholtz
from conftest import source

BARS = source("models", "bars.yaml")
TINY = source("models", "tiny.yaml")


def runs():
    """Three training runs of different networks, algorithms and options, each of some tenths of a second."""
    bars_data = helmholtz.load(BARS).sample(2000, 1)
    tiny_data = helmholtz.load(TINY).sample(2000, 2)
    return [
        (BARS, bars_data, dict(seed=1, epochs=180, validation=bars_data[:200])),
        (TINY, tiny_data, dict(seed=2, epochs=75, algorithm="rws", samples=4, batch_size=5)),
        (BARS, bars_data, dict(seed=3, epochs=120, algorithm="natural-wake-sleep", batch_size=20,
                               optimizer="momentum")),
    ]


def test_threads_training_networks_at_once_each_get_what_they_get_alone():
    alone = []
    for model, data, options in runs():
        net = helmholtz.load(model)
        net.train(data, **options)
        alone.append(net.to_yaml())

    together, spans, errors = [None] * 3, [None] * 3, []
    start = threading.Barrier(3)

    def train(i, model, data, options):
        try:
            net = helmholtz.load(model)
            start.wait()
            began = time.monotonic()
            net.train(data, **options)
            spans[i] = (began, time.monotonic())
            together[i] = net.to_yaml()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=train, args=(i, *run)) for i, run in enumerate(runs())]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert together == alone
    # they did run at once: every run began before any had ended
    assert max(b for b, _ in spans) < min(e for _, e in spans)


def test_the_gil_is_released_while_a_network_trains():
    net = helmholtz.load(BARS)
    data = net.sample(2000, 1)
    done = threading.Event()
    trainer = threading.Thread(target=lambda: (net.train(data, seed=1, epochs=80), done.set()))
    counted = 0
    trainer.start()
    while not done.is_set():
        counted += 1  # Python code running in this thread while the other trains
    trainer.join()
    assert net.training["epochs_completed"] == 80
    assert counted > 10000


def test_a_network_being_trained_refuses_other_threads_and_comes_back_after():
    net = helmholtz.load(BARS)
    data = net.sample(2000, 1)
    in_callback = threading.Event()

    def callback(report):
        if report["epoch"] == 1:
            in_callback.set()

    trainer = threading.Thread(target=lambda: net.train(data, seed=1, epochs=300, callback=callback))
    trainer.start()
    assert in_callback.wait(30)
    try:
        with pytest.raises(helmholtz.Error, match="being trained in another thread"):
            net.generative["image"]["bias"]
        with pytest.raises(helmholtz.Error, match="being trained in another thread"):
            net.exact(data[:3])
        with pytest.raises(helmholtz.Error, match="being trained already"):
            net.train(data, seed=2, epochs=1)
        with pytest.raises(helmholtz.Error, match="cannot be changed until train"):
            net.generative["image"]["bias"] = numpy.zeros(16)
        with pytest.raises(helmholtz.Error, match="being trained in another thread"):
            net.save("never.yaml")
    finally:
        trainer.join()
    assert net.training["epochs_completed"] == 300
    assert net.generative["image"]["bias"].shape == (16,)


def test_threads_may_read_one_network_at_once():
    net = helmholtz.load(BARS)
    data = net.sample(500, 1)
    alone = net.evaluate(data, samples=200, seed=2)
    alone_samples = net.sample(50000, 3)
    results = [None] * 4

    def work(i):
        results[i] = net.evaluate(data, samples=200, seed=2) if i % 2 == 0 else net.sample(50000, 3)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, result in enumerate(results):
        if i % 2 == 0:
            assert numpy.array_equal(result["importance_log_likelihood"], alone["importance_log_likelihood"])
            assert numpy.array_equal(result["exact_log_likelihood"], alone["exact_log_likelihood"])
        else:
            assert numpy.array_equal(result, alone_samples)
