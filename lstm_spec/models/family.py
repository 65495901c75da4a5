"""Seeded models of the wider recurrent family (Bidirectional, stacked, masked, stateful, ConvLSTM1D),
described as data so that a run is cached like ``run_recurrent`` and its repro is the code that
built it.

``Layer.of("Bidirectional", LSTMConfig(5, return_state=True), merge_mode="sum")`` is one layer;
``Chain((Layer.of("Masking"), LSTMConfig(5)))`` is ``keras.Input`` through those layers in order.
A layer argument may itself be a ``Layer`` or a ``RecurrentConfig``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lstm_spec.models import compat
from lstm_spec.models.builders import DATA_SEED, SEED, fresh_keras, make_inputs, to_numpy
from lstm_spec.models.configs import PAGE_DIMS, InputDims, RecurrentConfig
from lstm_spec.models.keras_under_test import keras
from lstm_spec.models.observe import cached_run

# The family's specs run on the page's input and one point that differs from it on every axis:
# the full INPUT_GRID would multiply their cost without documenting more.
FAMILY_DIMS = (PAGE_DIMS, InputDims(batch=3, seq_len=4, features=1))
# Token ids drawn for integer (Embedding) inputs are 1 .. TOKENS-1; 0 is left for padding.
TOKENS = 10


@dataclass(frozen=True)
class Layer:
    """One Keras layer as data: its name in ``keras.layers`` and its arguments."""

    name: str
    args: tuple = ()
    kwargs: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, name: str, *args, **kwargs) -> "Layer":
        return cls(name, args, tuple(sorted(kwargs.items())))

    def build(self) -> keras.layers.Layer:
        return getattr(keras.layers, self.name)(
            *map(_build, self.args), **{name: _build(value) for name, value in self.kwargs}
        )

    def code(self) -> str:
        arguments = [_code(value) for value in self.args]
        arguments += [f"{name}={_code(value)}" for name, value in self.kwargs]
        return f"keras.layers.{self.name}({', '.join(arguments)})"

    def __str__(self) -> str:
        arguments = [str(value) for value in self.args]
        arguments += [f"{name}={value if isinstance(value, (Layer, RecurrentConfig)) else repr(value)}"
                      for name, value in self.kwargs]
        return f"{self.name}({','.join(arguments)})"


def _build(value):
    if isinstance(value, Layer):
        return value.build()
    if isinstance(value, RecurrentConfig):
        return getattr(keras.layers, value.layer)(**value.kwargs())
    return value


def _code(value) -> str:
    if isinstance(value, Layer):
        return value.code()
    if isinstance(value, RecurrentConfig):
        arguments = ", ".join(f"{name}={argument!r}" for name, argument in value.kwargs().items())
        return f"keras.layers.{value.layer}({arguments})"
    return repr(value)


@dataclass(frozen=True)
class Chain:
    """A functional model as data: ``keras.Input`` through ``layers`` one after another.

    ``fixed_batch`` builds the input with ``batch_shape`` (what a stateful layer needs);
    ``tokens`` makes the input integer token ids (what an ``Embedding`` first layer needs).
    """

    layers: tuple
    fixed_batch: bool = False
    tokens: bool = False

    def input_code(self, shape: tuple) -> str:
        if self.fixed_batch:
            return f"keras.Input(batch_shape={shape})"
        dtype = ', dtype="int32"' if self.tokens else ""
        return f"keras.Input(shape={shape[1:]}{dtype})"

    def __str__(self) -> str:
        return " -> ".join(map(str, self.layers))


@dataclass(frozen=True)
class ChainRun:
    """One chain built with the suite's seed and called on seeded data."""

    chain: Chain
    dims: object  # anything with .shape: InputDims, or ShapeDims for other ranks
    model: keras.Model
    inputs: np.ndarray
    outputs: object  # an array, or a tuple/list of arrays, exactly as the model returned them

    @property
    def layer(self):
        """The chain's last layer (the built Keras layer object)."""
        return self.model.layers[-1]

    def __str__(self) -> str:
        return f"{self.chain} on input {tuple(self.dims.shape)}"

    def repro(self) -> str:
        return chain_repro(self.chain, self.dims)


@dataclass(frozen=True)
class ShapeDims:
    """An input shape of any rank with its axes named, printed as an id: ``batch=2-seq=9-rows=6-channels=3``."""

    shape: tuple[int, ...]
    names: tuple[str, ...]

    def __str__(self) -> str:
        return "-".join(f"{name}={size}" for name, size in zip(self.names, self.shape))


def chain_inputs(chain: Chain, dims, seed: int = DATA_SEED) -> np.ndarray:
    """Seeded data for the chain's input: standard-normal floats, or token ids 1..TOKENS-1."""
    if chain.tokens:
        return np.random.default_rng(seed).integers(1, TOKENS, size=dims.shape).astype(np.int32)
    return make_inputs(dims, seed)


def chain_model(chain: Chain, dims, seed: int = SEED) -> keras.Model:
    """The chain as a functional model with seeded weights (never cached: use it for stateful chains)."""
    fresh_keras(seed)
    shape = tuple(dims.shape)
    if chain.fixed_batch:
        inputs = keras.Input(batch_shape=shape)
    else:
        inputs = keras.Input(shape=shape[1:], dtype="int32" if chain.tokens else None)
    outputs = inputs
    for layer in chain.layers:
        outputs = _build(layer)(outputs)
    return keras.Model(inputs, outputs)


@cached_run
def run_chain(chain: Chain, dims, seed: int = SEED) -> ChainRun:
    """Builds ``chain_model`` and calls it on ``chain_inputs`` (cached per chain and dims)."""
    if chain.fixed_batch:
        raise ValueError(
            f"run_chain caches models, but {chain} has a fixed batch (a stateful chain), whose state "
            "would carry from one spec to the next; build it with chain_model() in each spec instead"
        )
    model = chain_model(chain, dims, seed)
    inputs = chain_inputs(chain, dims)
    return ChainRun(chain, dims, model, inputs, to_numpy(model(inputs, training=False)))


def chain_repro(chain: Chain, dims, seed: int = SEED) -> str:
    """A snippet that rebuilds the chain outside the suite and prints its output shapes."""
    shape = tuple(dims.shape)
    if chain.tokens:
        data = f"np.random.default_rng({DATA_SEED}).integers(1, {TOKENS}, size={shape}).astype('int32')"
    else:
        data = f"np.random.default_rng({DATA_SEED}).normal(size={shape}).astype('float32')"
    return "\n".join([
        compat.repro_imports(),
        f"keras.utils.set_random_seed({seed})",
        f"x = {data}",
        f"inputs = outputs = {chain.input_code(shape)}",
        *(f"outputs = {_code(layer)}(outputs)" for layer in chain.layers),
        "model = keras.Model(inputs, outputs)",
        "out = model(x)",
        compat.repro_print_shapes(),
    ])


@lru_cache(maxsize=None)
def built_layer(config: RecurrentConfig, dims, seed: int = SEED) -> keras.layers.Layer:
    """The layer of ``config`` built (weights created, seeded) for input ``dims``, without a model or a call."""
    fresh_keras(seed)
    layer = _build(config)
    layer.build((None, *tuple(dims.shape)[1:]))
    return layer
