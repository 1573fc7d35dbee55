"""Ctrl-C during long work: SIGINT, sent to the process from a timer thread while the main
thread trains, enumerates, evaluates or samples without the GIL, raises KeyboardInterrupt
within a second, and leaves the network in the state the docstrings promise. Each case runs in
a process of its own, which signals itself."""
import pytest

from conftest import run_python, source

PRELUDE = """
import json, os, signal, threading, time
import numpy
import helmholtz

sent = []
def interrupt_after(seconds, signal_number=signal.SIGINT):
    def send():
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal_number)
    threading.Timer(seconds, send).start()

def seconds_after_signal():
    return time.monotonic() - sent[0]
"""

WIDE = """
nodes:
  - {name: h, type: binary, size: 28}
  - {name: d, type: binary, size: 8, observed: true}
generative:
  h: {distribution: sigmoid}
  d: {distribution: sigmoid, parents: [h]}
"""


TRAIN = PRELUDE + """
net = helmholtz.load(%r)
before = net.generative["image"].parameters
data = numpy.array([[1, 1, 1, 1] + [0] * 12, [1, 0, 0, 0] * 4] * 1000, dtype=numpy.uint8)
epochs = []
callback = (lambda report: epochs.append(report["epoch"])) if %r else None
interrupt_after(0.5)
try:
    net.train(data, seed=1, epochs=100000, callback=callback)
    outcome = "finished"
except KeyboardInterrupt:
    outcome = "KeyboardInterrupt"
after = seconds_after_signal()
record = net.training
# the same number of whole epochs, trained afresh
whole = helmholtz.load(%r)
if record["epochs_completed"] > 0:
    whole.train(data, seed=1, epochs=record["epochs_completed"])
print(json.dumps(dict(outcome=outcome, after=after, epochs=len(epochs), record=dict(
    epochs_completed=record["epochs_completed"], interrupted=record["interrupted"]),
    moved=bool((net.generative["image"].parameters != before).any()),
    as_whole_epochs=whole.to_yaml() == net.to_yaml(),
    saved=helmholtz.parse(net.to_yaml()).to_yaml() == net.to_yaml())))
"""


def test_ctrl_c_stops_training_with_the_parameters_reached_and_an_interrupted_record():
    bars = source("models", "bars.yaml")
    result = run_python(TRAIN % (bars, False, bars))
    assert result["outcome"] == "KeyboardInterrupt"
    assert result["after"] < 1.0
    # the record counts the whole epochs done and says the parameters are from inside the next
    assert result["record"]["interrupted"] and result["record"]["epochs_completed"] >= 1
    assert result["moved"] and result["saved"] and not result["as_whole_epochs"]


def test_ctrl_c_with_an_epoch_callback_stops_training_in_a_defined_state():
    # Ctrl-C lands in the training (parameters from inside an epoch, recorded as interrupted) or
    # in the callback, which runs Python code on this thread: then it is the callback's exception,
    # and the run stops as after that epoch, whose parameters are those of a run of that length.
    bars = source("models", "bars.yaml")
    result = run_python(TRAIN % (bars, True, bars))
    assert result["outcome"] == "KeyboardInterrupt" and result["after"] < 1.0
    record = result["record"]
    if record["interrupted"]:
        assert record["epochs_completed"] == result["epochs"] and not result["as_whole_epochs"]
    else:
        assert record["epochs_completed"] in (result["epochs"], result["epochs"] + 1)
        assert result["as_whole_epochs"]
    assert result["moved"] and result["saved"]


def test_ctrl_c_stops_an_exact_enumeration_and_the_network_is_unchanged():
    result = run_python(PRELUDE + """
net = helmholtz.parse(%r)
before = net.to_yaml()
data = numpy.array([[0, 1, 0, 1, 0, 1, 0, 1], [1, 1, 1, 1, 0, 0, 0, 0]], dtype=numpy.uint8)
interrupt_after(0.5)
started = time.monotonic()
try:
    net.exact(data, max_hidden_units=28, posterior=True)
    outcome = "finished"
except KeyboardInterrupt:
    outcome = "KeyboardInterrupt"
print(json.dumps(dict(outcome=outcome, after=seconds_after_signal(), unchanged=net.to_yaml() == before)))
""" % WIDE)
    assert result == {"outcome": "KeyboardInterrupt", "after": result["after"], "unchanged": True}
    assert result["after"] < 1.0


def test_ctrl_c_stops_an_evaluation_and_sampling():
    result = run_python(PRELUDE + """
net = helmholtz.load(%r)
data = net.sample(200, 1)
outcomes = []
for work in (lambda: net.evaluate(data, samples=10**7),
             lambda: helmholtz.parse(%r).sample(10**8, 1)):
    interrupt_after(0.5)
    try:
        work()
        outcomes.append(["finished", 0])
    except KeyboardInterrupt:
        outcomes.append(["KeyboardInterrupt", seconds_after_signal()])
    sent.clear()
print(json.dumps(outcomes))
""" % (source("models", "bars.yaml"), WIDE.replace("size: 8,", "size: 1,")))
    for outcome, after in result:
        assert outcome == "KeyboardInterrupt" and after < 1.0


def test_a_signal_handler_that_raises_stops_the_work_with_its_exception():
    result = run_python(PRELUDE + """
def too_long(number, frame):
    raise TimeoutError("too long")
signal.signal(signal.SIGALRM, too_long)
net = helmholtz.parse(%r)
data = numpy.zeros((2, 8), dtype=numpy.uint8)
interrupt_after(0.3, signal.SIGALRM)
try:
    net.exact(data, max_hidden_units=28)
    outcome = "finished"
except TimeoutError as error:
    outcome = str(error)
print(json.dumps(dict(outcome=outcome, after=seconds_after_signal())))
""" % WIDE)
    assert result["outcome"] == "too long" and result["after"] < 1.0


def test_a_signal_handler_runs_during_long_work_and_the_work_goes_on():
    result = run_python(PRELUDE + """
handled = []
signal.signal(signal.SIGUSR1, lambda number, frame: handled.append(time.monotonic()))
net = helmholtz.load(%r)
data = net.sample(2000, 1)
interrupt_after(0.2, signal.SIGUSR1)
started = time.monotonic()
result = net.train(data, seed=1, epochs=300)
finished = time.monotonic()
print(json.dumps(dict(epochs=result["epochs_completed"], handled=len(handled),
                      during=bool(handled) and handled[0] < finished, took=finished - started,
                      handled_after=handled[0] - sent[0] if handled else None)))
""" % source("models", "bars.yaml"))
    assert result["epochs"] == 300 and result["handled"] == 1
    assert result["took"] > 0.3, "the training must outlast the signal for this test to mean anything"
    assert result["during"] and result["handled_after"] < 0.5
