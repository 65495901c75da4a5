"""The small machinery every run relies on: the run cache and its observers, the layer-default
collector and the nox call of the version matrix, each checked against hand-written expectations."""

import sys
from pathlib import Path

import pytest

from lstm_spec.checks.layer_defaults import LAYERS, flatten, layer_defaults
from lstm_spec.models.observe import cached_run, observing, report
from lstm_spec.versions.sides import ROOT, Side, nox_command, resolve


def counting_run():
    """A cached_run function that counts how often its body runs."""
    calls = []

    @cached_run
    def square(value, *, offset=0):
        """The square of value, plus offset."""
        calls.append(value)
        return value * value + offset

    return square, calls


def test_cached_run_computes_once_per_arguments():
    """A cached run's body runs once per distinct arguments; the same arguments return the same object."""
    square, calls = counting_run()
    assert (9, 9, 10) == (square(3), square(3), square(3, offset=1))
    assert [3, 3] == calls
    assert (1, 2) == (square.cache_info().hits, square.cache_info().misses)
    square.cache_clear()
    assert 9 == square(3)
    assert [3, 3, 3] == calls


def test_cached_run_is_one_run_however_its_arguments_are_spelled():
    """A default left out, passed by name or a positional argument passed by name is the same call, run once."""
    square, calls = counting_run()
    assert (9, 9, 9) == (square(3), square(3, offset=0), square(value=3))
    assert [3] == calls


def test_cached_run_keeps_its_name_and_docstring():
    """The decorated function keeps its name and docstring (the outline and errors print them)."""
    square, _ = counting_run()
    assert ("square", "The square of value, plus offset.") == (square.__name__, square.__doc__)


def test_observers_see_every_call_cache_hits_included():
    """Inside ``observing`` each call, a cache hit too, is reported; after the block nothing is."""
    square, _ = counting_run()
    seen = []
    with observing(seen.append) as observer:
        square(2)
        square(2)
        report("a model run")
    square(2)
    assert seen.append == observer
    assert [4, 4, "a model run"] == seen


def test_observer_is_removed_when_the_block_raises():
    """A spec that fails inside ``observing`` leaves no observer behind."""
    square, _ = counting_run()
    seen = []
    with pytest.raises(ZeroDivisionError), observing(seen.append):
        square(1)
        1 / 0
    square(1)
    assert [1] == seen


def test_nested_observers_both_see_a_run():
    """Two observers at once (the page recorder and a test) both see every run."""
    square, _ = counting_run()
    outer, inner = [], []
    with observing(outer.append):
        with observing(inner.append):
            square(5)
        square(6)
    assert ([25, 36], [25]) == (outer, inner)


def test_flatten_gives_dotted_keys_and_leaves_out_layer_names():
    """Nested dicts and lists become dotted keys; a layer's name (a dict with 'trainable') is dropped; odd values as repr."""
    config = {"name": "lstm_3", "trainable": True, "units": 5, "shape": (2, None), "empty": [],
              "layer": {"config": {"name": "inner", "trainable": False, "bias": None}}, "odd": Path("x")}
    assert {"trainable": True, "units": 5, "shape.0": 2, "shape.1": None, "empty": [],
            "layer.config.trainable": False, "layer.config.bias": None, "odd": repr(Path("x"))} == flatten(config)
    assert {"LSTM.name": "x"} == flatten({"name": "x"}, "LSTM")  # not a layer: its name stays


def test_layer_defaults_hold_each_layer_by_its_documented_defaults():
    """``layer_defaults()`` keys every documented layer's config ``Layer.key``, with the defaults the specs pin."""
    defaults = layer_defaults()
    assert set(LAYERS) == {key.split(".")[0] for key in defaults}
    assert not [key for key in defaults if key.endswith(".name") and key.count(".") == 1]
    expected = {"LSTM.units": 1, "LSTM.activation": "tanh", "LSTM.recurrent_activation": "sigmoid",
                "LSTM.unit_forget_bias": True, "GRU.reset_after": True, "Bidirectional.merge_mode": "concat",
                "Bidirectional.layer.config.units": 1, "Conv1D.filters": 1, "Masking.mask_value": 0.0}
    assert expected == {key: defaults[key] for key in expected}


def test_nox_command_runs_the_session_with_the_pytest_arguments():
    """The matrix calls this interpreter's nox on the checkout's noxfile and .nox, the session, then '--' and the arguments."""
    assert [sys.executable, "-m", "nox", "--noxfile", str(ROOT / "noxfile.py"), "--envdir", str(ROOT / ".nox"),
            "--sessions", "keras2", "--", "-k", "time_major"] == nox_command(resolve("keras2"), ["-k", "time_major"])


def test_nox_command_puts_a_version_before_the_pytest_arguments():
    """For the version session the version is the first argument after '--'; noxfile and envdir can be moved."""
    command = nox_command(Side("2.20.0", "version", "2.20.0"), ["specs"], noxfile=Path("/n/noxfile.py"),
                          envdir=Path("/e"))
    assert [sys.executable, "-m", "nox", "--noxfile", "/n/noxfile.py", "--envdir", "/e", "--sessions", "version",
            "--", "2.20.0", "specs"] == command
