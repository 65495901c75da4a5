"""check and migrate's own parts: the config rewrite as data, the model file read without TensorFlow, bad input."""

import json
import re

import h5py
import pytest

from lstm_spec.own_model import check, migrate_command
from lstm_spec.own_model.config_rewrite import Refused, rewrite
from lstm_spec.own_model.model_file import BadInput, identify


def _layer(class_name, name, inbound=(), **config):
    return {"class_name": class_name, "name": name, "config": {"name": name, **config},
            "inbound_nodes": [list(inbound)] if inbound else []}


def _functional(*layers, outputs=None):
    return {"class_name": "Functional", "config": {"name": "model", "layers": list(layers),
                                                   "input_layers": [["in", 0, 0]],
                                                   "output_layers": outputs or [[layers[-1]["name"], 0, 0]]}}


INPUT = _layer("InputLayer", "in", batch_input_shape=[None, 9, 3])


def test_time_major_false_is_dropped_inside_wrappers():
    """time_major=False goes from a Bidirectional's inner LSTM; Keras 2.5-2.11's module-less inner layer gets one."""
    inner = {"class_name": "LSTM", "config": {"name": "lstm", "units": 5, "time_major": False}}
    config = _functional(INPUT, _layer("Bidirectional", "bidi", [["in", 0, 0, {}]], layer=inner))
    result = rewrite(config)
    bidi = result.config["config"]["layers"][1]["config"]["layer"]
    assert "time_major" not in bidi["config"] and bidi["module"] == "keras.layers"
    assert [change.what for change in result.changes] == ["time_major=False dropped",
                                                          "module added to a wrapper's inner layer"]
    assert "time_major" in inner["config"], "rewrite changed the config it was given"


def test_time_distributed_dropout_gets_its_module():
    """TimeDistributed(Dropout) after ConvLSTM2D: the inner Dropout gets the module Keras 3 looks it up by."""
    inner = {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.2}}
    config = _functional(INPUT, _layer("TimeDistributed", "td", [["in", 0, 0, {}]], layer=inner))
    assert rewrite(config).config["config"]["layers"][1]["config"]["layer"]["module"] == "keras.layers"


def test_unsafe_names_are_renamed_with_every_reference():
    """A layer named with '>' and '<' is renamed, and so is every node and output that names it."""
    config = _functional(INPUT, _layer("LSTM", "lstm<1>", [["in", 0, 0, {}]], units=5),
                         _layer("Dense", "dense", [["lstm<1>", 0, 0, {}]], units=1))
    result = rewrite(config).config["config"]
    assert [layer["config"]["name"] for layer in result["layers"]] == ["in", "lstm_1_", "dense"]
    assert result["layers"][2]["inbound_nodes"] == [[["lstm_1_", 0, 0, {}]]]


def test_initial_state_inputs_become_the_argument():
    """LSTM recorded as called on [x, h0, c0] is called on x with initial_state=[h0, c0]."""
    config = _functional(INPUT, _layer("InputLayer", "h0"), _layer("InputLayer", "c0"),
                         _layer("LSTM", "lstm", [["in", 0, 0, {}], ["h0", 0, 0, {}], ["c0", 0, 0, {}]], units=5))
    node, = rewrite(config).config["config"]["layers"][3]["inbound_nodes"]
    assert node["args"][0]["config"]["keras_history"] == ["in", 0, 0]
    assert [state["config"]["keras_history"] for state in node["kwargs"]["initial_state"]] == [["h0", 0, 0],
                                                                                                ["c0", 0, 0]]


def test_time_major_sequences_get_transposes_on_both_sides():
    """A time-major LSTM with return_sequences gets a transpose before it and after it, and the model's output moves."""
    config = _functional(INPUT, _layer("LSTM", "lstm", [["in", 0, 0, {}]], units=5, time_major=True,
                                       return_sequences=True))
    result = rewrite(config).config["config"]
    assert [layer["name"] for layer in result["layers"]] == ["in", "lstm_to_batch_major", "lstm", "lstm_to_time_major"]
    assert result["output_layers"] == [["lstm_to_time_major", 0, 0]]
    assert "time_major" not in result["layers"][2]["config"]


def test_time_major_in_a_sequential_model_is_refused():
    """Sequential has no place for the transposes, so a time-major layer in one is refused with the reason."""
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "LSTM", "config": {"name": "lstm", "units": 5, "time_major": True}}]}}
    with pytest.raises(Refused, match="Sequential model with time_major=True"):
        rewrite(config)


def test_keras_2_hard_sigmoid_is_refused_or_kept_as_named():
    """Keras 2's hard_sigmoid is refused, naming the layer; kept, it becomes the registered function."""
    config = _functional(INPUT, _layer("ConvLSTM1D", "conv", [["in", 0, 0, {}]], recurrent_activation="hard_sigmoid"))
    with pytest.raises(Refused, match=r"conv \(recurrent_activation\) use\(s\) Keras 2's hard_sigmoid"):
        rewrite(config)
    kept = rewrite(config, keep_hard_sigmoid="lstm_spec>keras_2_hard_sigmoid").config
    assert kept["config"]["layers"][1]["config"]["recurrent_activation"]["config"] == "lstm_spec>keras_2_hard_sigmoid"


