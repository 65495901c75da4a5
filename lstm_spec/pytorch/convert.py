"""Keras ``LSTM``/``GRU`` weights to a ``torch.nn.LSTM``/``torch.nn.GRU`` state_dict, and back.

A Keras stack is a list of recurrent layers (one layer is a stack of one), each an ``LSTM`` or a
``GRU``, alone or in ``Bidirectional(merge_mode="concat")``; every layer but the last returns
sequences.  It maps onto one PyTorch module with ``num_layers=len(stack)``: layer k, direction d
(0 forward, 1 backward) holds

    weight_ih_l{k}[_reverse]   (gates*units, input)   Keras kernel, transposed
    weight_hh_l{k}[_reverse]   (gates*units, units)   Keras recurrent kernel, transposed
    bias_ih_l{k}[_reverse]     (gates*units,)         Keras bias (GRU: its input row)
    bias_hh_l{k}[_reverse]     (gates*units,)         zeros for LSTM (Keras has one bias); GRU: its recurrent row

The gate blocks are in Keras' order i, f, c, o for LSTM, which is PyTorch's i, f, g, o; GRU's
z, r, h become PyTorch's r, z, n.  PyTorch's LSTM adds two biases where Keras has one, so back to
Keras they are summed; everything else maps one to one, so Keras -> PyTorch -> Keras restores the
weights exactly.  Keras' ``GRU(reset_after=False)`` applies the reset gate before the recurrent
matmul, which PyTorch's GRU cannot do; an LSTM with ``proj_size`` has no Keras counterpart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GATES = {"LSTM": ("i", "f", "c", "o"), "GRU": ("z", "r", "h")}  # Keras' column blocks
TORCH_GATES = {"LSTM": ("i", "f", "c", "o"), "GRU": ("r", "z", "h")}  # PyTorch's row blocks (g, n are c, h)
SUPPORTED = "LSTM or GRU, alone or in Bidirectional(merge_mode='concat')"
# The options PyTorch's modules fix; a Keras layer with another value computes something else.
FIXED_OPTIONS = {"activation": "tanh", "recurrent_activation": "sigmoid", "go_backwards": False,
                 "unroll": False, "stateful": False}


class ConversionError(ValueError):
    """Weights that cannot be converted, with what does not fit and what would."""


@dataclass(frozen=True)
class StackLayout:
    """What a stack is, read from either side: the PyTorch module's constructor arguments."""

    layer: str  # "LSTM" or "GRU"
    input_size: int
    hidden_size: int
    num_layers: int
    bidirectional: bool
    bias: bool

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    def input_width(self, level: int) -> int:
        """What layer ``level`` reads: the data's features, then the previous layer's (concatenated) output."""
        return self.input_size if level == 0 else self.directions * self.hidden_size

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        """The state_dict of the PyTorch module: name -> shape, in the module's order."""
        rows = len(GATES[self.layer]) * self.hidden_size
        shapes = {}
        for level in range(self.num_layers):
            for direction in range(self.directions):
                suffix = parameter_suffix(level, direction)
                shapes[f"weight_ih{suffix}"] = (rows, self.input_width(level))
                shapes[f"weight_hh{suffix}"] = (rows, self.hidden_size)
                if self.bias:
                    shapes[f"bias_ih{suffix}"] = (rows,)
                    shapes[f"bias_hh{suffix}"] = (rows,)
        return shapes


def parameter_suffix(level: int, direction: int) -> str:
    return f"_l{level}" + ("_reverse" if direction else "")


def reorder_blocks(matrix: np.ndarray, order_from, order_to, axis: int = -1) -> np.ndarray:
    """``matrix``'s gate blocks along ``axis`` moved from ``order_from`` to ``order_to``."""
    blocks = dict(zip(order_from, np.split(matrix, len(order_from), axis=axis)))
    return np.concatenate([blocks[gate] for gate in order_to], axis=axis)


# ----------------------------------------------------------------------------------------------
# Reading a Keras stack


def _name(layer) -> str:
    return type(layer).__name__


def directional_layers(layer) -> list:
    """The recurrent layers one Keras layer holds: [itself], or a Bidirectional's [forward, backward]."""
    if _name(layer) == "Bidirectional":
        if layer.merge_mode != "concat":
            raise ConversionError(f"Bidirectional(merge_mode={layer.merge_mode!r}) cannot be converted: PyTorch "
                                  "concatenates the two directions; use merge_mode='concat'")
        return [layer.forward_layer, layer.backward_layer]
    return [layer]


