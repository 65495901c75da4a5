"""Spec 41 catches a broken load path: a reader that zeroes each LSTM's bias, or drops return_sequences, fails
the spec, naming the model and the format (issue 22's acceptance).

Both breaks run in one spec run (one process: TensorFlow imported once), each on its own case only, so each
failure has one cause, as if each break ran alone."""

import json
import os
import re
import sys
from pathlib import Path

import pytest

from lstm_spec.saving.formats import formats_written_here

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "test_41_saved_round_trip.py"
KERAS_READERS = ("load_model", "load_weights")

# A plugin for the spec run: wraps the Keras readers so that what they return for a case BROKEN names is broken.
PLUGIN = '''
import dataclasses, json, os
import numpy as np
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


BREAKS = {"bias": zero_lstm_bias, "return_sequences": drop_return_sequences}
BREAK_OF_CASE = {case: BREAKS[name] for case, name in json.loads(os.environ["BROKEN"]).items()}


def broken(reader):
    def load(path, case):
        loaded = reader.load(path, case)
        if case.name not in BREAK_OF_CASE:
            return loaded
        model = BREAK_OF_CASE[case.name](loaded.model)
        return dataclasses.replace(loaded, model=model, call=lambda data: model(data, training=False))
    return dataclasses.replace(reader, load=load)


for name in %r:
    formats.READERS[name] = broken(formats.READERS[name])
''' % (KERAS_READERS,)

# what is broken: (the case whose round trip it breaks, the spec test that must fail)
BROKEN = {"bias": ("page_lstm", "test_outputs_are_the_same_bit_for_bit"),
          "return_sequences": ("page_return_sequences", "test_keras_model_keeps_shapes_config_and_weights")}
SAVED = formats_written_here()[0]


def _selected(case: str, test: str) -> str:
    return f"({test} and {case}-{SAVED.id}-)"


def spec_41_with_broken_readers(folder: Path) -> dict:
    """Spec 41 run in another process with every break of BROKEN on its case, on the era's first format."""
    (folder / "broken_readers.py").write_text(PLUGIN)
    cases = {case: name for name, (case, _) in BROKEN.items()}
    environment = {**os.environ, "BROKEN": json.dumps(cases),
                   "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}
    command = [sys.executable, "-m", "pytest", str(SPEC), "-p", "broken_readers", "-p", "no:randomly",
               "-p", "no:cacheprovider", "-q", "--rootdir", str(ROOT), "-c", str(ROOT / "pytest.ini"),
               "-k", " or ".join(_selected(case, test) for case, test in BROKEN.values())]
    return {"args": command, "cwd": folder, "env": environment}


@pytest.fixture(scope="module")
def broken_run(fresh_process) -> str:
    """Spec 41's output with the readers broken."""
    return fresh_process(spec_41_with_broken_readers).stdout


def _failure_section(output: str, test: str, case: str) -> str:
    """The part of pytest's failure report under the header of ``test`` on ``case``'s round trip, or ''."""
    sections = re.split(r"^_+ (\S+) _+$", output, flags=re.MULTILINE)
    return next((text for header, text in zip(sections[1::2], sections[2::2])
                 if header.startswith(f"{test}[{case}-{SAVED.id}-")), "")


@pytest.mark.starts_early.with_args(spec_41_with_broken_readers)
@pytest.mark.parametrize("broken", list(BROKEN))
def test_spec_41_fails_naming_the_model_and_format(broken, broken_run):
    """With the Keras readers broken, spec 41 fails for the case and the era's first format, naming both."""
    case, test = BROKEN[broken]
    failed = [line for line in broken_run.splitlines() if line.startswith("FAILED")]
    assert any(f"{test}[{case}-{SAVED.id}-" in line for line in failed), broken_run[-3000:]
    assert all(any(f"{each_test}[{each_case}-{SAVED.id}-" in line for each_case, each_test in BROKEN.values())
               for line in failed), failed
    section = _failure_section(broken_run, test, case)
    assert f"[{case}: " in section and f"saved as {SAVED.id}" in section, section or broken_run[-3000:]
