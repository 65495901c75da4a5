"""Spec 41 catches a broken load path: a reader that zeroes each LSTM's bias, or drops return_sequences, fails
the spec, naming the model and the format (issue 22's acceptance)."""

from pathlib import Path

import pytest

from lstm_spec.saving.formats import formats_written_here

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "test_41_saved_round_trip.py"
KERAS_READERS = ("load_model", "load_weights")

# A plugin for the spec run: wraps the Keras readers so that what they return is broken as BROKEN says.
PLUGIN = '''
import dataclasses, os
import numpy as np
from lstm_spec.models.keras_under_test import keras
from lstm_spec.saving import formats

RECURRENT = ("LSTM", "GRU", "SimpleRNN")


def zero_lstm_bias(model):
    for layer in model.layers:
        if type(layer).__name__ == "LSTM":
            layer.cell.bias.assign(np.zeros(layer.cell.bias.shape, "float32"))
    return model


def drop_return_sequences(model):
    config = model.get_config()
    for layer in config["layers"]:
        if layer["class_name"] in RECURRENT:
            layer["config"]["return_sequences"] = False
    rebuilt = model.__class__.from_config(config)
    rebuilt.set_weights(model.get_weights())
    return rebuilt


BREAK = {"bias": zero_lstm_bias, "return_sequences": drop_return_sequences}[os.environ["BROKEN"]]


def broken(reader):
    def load(path, case):
        loaded = reader.load(path, case)
        model = BREAK(loaded.model)
        return dataclasses.replace(loaded, model=model, call=lambda data: model(data, training=False))
    return dataclasses.replace(reader, load=load)


for name in %r:
    formats.READERS[name] = broken(formats.READERS[name])
''' % (KERAS_READERS,)

# what is broken: (the case whose round trip it breaks, the spec test that must fail)
BROKEN = {"bias": ("page_lstm", "test_outputs_are_the_same_bit_for_bit"),
          "return_sequences": ("page_return_sequences", "test_keras_model_keeps_shapes_config_and_weights")}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_spec_41_fails_naming_the_model_and_format(broken, pytester, monkeypatch):
    """With the Keras readers broken, spec 41 fails for the case and the era's first format, naming both."""
    case, test = BROKEN[broken]
    saved = formats_written_here()[0]
    pytester.makepyfile(broken_readers=PLUGIN)
    monkeypatch.setenv("BROKEN", broken)
    monkeypatch.setenv("PYTHONPATH", f"{pytester.path}:{ROOT}")
    result = pytester.runpytest_subprocess(
        str(SPEC), "-p", "broken_readers", "-p", "no:randomly", "-p", "no:cacheprovider", "-q",
        "--rootdir", str(ROOT), "-c", str(ROOT / "pytest.ini"), "-k", f"{test} and {case}-{saved.id}-")
    failed = [line for line in result.outlines if line.startswith("FAILED")]
    assert failed, "\n".join(result.outlines[-30:])
    assert all(case in line and saved.id in line for line in failed), failed
    assert f"[{case}: " in result.stdout.str() and f"saved as {saved.id}" in result.stdout.str()
