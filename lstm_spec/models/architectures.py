"""The page's three composite models (sections 7, 8 and 9), built exactly as the page writes them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_spec.models import observe
from lstm_spec.models.builders import SEED, fresh_keras, to_numpy
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, InputDims
from lstm_spec.models.keras_under_test import keras

layers = keras.layers


def cnn_lstm(dims: InputDims = PAGE_DIMS, units: int = PAGE_UNITS, seed: int = SEED) -> keras.Model:
    """Section 7: Conv1D(2, 2, padding="same") -> MaxPooling1D(padding="same") -> LSTM(units)."""
    fresh_keras(seed)
    inputs = keras.Input(shape=(dims.seq_len, dims.features))
    cnn = layers.Conv1D(filters=2, kernel_size=2, padding="same")(inputs)
    max_pool = layers.MaxPooling1D(padding="same")(cnn)
    return keras.Model(inputs, layers.LSTM(units)(max_pool))


def subsequence_lstm(
    dims: InputDims = PAGE_DIMS, units: int = PAGE_UNITS, sub_sequences: int = 3, seed: int = SEED
) -> keras.Model:
    """Section 8: the sequence cut into sub-sequences, a TimeDistributed CNN on each, then LSTM."""
    fresh_keras(seed)
    time_steps = dims.seq_len // sub_sequences
    inputs = keras.Input(shape=(dims.seq_len, dims.features))
    reshape = layers.Reshape(target_shape=(sub_sequences, time_steps, dims.features))(inputs)
    cnn = layers.TimeDistributed(layers.Conv1D(filters=2, kernel_size=2, padding="same"))(reshape)
    max_pool = layers.TimeDistributed(layers.MaxPooling1D(padding="same"))(cnn)
    flatten = layers.TimeDistributed(layers.Flatten())(max_pool)
    return keras.Model(inputs, layers.LSTM(units)(flatten))


def lstm_cnn(dims: InputDims = PAGE_DIMS, units: int = PAGE_UNITS, seed: int = SEED) -> keras.Model:
    """Section 9: LSTM(return_sequences=True) feeding Conv1D(64, 2, relu) -> MaxPooling1D(2) -> Flatten."""
    fresh_keras(seed)
    inputs = keras.Input(shape=(dims.seq_len, dims.features))
    lstm_outputs = layers.LSTM(units, return_sequences=True)(inputs)
    conv1 = layers.Conv1D(filters=64, kernel_size=2, activation="relu")(lstm_outputs)
    max1d1 = layers.MaxPooling1D(pool_size=2)(conv1)
    return keras.Model(inputs, layers.Flatten()(max1d1))


def summary_text(model: keras.Model, line_length: int = 80) -> str:
    """``model.summary()`` as one string, at a fixed width so it does not follow the terminal."""
    lines: list[str] = []
    model.summary(line_length=line_length, print_fn=lambda line, *args, **kwargs: lines.append(line))
    return "\n".join(lines)


@dataclass(frozen=True)
class ModelRun:
    """A composite model called on data: what the shape reference page records of it."""

    name: str  # how the specs name the model: "cnn_lstm()"
    model: keras.Model
    inputs: np.ndarray
    outputs: object

    def __str__(self) -> str:
        return f"{self.name} on input {tuple(self.inputs.shape)}"


def call_model(name: str, model: keras.Model, data: np.ndarray, *, predict: bool = False):
    """``model(data)`` (or ``model.predict(data)``) as NumPy, reported to the shape page as ``name``."""
    outputs = to_numpy(model.predict(data, verbose=0) if predict else model(data, training=False))
    observe.report(ModelRun(name, model, data, outputs))
    return outputs
