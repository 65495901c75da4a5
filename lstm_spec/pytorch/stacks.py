"""The stacks the PyTorch specs build on both sides, run, and compare in PyTorch's layout.

``Stack("LSTM", 5, num_layers=2, bidirectional=True)`` is, in Keras, two
``Bidirectional(LSTM(5, return_sequences=True, return_state=True))`` called one after the other,
and in PyTorch ``torch.nn.LSTM(features, 5, num_layers=2, bidirectional=True)``.  A ``PairRun``
holds one stack run on both sides with the same weights: Keras' pinned weights converted to
PyTorch (``keras_to_torch_run``), or PyTorch's seeded initial weights converted to Keras
(``torch_to_keras_run``).  Both sides' results are put in PyTorch's layout (``StackOutputs``):
the sequence batch-major ``(batch, seq, directions*units)``, ``h_n`` (and ``c_n``)
``(num_layers*directions, batch, units)`` indexed ``layer*directions + direction``; the NumPy
oracle's reading of the same weights (``oracle_outputs``) too, for the three-way check.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lstm_spec.checks import oracle
from lstm_spec.models.builders import fresh_keras, make_inputs, to_numpy
from lstm_spec.models.configs import INPUT_GRID, PAGE_DIMS, PAGE_UNITS, UNITS_GRID, InputDims
from lstm_spec.models.keras_under_test import keras
from lstm_spec.models.observe import cached_run
from lstm_spec.models.pinned import WEIGHT_SEED, pinned_weights
from lstm_spec.pytorch import convert

TORCH_SEED = 2024  # torch.manual_seed before a PyTorch module draws its own initial weights
STATE_COUNT = {"LSTM": 2, "GRU": 1}  # (h, c) or (h,) per direction
# Every layer returns its sequence and states, so the whole stack can be compared, h_n included.
EVERY_OUTPUT = dict(return_sequences=True, return_state=True)


@dataclass(frozen=True)
class Stack:
    """A stack of recurrent layers as PyTorch describes it: kind, width, depth, directions."""

    layer: str
    units: int
    num_layers: int = 1
    bidirectional: bool = False

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    def cell_count(self) -> int:
        return self.num_layers * self.directions

    def with_units(self, units: int) -> "Stack":
        return replace(self, units=units)

    def keras_layers(self) -> list:
        """The Keras layers, unbuilt: each returns its sequence and its states."""
        def one():
            return getattr(keras.layers, self.layer)(self.units, **EVERY_OUTPUT)

        return [keras.layers.Bidirectional(one()) if self.bidirectional else one() for _ in range(self.num_layers)]

    def keras_code(self) -> str:
        """The Keras calls, as a person writes them."""
        cell = f"{self.layer}({self.units}, return_sequences=True, return_state=True)"
        one = f"Bidirectional({cell})" if self.bidirectional else cell
        return one if self.num_layers == 1 else f"{self.num_layers} x {one}"

    def torch_code(self, features: int, *, batch_first: bool = True) -> str:
        options = [f"num_layers={self.num_layers}"] * (self.num_layers > 1)
        options += ["bidirectional=True"] * self.bidirectional + ["batch_first=True"] * batch_first
        return f"nn.{self.layer}({', '.join([str(features), str(self.units), *options])})"

    def __str__(self) -> str:
        options = [f"units={self.units}"] + [f"num_layers={self.num_layers}"] * (self.num_layers > 1)
        options += ["bidirectional=True"] * self.bidirectional
        return f"{self.layer}({','.join(options)})"


STACKS = tuple(Stack(layer, PAGE_UNITS, num_layers, bidirectional)
               for layer in ("LSTM", "GRU") for bidirectional in (False, True) for num_layers in (1, 2))


def stack_points(stack: Stack) -> list[tuple[Stack, InputDims]]:
    """``stack`` at every width of UNITS_GRID on the page's input, then at its own width on every
    other input of INPUT_GRID (each axis of the grid in full, as ``pinned.grid_points``)."""
    return ([(stack.with_units(units), PAGE_DIMS) for units in UNITS_GRID]
            + [(stack, dims) for dims in INPUT_GRID if dims != PAGE_DIMS])


@dataclass(frozen=True)
class StackOutputs:
    """A stack's results in PyTorch's layout, as NumPy arrays."""

    sequence: np.ndarray  # (batch, seq, directions*units), batch-major
    h_n: np.ndarray  # (num_layers*directions, batch, units)
    c_n: np.ndarray | None = None  # LSTM only, shaped as h_n

    def arrays(self) -> list[np.ndarray]:
        return [self.sequence, self.h_n] + ([self.c_n] if self.c_n is not None else [])


def _layout_states(layer: str, states_per_cell: list[list[np.ndarray]]) -> dict:
    """h_n (and c_n) stacked from each cell's final states, cells in PyTorch's order."""
    stacked = {"h_n": np.stack([states[0] for states in states_per_cell])}
    if layer == "LSTM":
        stacked["c_n"] = np.stack([states[1] for states in states_per_cell])
    return stacked


def keras_outputs(stack: Stack, layers, inputs: np.ndarray) -> tuple[StackOutputs, list]:
    """The Keras layers called one after the other on ``inputs``: the results in PyTorch's layout,
    and what the last layer returned, as Keras returns it."""
    count = STATE_COUNT[stack.layer]
    sequence, cells, returned = inputs, [], None
    for layer in layers:
        returned = to_numpy(layer(sequence, training=False))
        sequence, states = returned[0], list(returned[1:])
        cells += [states[direction * count:(direction + 1) * count] for direction in range(stack.directions)]
    return StackOutputs(sequence, **_layout_states(stack.layer, cells)), returned


def torch_outputs(module, inputs: np.ndarray, *, batch_first: bool = True) -> tuple[StackOutputs, object]:
    """The PyTorch module on batch-major ``inputs`` (transposed to time-major for ``batch_first=False``):
    the results in PyTorch's layout, and what the module returned, as tensors."""
    import torch

    data = torch.from_numpy(np.array(inputs))
    with torch.no_grad():
        returned = module(data if batch_first else data.transpose(0, 1))
    output, hidden = returned
    output = output if batch_first else output.transpose(0, 1)
    states = hidden if isinstance(hidden, tuple) else (hidden,)
    arrays = [tensor.numpy() for tensor in (output, *states)]
    return StackOutputs(*arrays), returned