def _check_cell(cell, wrapped: bool, backward: bool) -> None:
    kind = _name(cell)
    if kind not in GATES:
        raise ConversionError(f"{kind} cannot be converted to PyTorch: only {SUPPORTED} has a torch.nn counterpart")
    config = cell.get_config()
    fixed = {**FIXED_OPTIONS, "go_backwards": backward}
    for option, value in fixed.items():
        if config.get(option, value) != value:
            where = "a Bidirectional's backward layer" if wrapped and backward else f"{kind}"
            raise ConversionError(f"{where} with {option}={config[option]!r} cannot be converted: torch.nn.{kind} "
                                  f"computes {option}={value!r}")
    if kind == "GRU" and not config["reset_after"]:
        raise ConversionError("GRU(reset_after=False) has no PyTorch equivalent: torch.nn.GRU applies the reset gate "
                              "after the recurrent matmul, which is Keras' GRU(reset_after=True) (the default); "
                              "rebuild the Keras layer with reset_after=True")
    if not cell.weights:
        raise ConversionError(f"{kind}(units={cell.units}) has no weights yet: build it first "
                              "(call it on data, or layer.build((None, seq_len, features)))")


def keras_layout(stack) -> tuple[StackLayout, list[list]]:
    """The layout of a Keras stack (a layer or a list of layers) and its recurrent layers by level
    and direction; a ConversionError says what cannot be converted."""
    stack = list(stack) if isinstance(stack, (list, tuple)) else [stack]
    if not stack:
        raise ConversionError(f"the Keras stack is empty: pass a layer or a list of layers ({SUPPORTED})")
    levels = [directional_layers(layer) for layer in stack]
    for level in levels:
        for direction, cell in enumerate(level):
            _check_cell(cell, wrapped=len(level) == 2, backward=direction == 1)
    first = levels[0][0]
    for index, (layer, level) in enumerate(zip(stack, levels)):
        cell = level[0]
        if (_name(cell), len(level)) != (_name(first), len(levels[0])):
            raise ConversionError(f"layer {index} is {_name(layer)}({_name(cell)}) but layer 0 is "
                                  f"{_name(stack[0])}({_name(first)}): one torch.nn module holds one kind, "
                                  "all bidirectional or none")
        if cell.units != first.units:
            raise ConversionError(f"layer {index} has units={cell.units} but layer 0 has units={first.units}: "
                                  "torch.nn modules have one hidden_size for every layer")
        if cell.use_bias != first.use_bias:
            raise ConversionError(f"layer {index} has use_bias={cell.use_bias} but layer 0 has "
                                  f"use_bias={first.use_bias}: torch.nn modules have one bias setting")
        if index < len(stack) - 1 and not cell.return_sequences:
            raise ConversionError(f"layer {index} of {len(stack)} has return_sequences=False, so the next layer "
                                  "cannot read its sequence: every layer of a stack but the last returns sequences")
    layout = StackLayout(_name(first), int(first.weights[0].shape[0]), first.units, len(levels),
                         len(levels[0]) == 2, bool(first.use_bias))
    for index, level in enumerate(levels):
        width = int(level[0].weights[0].shape[0])
        if width != layout.input_width(index):
            raise ConversionError(f"layer {index} reads {width} features, but after layer {index - 1} a stack "
                                  f"has {layout.input_width(index)}")
    return layout, levels


# ----------------------------------------------------------------------------------------------
# Keras -> PyTorch


def cell_to_torch(layer: str, weights, suffix: str) -> dict[str, np.ndarray]:
    """One Keras cell's ``get_weights()`` as PyTorch parameters named with ``suffix``."""
    move = lambda matrix: reorder_blocks(np.asarray(matrix), GATES[layer], TORCH_GATES[layer])  # noqa: E731
    kernel, recurrent_kernel, *bias = weights
    parameters = {f"weight_ih{suffix}": move(kernel).T, f"weight_hh{suffix}": move(recurrent_kernel).T}
    if bias:
        (bias,) = bias
        input_bias, recurrent_bias = (bias, np.zeros_like(bias)) if layer == "LSTM" else bias
        parameters[f"bias_ih{suffix}"] = move(input_bias)
        parameters[f"bias_hh{suffix}"] = move(recurrent_bias)
    return {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in parameters.items()}


def keras_to_state_dict(stack) -> tuple[StackLayout, dict[str, np.ndarray]]:
    """The layout of a Keras stack and its weights as the PyTorch module's state_dict (NumPy arrays)."""
    layout, levels = keras_layout(stack)
    state = {}
    for level, cells in enumerate(levels):
        for direction, cell in enumerate(cells):
            state.update(cell_to_torch(layout.layer, cell.get_weights(), parameter_suffix(level, direction)))
    return layout, state


