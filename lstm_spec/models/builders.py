"""Seeded inputs, models and runs, built the way the page builds them.

Every builder starts from ``fresh_keras(seed)`` (clear the Keras session, seed Keras, NumPy and
Python), so what it returns depends on its arguments alone, never on which spec ran before.
That is what makes ``run_recurrent`` safe to cache: one forward pass per configuration and input
serves every spec that asks for it, in any order and in any xdist worker.  A layer's weights depend
on its configuration and the input's feature count, never on the batch or the sequence length, so
one seeded layer (``seeded_layer``) serves every input shape of that feature count: building a
layer and its first call cost more than a forward pass.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from lstm_spec.models import compat
from lstm_spec.models.configs import InputDims, RecurrentConfig
from lstm_spec.models.keras_under_test import keras
from lstm_spec.models.observe import cached_run

# The page's reset_graph(seed=313); any fixed number would do.
SEED = 313
DATA_SEED = 0


def fresh_keras(seed: int = SEED) -> None:
    """Clears Keras' global state (layer-name counters included) and seeds every generator
    (``keras.utils.set_random_seed``), keeping TensorFlow's compiled kernels (``compat.reset_keras``)."""
    compat.reset_keras(seed)


def make_inputs(dims: InputDims, seed: int = DATA_SEED) -> np.ndarray:
    """Standard-normal float32 data of shape (batch, seq_len, features), as the page draws it."""
    return np.random.default_rng(seed).normal(0.0, 1.0, size=dims.shape).astype(np.float32)


def to_numpy(structure):
    """Model outputs (a tensor, or a tuple/list of them) as read-only NumPy arrays, same nesting."""
    if isinstance(structure, (tuple, list)):
        return type(structure)(to_numpy(item) for item in structure)
    array = np.array(compat.convert_to_numpy(structure))
    array.setflags(write=False)
    return array


def recurrent_model(config: RecurrentConfig, dims: InputDims, seed: int = SEED) -> keras.Model:
    """``Model(Input(shape=(seq_len, features)), LSTM(**config)(inputs))`` with seeded weights
    (any recurrent layer: ``config.layer`` names it)."""
    fresh_keras(seed)
    inputs = keras.Input(shape=(dims.seq_len, dims.features))
    outputs = getattr(keras.layers, config.layer)(**config.kwargs())(inputs)
    return keras.Model(inputs, outputs)


@dataclass(frozen=True)
class RecurrentRun:
    """One configuration built and run: what the specs of that configuration look at."""

    config: RecurrentConfig
    dims: InputDims
    model: keras.Model
    inputs: np.ndarray
    outputs: object  # an array, or a tuple/list of arrays, exactly as the model returned them
    weights: tuple[np.ndarray, ...]

    @property
    def layer(self):
        return self.model.layers[-1]

    def __str__(self) -> str:
        return f"{self.config} on input {self.dims.shape}"

    def repro(self) -> str:
        """A snippet that rebuilds this case outside the suite."""
        return recurrent_repro(self.config, self.dims)


@functools.lru_cache(maxsize=None)
def seeded_layer(config: RecurrentConfig, features: int, seed: int = SEED):
    """``recurrent_model``'s layer, with the same seeded weights, built once per configuration and
    feature count: built for ``(None, None, features)``, it takes any batch and length (an unrolled
    layer too: Keras 2 checks the length when called, and each model's ``Input`` gives it)."""
    if dict(config.extra).get("stateful"):
        raise ValueError(f"{config} is stateful: its batch size is fixed, so one layer cannot serve every input "
                         "shape; build it for one input with lstm_spec.models.family.chain_model")
    fresh_keras(seed)
    layer = getattr(keras.layers, config.layer)(**config.kwargs())
    layer.build((None, None, features))
    return layer


@cached_run
def run_recurrent(config: RecurrentConfig, dims: InputDims, seed: int = SEED) -> RecurrentRun:
    """``recurrent_model`` called on ``make_inputs(dims)`` (cached per configuration and input); the
    model is ``seeded_layer``'s, around an ``Input(shape=(seq_len, features))``."""
    layer = seeded_layer(config, dims.features, seed)
    model_inputs = keras.Input(shape=(dims.seq_len, dims.features))
    model = keras.Model(model_inputs, layer(model_inputs))
    inputs = make_inputs(dims)
    outputs = call_seeded(model, config, inputs, seed)
    return RecurrentRun(config, dims, model, inputs, outputs, tuple(to_numpy(layer.get_weights())))


_SEEDED_CALLS: dict = {}


def call_seeded(model: keras.Model, config: RecurrentConfig, data: np.ndarray, seed: int = SEED):
    """``model(data, training=False)`` as read-only NumPy, for a model around ``seeded_layer(config, ...)``:
    computed once per configuration, seed and input (its shape and bytes).  Every such model wraps the same
    layer, so equal data gives equal outputs whichever model ran it: a sample of one run that is another
    run's whole input (``make_inputs`` draws the same stream) is not run twice."""
    data = np.asarray(data)
    key = (config, seed, data.shape, data.dtype.str, data.tobytes())
    if key not in _SEEDED_CALLS:
        _SEEDED_CALLS[key] = to_numpy(model(data, training=False))
    return _SEEDED_CALLS[key]


def recurrent_repro(config: RecurrentConfig, dims: InputDims, seed: int = SEED) -> str:
    arguments = ", ".join(f"{name}={value!r}" for name, value in config.kwargs().items())
    return "\n".join([
        compat.repro_imports(),
        f"keras.utils.set_random_seed({seed})",
        f"x = np.random.default_rng({DATA_SEED}).normal(size={dims.shape}).astype('float32')",
        f"inputs = keras.Input(shape=({dims.seq_len}, {dims.features}))",
        f"model = keras.Model(inputs, keras.layers.{config.layer}({arguments})(inputs))",
        "out = model.predict(x, verbose=0)",
        compat.repro_print_shapes(),
    ])