def oracle_outputs(stack: Stack, inputs: np.ndarray, cell_weights) -> StackOutputs:
    """The NumPy oracle's reading of the stack: each layer's forward direction over time, the backward
    one with ``go_backwards`` (its sequence turned back into time order), concatenated as input to
    the next layer.  ``cell_weights``: each cell's Keras weights, in PyTorch's cell order."""
    options = {"reset_after": True} if stack.layer == "GRU" else {}
    sequence, cells = np.asarray(inputs, dtype=np.float64), []
    weights = iter(cell_weights)
    for _ in range(stack.num_layers):
        halves = []
        for direction in range(stack.directions):
            result = oracle.forward(stack.layer, sequence, next(weights), go_backwards=direction == 1,
                                    **EVERY_OUTPUT, **options)
            halves.append(result[0][:, ::-1] if direction else result[0])
            cells.append(result[1:])
        sequence = np.concatenate(halves, axis=-1)
    return StackOutputs(sequence, **_layout_states(stack.layer, cells))


def _cells(layers) -> list:
    return [cell for layer in layers for cell in convert.directional_layers(layer)]


def built_keras_layers(stack: Stack, dims: InputDims) -> list:
    """``stack.keras_layers()`` built for ``dims`` (after ``fresh_keras``), weights as initialized."""
    fresh_keras()
    layers = stack.keras_layers()
    for level, layer in enumerate(layers):
        width = dims.features if level == 0 else stack.directions * stack.units
        layer.build((None, dims.seq_len, width))
    return layers


def weight_shapes(named_weights) -> tuple[tuple[str, tuple], ...]:
    """(name, shape) of each (name, array, tensor or variable)."""
    return tuple((name, tuple(int(size) for size in value.shape)) for name, value in named_weights)


