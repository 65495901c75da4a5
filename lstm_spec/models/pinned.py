"""Recurrent layers run with pinned weights: values that depend on the math alone.

A pinned run builds ``keras.layers.<layer>(**config)``, replaces its weights with ``set_weights``
by numbers drawn from a NumPy Generator with a fixed seed, and calls it on the suite's fixed
inputs. Nothing comes from Keras' random stream, so the outputs must be the same on every
TensorFlow/Keras version (within float32 tolerance): they are what the oracle and the ``pinned``
snapshots check. Optionally the call gets ``mask=pinned_mask(dims)`` and an ``initial_state``
drawn from another fixed Generator.

The layer is called directly, ``layer(x)``: a functional ``Model`` around it computes the same
numbers (``specs/test_14`` checks ``model.predict`` and the seeded LSTM grid ``model(x)``) at three
times the cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_spec.models import compat
from lstm_spec.checks import oracle
from lstm_spec.models.builders import DATA_SEED, fresh_keras, make_inputs, to_numpy
from lstm_spec.models.configs import INPUT_GRID, PAGE_DIMS, PAGE_UNITS, UNITS_GRID, InputDims, RecurrentConfig
from lstm_spec.models.era import for_this_era
from lstm_spec.models.keras_under_test import keras
from lstm_spec.models.observe import cached_run

WEIGHT_SEED = 1234
STATE_SEED = 1235
BIAS_LIMIT = 0.5
STATE_COUNT = {"LSTM": 2}  # [h, c]; every other layer has the single state h
# The repro's initial_state argument: Keras 2's eager layer call refuses NumPy states (spec 31), so its
# snippet makes them tensors (compat.repro_imports() imports tensorflow as tf there); Keras 3 takes them.
SNIPPET_STATES = {2: "[tf.convert_to_tensor(state) for state in states]", 3: "states"}

_EVERY_OUTPUT = dict(return_sequences=True, return_state=True)
# The four cells at the page's width, returning everything they can (the sequence and the states).
PAGE_CELLS = (
    RecurrentConfig("LSTM", PAGE_UNITS).with_options(**_EVERY_OUTPUT),
    RecurrentConfig("GRU", PAGE_UNITS).with_options(reset_after=True, **_EVERY_OUTPUT),
    RecurrentConfig("GRU", PAGE_UNITS).with_options(reset_after=False, **_EVERY_OUTPUT),
    RecurrentConfig("SimpleRNN", PAGE_UNITS).with_options(**_EVERY_OUTPUT),
)


def pinned_weights(shapes, seed: int = WEIGHT_SEED) -> list[np.ndarray]:
    """float32 weights of ``shapes`` (kernel, recurrent kernel[, bias]) from ``default_rng(seed)``.

    Kernels are uniform in +-1/sqrt(rows), so pre-activations stay of order one at every width
    (no saturated gates, no runaway relu); biases are uniform in +-0.5, non-zero so their layout
    is checked too.
    """
    rng = np.random.default_rng(seed)
    weights = []
    for index, shape in enumerate(shapes):
        limit = 1 / np.sqrt(shape[0]) if index < 2 else BIAS_LIMIT
        weights.append(rng.uniform(-limit, limit, size=tuple(shape)).astype(np.float32))
    return weights


def pinned_mask(dims: InputDims) -> np.ndarray:
    """Which steps count (batch, time): every third step is masked, shifted by one per sample, so
    samples differ and masked steps fall in the middle and at the end (at the start from sample 2 on)."""
    batch, steps = np.indices((dims.batch, dims.seq_len))
    return (batch + steps) % 3 != 2


def pinned_initial_state(layer: str, dims: InputDims, units: int, seed: int = STATE_SEED) -> list[np.ndarray]:
    """One float32 (batch, units) array per state of ``layer``, standard normal from ``default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(dims.batch, units)).astype(np.float32) for _ in range(STATE_COUNT.get(layer, 1))]


