"""Models of the shapes users bring to ``check`` and ``migrate`` that the saving catalog's files lack, saved by Keras 2.

    nox -s own_models -- keras2     writes specs/own_models/keras2/ (each model's .h5 and the manifest)

The saving catalog (``lstm_spec/saving/catalog.py``) is what every writer writes and every environment reads
(specs 41-45).  These are the Keras 2 files users report failing on Keras 3, written only by Keras 2 as the
``.h5`` users have, and read by ``specs/test_46_migrate.py`` and ``specs/test_47_check.py``:
``ConvLSTM2D`` with ``TimeDistributed(Dropout)``, ``TimeDistributed(Dense)`` after a GRU, ``SimpleRNN``, a
two-input functional model, ``Embedding`` integer inputs into ``Bidirectional``, names TensorFlow rejects as
op names, and a model compiled and trained one step (its optimizer state and training config in the file).
The manifest is the saving catalog's (``lstm_spec.saving.manifest``), written by the same ``write_folder``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lstm_spec.models.builders import DATA_SEED, SEED, fresh_keras
from lstm_spec.models.keras_under_test import keras
from lstm_spec.saving.catalog import SavedCase
from lstm_spec.saving.writers import ROOT, Writer

OWN_MODELS = ROOT / "specs" / "own_models"
BATCH, STEPS, FEATURES = 3, 6, 4
TOKENS = 20


def _sequences(shape=(BATCH, STEPS, FEATURES)) -> np.ndarray:
    return np.random.default_rng(DATA_SEED).normal(size=shape).astype(np.float32)


def conv_lstm2d_dropout():
    """ConvLSTM2D(3, 3, return_sequences=True) -> TimeDistributed(Dropout(0.2)) -> TimeDistributed(Flatten)."""
    fresh_keras(SEED)
    x = keras.Input(shape=(STEPS, 5, 5, 2))
    y = keras.layers.ConvLSTM2D(3, 3, return_sequences=True, recurrent_activation="sigmoid")(x)
    y = keras.layers.TimeDistributed(keras.layers.Dropout(0.2))(y)
    return keras.Model(x, keras.layers.TimeDistributed(keras.layers.Flatten())(y))


def gru_time_distributed_dense():
    """GRU(5, return_sequences=True) -> TimeDistributed(Dense(2))."""
    fresh_keras(SEED)
    x = keras.Input(shape=(STEPS, FEATURES))
    y = keras.layers.GRU(5, return_sequences=True)(x)
    return keras.Model(x, keras.layers.TimeDistributed(keras.layers.Dense(2))(y))


def simple_rnn_dense():
    """Sequential: SimpleRNN(5) -> Dense(1)."""
    fresh_keras(SEED)
    return keras.Sequential([keras.Input(shape=(STEPS, FEATURES)), keras.layers.SimpleRNN(5), keras.layers.Dense(1)])


def two_inputs():
    """A sequence into LSTM(5) and a vector into Dense(5), concatenated into Dense(1)."""
    fresh_keras(SEED)
    sequence, extra = keras.Input(shape=(STEPS, FEATURES), name="sequence"), keras.Input(shape=(3,), name="extra")
    joined = keras.layers.Concatenate()([keras.layers.LSTM(5)(sequence), keras.layers.Dense(5)(extra)])
    return keras.Model([sequence, extra], keras.layers.Dense(1)(joined))


def two_inputs_data() -> list[np.ndarray]:
    return [_sequences(), np.random.default_rng(DATA_SEED + 1).normal(size=(BATCH, 3)).astype(np.float32)]


def embedding_bidirectional():
    """Embedding(20, 4, mask_zero=True) on integer tokens -> Bidirectional(LSTM(3)) -> Dense(2)."""
    fresh_keras(SEED)
    tokens = keras.Input(shape=(STEPS,), dtype="int32")
    y = keras.layers.Embedding(TOKENS, FEATURES, mask_zero=True)(tokens)
    return keras.Model(tokens, keras.layers.Dense(2)(keras.layers.Bidirectional(keras.layers.LSTM(3))(y)))


def tokens_data() -> np.ndarray:
    tokens = np.random.default_rng(DATA_SEED).integers(1, TOKENS, size=(BATCH, STEPS)).astype(np.int32)
    tokens[0, 4:] = 0  # padding the mask drops
    return tokens


def unsafe_names():
    """Layers named "lstm>1" and "dense>out" in a model named "model>v1": Keras 2 saves them as they are."""
    fresh_keras(SEED)
    x = keras.Input(shape=(STEPS, FEATURES))
    y = keras.layers.LSTM(5, name="lstm>1")(x)
    return keras.Model(x, keras.layers.Dense(2, name="dense>out")(y), name="model>v1")


def compiled_and_trained():
    """LSTM(5) -> Dense(1), compiled with Adam and trained one step: optimizer state and training config saved."""
    fresh_keras(SEED)
    model = keras.Sequential([keras.Input(shape=(STEPS, FEATURES)), keras.layers.LSTM(5), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    data = _sequences()
    model.fit(data, np.ones((BATCH, 1), np.float32), epochs=1, batch_size=BATCH, verbose=0)
    return model


def _case(name: str, build, data=_sequences, input_names=()) -> SavedCase:
    return SavedCase(name, build.__doc__.split("\n")[0], build, data, input_names=input_names)


USER_CASES = {case.name: case for case in (
    _case("conv_lstm2d_dropout", conv_lstm2d_dropout, lambda: _sequences((BATCH, STEPS, 5, 5, 2))),
    _case("gru_time_distributed_dense", gru_time_distributed_dense),
    _case("simple_rnn_dense", simple_rnn_dense),
    _case("two_inputs", two_inputs, two_inputs_data, ("sequence", "extra")),
    _case("embedding_bidirectional", embedding_bidirectional, tokens_data),
    _case("unsafe_names", unsafe_names),
    _case("compiled_and_trained", compiled_and_trained),
)}


@dataclass(frozen=True)
class OwnModelsWriter(Writer):
    """A writer of ``specs/own_models/NAME/``: the saving catalog's writer, with its own folder and command."""

    @property
    def folder(self) -> Path:
        return OWN_MODELS / self.name

    @property
    def command(self) -> str:
        return f"nox -s own_models -- {self.name}"


OWN_MODEL_WRITERS = {writer.name: writer for writer in (
    OwnModelsWriter("keras2", "TF 2.15.1 / Keras 2.15: the users' shapes as the .h5 they have",
                    "requirements/keras2-lock.txt", cases=tuple(USER_CASES), formats=("keras2-h5",), folder_cases=()),
)}


def main(argv=None) -> int:
    from lstm_spec.saving.write_files import write_folder

    names = sys.argv[1:] if argv is None else argv
    if len(names) != 1 or names[0] not in OWN_MODEL_WRITERS:
        print(f"own_models: name one writer: {', '.join(OWN_MODEL_WRITERS)}", file=sys.stderr)
        return 2
    writer = OWN_MODEL_WRITERS[names[0]]
    folder = write_folder(writer, writer.folder, USER_CASES)
    print(f"wrote {folder} ({sum(p.stat().st_size for p in folder.rglob('*') if p.is_file())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