@pytest.mark.parametrize(("make", "fragment"), [
    (lambda path: path.write_text("not a model"), "neither an HDF5 file"),
    (lambda path: path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 20), "cannot be read as HDF5"),
    (lambda path: path.write_bytes(b"PK\x03\x04" + b"\0" * 20), "cannot be read as a .keras archive"),
], ids=["text", "truncated-h5", "truncated-keras"])
def test_a_file_that_is_no_model_is_named(tmp_path, make, fragment):
    """A file that is no model, or a damaged one, gets a message saying what it is."""
    path = tmp_path / "model.h5"
    make(path)
    with pytest.raises(BadInput, match=fragment):
        identify(str(path))


def test_weights_only_h5_asks_for_the_code(tmp_path):
    """An .h5 that save_weights wrote asks for module:function --weights."""
    path = tmp_path / "w.h5"
    with h5py.File(path, "w") as file:
        file.attrs["layer_names"] = [b"lstm"]
    with pytest.raises(BadInput, match="module:function --weights"):
        identify(str(path))


def test_writer_read_from_the_file(tmp_path):
    """An .h5's keras_version and backend say who wrote it."""
    path = tmp_path / "m.h5"
    with h5py.File(path, "w") as file:
        file.attrs.update({"model_config": json.dumps(_functional(INPUT)), "keras_version": "2.11.0",
                           "backend": "tensorflow"})
    assert (identify(str(path)).keras_version, identify(str(path)).era) == ("2.11.0", 2)


@pytest.mark.parametrize("argv", [["nowhere.h5"], ["pkg.mod:build"], ["specs/saved_models/keras2/page_lstm/model.h5",
                                                                      "--to", "no-such-side"]],
                         ids=["missing", "code-without-weights", "unknown-side"])
def test_check_bad_input_exits_2(argv, capsys):
    """check exits 2 with a message on a missing file, code without weights, an unknown side."""
    assert check.main(argv, progress=lambda line: None) == 2
    assert "suite.py check:" in capsys.readouterr().err


def test_migrate_refuses_an_existing_out(tmp_path, capsys):
    """migrate writes nothing over an existing OUT unless --force."""
    out = tmp_path / "m.keras"
    out.write_text("mine")
    assert migrate_command.main(["specs/saved_models/keras2/page_lstm/model.h5", str(out)]) == 2
    assert "exists" in capsys.readouterr().err and out.read_text() == "mine"


def _token_model():
    from lstm_spec.models.keras_under_test import keras

    tokens = keras.Input(shape=(None,), dtype="int32")
    return keras.Model(tokens, keras.layers.LSTM(2)(keras.layers.Embedding(7, 3)(tokens)))


def test_seeded_input_follows_the_input_spec():
    """A None time axis gets the stated default, and an Embedding's integer input stays below its input_dim."""
    from lstm_spec.own_model.probe import DEFAULT_BATCH, DEFAULT_STEPS, seeded_input

    tokens, = seeded_input(_token_model())
    assert tokens.shape == (DEFAULT_BATCH, DEFAULT_STEPS) and tokens.dtype.kind == "i"
    assert 0 <= tokens.min() and tokens.max() < 7


@pytest.mark.parametrize(("shapes", "fragment"), [
    ([(2, 9, 1)], "an array of shape (2, 9, 1) where the model takes (None, None)"),
    ([(2, 9), (2, 9)], "holds 2 arrays, but the model takes 1 inputs"),
    (None, "is not an .npz of arrays"),
], ids=["rank", "count", "not-npz"])
def test_given_input_that_does_not_fit_is_named(tmp_path, shapes, fragment):
    """--input of the wrong rank, count of arrays, or no .npz at all is bad input, saying which."""
    import numpy as np

    from lstm_spec.own_model.probe import given_input

    path = tmp_path / "x.npz"
    if shapes is None:
        path.write_text("{}")
    else:
        np.savez(path, *[np.zeros(shape, np.int32) for shape in shapes])
    with pytest.raises(BadInput, match=re.escape(fragment)):
        given_input(path, _token_model())


def test_sequential_without_input_layer_gets_one():
    """Keras 2.3-era Sequential keeps batch_input_shape on its first layer; migrate puts it in an InputLayer first."""
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "LSTM", "config": {"name": "lstm", "units": 5, "batch_input_shape": [None, 128, 3],
                                          "time_major": False}}]}}
    result = rewrite(config)
    first, lstm = result.config["config"]["layers"]
    assert first == {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 128, 3], "name": "lstm_input",
                                                            "dtype": "float32"}}
    assert "batch_input_shape" not in lstm["config"]
    assert "InputLayer added from the first layer's batch_input_shape" in [change.what for change in result.changes]


def test_a_side_is_made_once_by_nox_install_only(monkeypatch, tmp_path):
    """A side's environment is made by `nox --install-only` for its session, stamped, and then reused as it is."""
    from lstm_spec.own_model import environments

    monkeypatch.setattr(environments, "_envdir", lambda side: tmp_path)
    side = environments.side_named("keras2")
    calls = []

    def make(command, **options):
        calls.append(command)
        python = tmp_path / "keras2" / "bin" / "python"
        python.parent.mkdir(parents=True, exist_ok=True)
        python.touch()
        return environments.subprocess.CompletedProcess(command, 0, "")

    monkeypatch.setattr(environments.subprocess, "run", make)
    assert environments.ensure(side, progress=lambda line: None) == tmp_path / "keras2" / "bin" / "python"
    environments.ensure(side, progress=lambda line: None)
    [command] = calls
    assert command[command.index("--install-only") + 1:command.index("--install-only") + 3] == ["--sessions", "keras2"]