@dataclass(frozen=True)
class PinnedRun:
    """One layer with pinned weights called on fixed inputs, and everything the oracle needs to redo it."""

    config: RecurrentConfig
    dims: InputDims
    inputs: np.ndarray
    mask: np.ndarray | None
    initial_state: list | None
    weights: tuple[np.ndarray, ...]
    outputs: object

    def expected(self):
        """The oracle's output for this run: the config's options passed explicitly, nothing read from Keras."""
        return oracle.forward(self.config.layer, self.inputs, self.weights, mask=self.mask,
                              initial_state=self.initial_state, **self.config.kwargs())

    def __str__(self) -> str:
        extras = [name for name, used in (("masked", self.mask is not None),
                                          ("initial_state", self.initial_state is not None)) if used]
        return " ".join([f"{self.config} on input {self.dims.shape}", *(f"with {name}" for name in extras)])

    def repro(self) -> str:
        """A snippet that rebuilds this run outside the suite."""
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.config.kwargs().items())
        batch, steps, features = self.dims.shape
        call = ["x"]
        lines = [
            compat.repro_imports(),
            f"x = np.random.default_rng({DATA_SEED}).normal(size={self.dims.shape}).astype('float32')",
            f"layer = keras.layers.{self.config.layer}({arguments})",
            f"layer.build((None, {steps}, {features}))",
            f"rng = np.random.default_rng({WEIGHT_SEED})",
            f"limits = [1 / np.sqrt(w.shape[0]) for w in layer.get_weights()[:2]] + [{BIAS_LIMIT}]",
            "layer.set_weights([rng.uniform(-limit, limit, size=w.shape).astype('float32')",
            "                   for limit, w in zip(limits, layer.get_weights())])",
        ]
        if self.mask is not None:
            lines.append(f"mask = np.indices(({batch}, {steps})).sum(0) % 3 != 2")
            call.append("mask=mask")
        if self.initial_state is not None:
            lines += [f"rng = np.random.default_rng({STATE_SEED})",
                      f"states = [rng.normal(size=({batch}, {self.config.units})).astype('float32') "
                      f"for _ in range({len(self.initial_state)})]"]
            call.append(f"initial_state={for_this_era(SNIPPET_STATES)}")
        lines.append(f"out = layer({', '.join(call)})")
        return "\n".join(lines)


def grid_points(config: RecurrentConfig) -> list[tuple[RecurrentConfig, InputDims]]:
    """``config`` at every width of UNITS_GRID on the page's input, then at its own width on every
    other input of INPUT_GRID: each axis of the grid in full, at half the runs of the product."""
    return ([(config.with_options(units=units), PAGE_DIMS) for units in UNITS_GRID]
            + [(config, dims) for dims in INPUT_GRID if dims != PAGE_DIMS])


@dataclass(frozen=True)
class PinnedCase:
    """A layer configuration plus what the call gets beyond the input: a mask, an initial state."""

    config: RecurrentConfig
    masked: bool = False
    initial_state: bool = False

    def run(self, dims: InputDims) -> PinnedRun:
        return pinned_run(self.config, dims, masked=self.masked, initial_state=self.initial_state)

    def __str__(self) -> str:
        return "+".join([str(self.config), *(name for name in ("masked", "initial_state") if getattr(self, name))])


def option_cases(config: RecurrentConfig) -> list[PinnedCase]:
    """``config`` with each option the oracle implements beyond the return pair: the option fixtures."""
    activations = {"activation": "relu"}
    if config.layer != "SimpleRNN":  # SimpleRNN has no gates, so no recurrent_activation
        activations["recurrent_activation"] = "tanh"
    return [
        PinnedCase(config.with_options(go_backwards=True)),
        PinnedCase(config.with_options(unroll=True)),
        PinnedCase(config.with_options(**activations)),
        PinnedCase(config.with_options(use_bias=False)),
        PinnedCase(config, initial_state=True),
        PinnedCase(config, masked=True),
        PinnedCase(config.with_options(zero_output_for_mask=True), masked=True),
        PinnedCase(config.with_options(zero_output_for_mask=True, return_sequences=False), masked=True),
        PinnedCase(config.with_options(go_backwards=True), masked=True),
    ]


def call_with_weights(config: RecurrentConfig, dims: InputDims, weights, *, mask=None, initial_state=None):
    """``config`` built for ``dims``, given ``weights`` (a function of the layer's weight shapes, or a
    list) with ``set_weights``, and called on ``make_inputs(dims)``: (inputs, weights, outputs) as NumPy."""
    fresh_keras()
    inputs = make_inputs(dims)
    inputs.setflags(write=False)
    layer = getattr(keras.layers, config.layer)(**config.kwargs())
    layer.build((None, dims.seq_len, dims.features))
    layer.set_weights(weights([weight.shape for weight in layer.get_weights()]) if callable(weights) else weights)
    outputs = to_numpy(layer(inputs, mask=mask, initial_state=compat.state_tensors(initial_state), training=False))
    return inputs, tuple(to_numpy(layer.get_weights())), outputs


@cached_run
def pinned_run(config: RecurrentConfig, dims: InputDims, *, masked: bool = False,
               initial_state: bool = False) -> PinnedRun:
    """``config`` given ``pinned_weights`` and called on ``make_inputs(dims)`` (cached)."""
    mask = pinned_mask(dims) if masked else None
    states = pinned_initial_state(config.layer, dims, config.units) if initial_state else None
    inputs, weights, outputs = call_with_weights(config, dims, pinned_weights, mask=mask, initial_state=states)
    return PinnedRun(config, dims, inputs, mask, states, weights, outputs)