def torch_module(layout: StackLayout, *, batch_first: bool = True):
    """An untrained ``torch.nn.LSTM``/``torch.nn.GRU`` of ``layout``."""
    import torch

    return getattr(torch.nn, layout.layer)(layout.input_size, layout.hidden_size, num_layers=layout.num_layers,
                                           bias=layout.bias, batch_first=batch_first,
                                           bidirectional=layout.bidirectional)


def keras_to_torch(stack, *, batch_first: bool = True):
    """A ``torch.nn.LSTM``/``torch.nn.GRU`` computing what the Keras stack computes."""
    import torch

    layout, state = keras_to_state_dict(stack)
    module = torch_module(layout, batch_first=batch_first)
    module.load_state_dict({name: torch.from_numpy(value) for name, value in state.items()})
    return module.eval()


# ----------------------------------------------------------------------------------------------
# PyTorch -> Keras


def torch_layout(module) -> StackLayout:
    """The layout of a ``torch.nn.LSTM``/``torch.nn.GRU``; another module is a ConversionError."""
    kind, package = _name(module), type(module).__module__
    from_torch = package.startswith("torch.nn.")
    if kind not in GATES or not from_torch:
        shown = f"torch.nn.{kind}" if from_torch else f"{package}.{kind}"
        raise ConversionError(f"{shown} cannot be converted to Keras: only torch.nn.LSTM and torch.nn.GRU have "
                              "a Keras counterpart")
    if getattr(module, "proj_size", 0):
        raise ConversionError(f"torch.nn.LSTM(proj_size={module.proj_size}) has no Keras equivalent: Keras' LSTM "
                              "has no projection of h; use proj_size=0")
    return StackLayout(kind, module.input_size, module.hidden_size, module.num_layers, module.bidirectional,
                       module.bias)


def _compare_layouts(source: StackLayout, target: StackLayout) -> None:
    names = {"layer": "layer", "input_size": "input_size (features)", "hidden_size": "hidden_size (units)",
             "num_layers": "num_layers (layers in the stack)", "bidirectional": "bidirectional", "bias": "bias (use_bias)"}
    for field, label in names.items():
        have, want = getattr(source, field), getattr(target, field)
        if have != want:
            raise ConversionError(f"the PyTorch module has {label}={have}, but the Keras stack needs {want}: "
                                  "build the two with the same sizes")


def _check_state_dict(state: dict, layout: StackLayout) -> None:
    expected = layout.expected_shapes()
    missing = [name for name in expected if name not in state]
    unexpected = [name for name in state if name not in expected]
    if missing or unexpected:
        raise ConversionError(f"the state_dict does not fit torch.nn.{layout.layer} of the Keras stack: "
                              f"missing {missing or 'nothing'}, unexpected {unexpected or 'nothing'}")
    for name, shape in expected.items():
        actual = tuple(np.shape(state[name]))
        if actual != shape:
            raise ConversionError(f"{name} has shape {actual}, but the Keras stack needs {shape} "
                                  f"({layout.layer} with units={layout.hidden_size}, reading {layout.input_width(0)} "
                                  "features)")


def cell_from_torch(layer: str, state: dict, suffix: str, bias: bool) -> list[np.ndarray]:
    """One direction of one PyTorch layer as a Keras cell's ``get_weights()`` list."""
    back = lambda matrix: reorder_blocks(np.asarray(matrix, dtype=np.float32), TORCH_GATES[layer], GATES[layer])  # noqa: E731
    weights = [back(np.asarray(state[f"weight_ih{suffix}"]).T), back(np.asarray(state[f"weight_hh{suffix}"]).T)]
    if bias:
        input_bias, recurrent_bias = back(state[f"bias_ih{suffix}"]), back(state[f"bias_hh{suffix}"])
        weights.append(input_bias + recurrent_bias if layer == "LSTM" else np.stack([input_bias, recurrent_bias]))
    return [np.ascontiguousarray(weight) for weight in weights]


def _as_numpy(state: dict) -> dict[str, np.ndarray]:
    return {name: value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)
            for name, value in state.items()}


def state_dict_to_keras(state: dict, stack) -> None:
    """Sets the Keras stack's weights from a PyTorch state_dict of its layout (names and shapes checked)."""
    layout, levels = keras_layout(stack)
    state = _as_numpy(state)
    _check_state_dict(state, layout)
    for level, cells in enumerate(levels):
        for direction, cell in enumerate(cells):
            cell.set_weights(cell_from_torch(layout.layer, state, parameter_suffix(level, direction), layout.bias))


def torch_to_keras(module, stack) -> None:
    """Sets the Keras stack's weights from a ``torch.nn.LSTM``/``torch.nn.GRU`` of the same layout."""
    source = torch_layout(module)
    target, _ = keras_layout(stack)
    _compare_layouts(source, target)
    state_dict_to_keras(module.state_dict(), stack)