@dataclass(frozen=True)
class PairRun:
    """One stack run in Keras and in PyTorch with the same weights (converted from ``source``)."""

    stack: Stack
    dims: InputDims
    source: str  # "Keras" (pinned weights, converted to PyTorch) or "PyTorch" (its seeded initial weights)
    inputs: np.ndarray
    keras: StackOutputs
    torch: StackOutputs
    keras_returned: tuple[tuple[int, ...], ...]  # shapes of what the last Keras layer returned
    torch_returned: str  # shapes of PyTorch's (output, h_n) or (output, (h_n, c_n))
    cell_weights: tuple[tuple[np.ndarray, ...], ...]  # each cell's Keras weights, PyTorch's cell order
    keras_weights: tuple[tuple[str, tuple], ...]  # Keras weight paths and shapes
    torch_weights: tuple[tuple[str, tuple], ...]  # state_dict names and shapes
    module: object  # the PyTorch module (batch_first=True)

    @property
    def target(self) -> str:
        return "PyTorch" if self.source == "Keras" else "Keras"

    def expected(self) -> StackOutputs:
        """The NumPy oracle's reading of the same weights and inputs."""
        return oracle_outputs(self.stack, self.inputs, self.cell_weights)

    def __str__(self) -> str:
        return f"{self.stack} on input {self.dims.shape}, {self.source} weights converted to {self.target}"

    def repro(self) -> str:
        builder = "keras_to_torch_run" if self.source == "Keras" else "torch_to_keras_run"
        return "\n".join([
            f"from lstm_spec.pytorch.stacks import Stack, {builder}",
            "from lstm_spec.models.configs import InputDims",
            f"run = {builder}({self.stack!r}, {self.dims!r})",
            "print(run.keras, run.torch)",
        ])


def _pair(stack: Stack, dims: InputDims, source: str, layers, module, inputs) -> PairRun:
    keras_result, returned = keras_outputs(stack, layers, inputs)
    torch_result, torch_returned = torch_outputs(module, inputs)
    output, hidden = torch_returned
    hidden_shapes = (f"({tuple(hidden[0].shape)}, {tuple(hidden[1].shape)})" if isinstance(hidden, tuple)
                     else str(tuple(hidden.shape)))
    return PairRun(
        stack, dims, source, inputs, keras_result, torch_result,
        tuple(tuple(array.shape) for array in returned), f"({tuple(output.shape)}, {hidden_shapes})",
        tuple(tuple(to_numpy(cell.get_weights())) for cell in _cells(layers)),
        keras_weight_shapes(layers), weight_shapes(module.state_dict().items()), module,
    )


def keras_weight_shapes(layers) -> tuple[tuple[str, tuple], ...]:
    """Every weight of the layers by path (Keras 2 calls it ``name``) and shape."""
    return weight_shapes((getattr(weight, "path", None) or weight.name, weight)
                         for layer in layers for weight in layer.weights)


@cached_run
def keras_to_torch_run(stack: Stack, dims: InputDims) -> PairRun:
    """The Keras stack with pinned weights (seed WEIGHT_SEED + cell index), converted to PyTorch."""
    layers = built_keras_layers(stack, dims)
    for index, cell in enumerate(_cells(layers)):
        cell.set_weights(pinned_weights([weight.shape for weight in cell.get_weights()], WEIGHT_SEED + index))
    module = convert.keras_to_torch(layers)
    return _pair(stack, dims, "Keras", layers, module, make_inputs(dims))


def seeded_torch_module(stack: Stack, features: int, *, batch_first: bool = True, seed: int = TORCH_SEED, **options):
    """``torch.nn.<layer>`` of ``stack`` reading ``features``, its initial weights drawn after ``torch.manual_seed(seed)``."""
    import torch

    torch.manual_seed(seed)
    module = getattr(torch.nn, stack.layer)(features, stack.units, num_layers=stack.num_layers,
                                            bidirectional=stack.bidirectional, batch_first=batch_first, **options)
    return module.eval()


@cached_run
def torch_to_keras_run(stack: Stack, dims: InputDims) -> PairRun:
    """The PyTorch module with its seeded initial weights (two non-zero biases), converted to Keras."""
    module = seeded_torch_module(stack, dims.features)
    layers = built_keras_layers(stack, dims)
    convert.torch_to_keras(module, layers)
    return _pair(stack, dims, "PyTorch", layers, module, make_inputs(dims))


def assert_outputs_agree(actual: StackOutputs, expected: StackOutputs, context, repro: str | None = None) -> None:
    """Output sequence, h_n and c_n of two sides agree within the suite's tolerance (``oracle.RTOL``/``ATOL``)."""
    __tracebackhide__ = True
    from lstm_spec.checks.assertions import assert_close, assert_count

    assert_count("arrays", len(actual.arrays()), len(expected.arrays()), context, repro)
    for name, got, want in zip(("output", "h_n", "c_n"), actual.arrays(), expected.arrays()):
        assert_close(name, got, want, context, repro, rtol=oracle.RTOL, atol=oracle.ATOL)
