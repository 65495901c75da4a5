"""The forward pass of SimpleRNN, LSTM and GRU in NumPy float64, written from the documented equations.

This is the suite's independent oracle: the specs check that Keras computes these numbers. It is
written from the equations (Keras' documentation, the LSTM and GRU papers), not from Keras' code
paths, and it takes every option as an explicit argument with the documented default. It never
reads an option from the Keras layer under test: if it did, a changed Keras default would change
both sides of the comparison and pass unnoticed.

Weights are passed as ``layer.get_weights()`` returns them, ``[kernel, recurrent_kernel, bias]``
(``bias`` left out when ``use_bias=False``); the gate blocks sit side by side in the columns in
Keras' order (``GATE_ORDER``). The page's formula ``h_t = act(x_t U + h_{t-1} W + b)`` (kernel U,
recurrent kernel W) is the SimpleRNN cell; LSTM and GRU compute several such blocks and combine
them through gates.
"""

from __future__ import annotations

import inspect

import numpy as np

# The one tolerance between Keras and the oracle. Keras computes in float32 (resolution 1.2e-7),
# the oracle in float64; over every grid point and option the two differ by at most 3.2e-7
# (measured, TensorFlow 2.21 on CPU). The suite's float32 tolerance, |keras - oracle| <=
# 1e-6 + 1e-5*|oracle|, keeps a 3x margin above that, while a swapped gate or a misplaced bias
# moves values by 1e-2 and more.
RTOL = 1e-5
ATOL = 1e-6

ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
}
# Keras' column order of the gate blocks in kernel, recurrent kernel and bias.
GATE_ORDER = {"SimpleRNN": ("h",), "LSTM": ("i", "f", "c", "o"), "GRU": ("z", "r", "h")}


def activation(name: str):
    """The NumPy function of an activation name."""
    if name not in ACTIVATIONS:
        raise ValueError(f"the oracle has no activation {name!r}; use one of {sorted(ACTIVATIONS)} "
                         f"(or add its formula to ACTIVATIONS in {__name__})")
    return ACTIVATIONS[name]


def gate_blocks(matrix, layer: str) -> dict[str, np.ndarray]:
    """The gate blocks of a kernel, recurrent kernel or bias, by gate name (split along the last axis)."""
    gates = GATE_ORDER[layer]
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape[-1] % len(gates):
        raise ValueError(f"{layer} weights have {len(gates)} gate blocks, but the last axis of a "
                         f"{matrix.shape} array does not split into {len(gates)} equal parts")
    return dict(zip(gates, np.split(matrix, len(gates), axis=-1)))


def _unpack(weights, layer: str, use_bias: bool, bias_shape) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """kernel, recurrent kernel and bias (zeros of ``bias_shape`` when ``use_bias=False``)."""
    expected = 3 if use_bias else 2
    if len(weights) != expected:
        raise ValueError(f"{layer}(use_bias={use_bias}) has {expected} weights "
                         f"[kernel, recurrent_kernel{', bias' if use_bias else ''}], got {len(weights)}")
    kernel, recurrent_kernel = (np.asarray(w, dtype=np.float64) for w in weights[:2])
    bias = np.asarray(weights[2], dtype=np.float64) if use_bias else np.zeros(bias_shape(kernel.shape[-1]))
    return kernel, recurrent_kernel, bias


def simple_rnn_step(weights, *, activation_name="tanh", use_bias=True):
    """The SimpleRNN cell, the page's formula: ``h_t = act(x_t U + h_{t-1} W + b)``."""
    U, W, b = _unpack(weights, "SimpleRNN", use_bias, lambda width: (width,))
    act = activation(activation_name)

    def step(x, states):
        (h,) = states
        h = act(x @ U + h @ W + b)
        return h, (h,)

    return step, (W.shape[0],)


def lstm_step(weights, *, activation_name="tanh", recurrent_activation="sigmoid", use_bias=True):
    """The LSTM cell: four SimpleRNN-like blocks, three of them gates.

    ``i, f, o = ract(x U_g + h W_g + b_g)`` for g in i, f, o; candidate ``g = act(x U_c + h W_c + b_c)``;
    ``c_t = f*c_{t-1} + i*g``; ``h_t = o*act(c_t)``.
    """
    U, W, b = (gate_blocks(w, "LSTM") for w in _unpack(weights, "LSTM", use_bias, lambda width: (width,)))
    act, ract = activation(activation_name), activation(recurrent_activation)

    def step(x, states):
        h, c = states
        pre = {gate: x @ U[gate] + h @ W[gate] + b[gate] for gate in GATE_ORDER["LSTM"]}
        i, f, o = ract(pre["i"]), ract(pre["f"]), ract(pre["o"])
        c = f * c + i * act(pre["c"])
        h = o * act(c)
        return h, (h, c)

    units = W["i"].shape[0]
    return step, (units, units)


def gru_step(weights, *, activation_name="tanh", recurrent_activation="sigmoid", use_bias=True, reset_after=True):
    """The GRU cell, gates z (update) and r (reset), candidate hh; ``h_t = z*h_{t-1} + (1-z)*hh``.

    ``reset_after=True`` (bias shape ``(2, 3*units)``: input bias, then recurrent bias) applies the
    reset gate after the recurrent matmul, ``hh = act(x U_h + b_h + r*(h W_h + b'_h))``;
    ``reset_after=False`` (bias ``(3*units,)``) before it, ``hh = act(x U_h + (r*h) W_h + b_h)``.
    """
    bias_shape = (lambda width: (2, width)) if reset_after else (lambda width: (width,))
    kernel, recurrent_kernel, bias = _unpack(weights, "GRU", use_bias, bias_shape)
    if reset_after and bias.shape[:1] != (2,):
        raise ValueError(f"GRU(reset_after=True) has a bias of shape (2, 3*units), got {bias.shape}")
    U, W = gate_blocks(kernel, "GRU"), gate_blocks(recurrent_kernel, "GRU")
    b_in, b_rec = (gate_blocks(bias[0], "GRU"), gate_blocks(bias[1], "GRU")) if reset_after else (
        gate_blocks(bias, "GRU"), {gate: 0.0 for gate in GATE_ORDER["GRU"]})
    act, ract = activation(activation_name), activation(recurrent_activation)

    def step(x, states):
        (h,) = states
        z = ract(x @ U["z"] + b_in["z"] + h @ W["z"] + b_rec["z"])
        r = ract(x @ U["r"] + b_in["r"] + h @ W["r"] + b_rec["r"])
        if reset_after:
            hh = act(x @ U["h"] + b_in["h"] + r * (h @ W["h"] + b_rec["h"]))
        else:
            hh = act(x @ U["h"] + b_in["h"] + (r * h) @ W["h"])
        h = z * h + (1.0 - z) * hh
        return h, (h,)

    return step, (W["z"].shape[0],)


def run_cell(step, state_widths, inputs, *, return_sequences=False, return_state=False, go_backwards=False,
             initial_state=None, mask=None, zero_output_for_mask=False):
    """Runs ``step`` over the time axis of ``inputs`` (batch, time, features), as Keras' RNN layer does.

    ``go_backwards`` processes the steps last to first, and the output sequence comes in that
    processing order. At a step where ``mask`` (batch, time) is False the state is carried over
    unchanged and the output is the previous step's output (zeros with ``zero_output_for_mask``).
    Returns the output (last step, or every step with ``return_sequences``), then with
    ``return_state`` the final states: ``[output, h]`` or ``[output, h, c]``.
    """
    inputs = np.asarray(inputs, dtype=np.float64)
    batch, steps = inputs.shape[:2]
    mask = np.ones((batch, steps), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != (batch, steps):
        raise ValueError(f"mask must have shape (batch, time) = {(batch, steps)}, got {mask.shape}")
    if initial_state is None:
        states = tuple(np.zeros((batch, width)) for width in state_widths)
    else:
        states = tuple(np.asarray(state, dtype=np.float64) for state in initial_state)
        if len(states) != len(state_widths):
            raise ValueError(f"initial_state needs {len(state_widths)} arrays (one per state), got {len(states)}")
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    output = np.zeros((batch, state_widths[0]))
    outputs = []
    for t in order:
        keep = mask[:, t, None]
        new_output, new_states = step(inputs[:, t], states)
        states = tuple(np.where(keep, new, old) for new, old in zip(new_states, states))
        output = np.where(keep, new_output, 0.0 if zero_output_for_mask else output)
        outputs.append(output)
    result = np.stack(outputs, axis=1) if return_sequences else outputs[-1]
    return [result, *states] if return_state else result


STEPS = {"SimpleRNN": simple_rnn_step, "LSTM": lstm_step, "GRU": gru_step}
_SEQUENCE_OPTIONS = ("return_sequences", "return_state", "go_backwards", "zero_output_for_mask")
# Options that by their documentation must not change the values: they choose how Keras computes
# (unrolled, or a cuDNN or fused kernel), not what.
VALUE_NEUTRAL_OPTIONS = ("unroll", "use_cudnn")


def forward(layer: str, inputs, weights, *, initial_state=None, mask=None, units=None, **options):
    """The output of ``keras.layers.<layer>(units, **options)`` with ``weights`` on ``inputs``.

    ``options`` are the layer's keyword arguments, each stated explicitly by the caller; any the
    oracle does not implement is an error, so an unsupported option can never be silently ignored.
    """
    if layer not in STEPS:
        raise ValueError(f"the oracle knows {sorted(STEPS)}, not {layer!r}")
    sequence_options = {name: options.pop(name) for name in _SEQUENCE_OPTIONS if name in options}
    for name in VALUE_NEUTRAL_OPTIONS:
        options.pop(name, None)
    if "activation" in options:
        options["activation_name"] = options.pop("activation")
    implemented = set(inspect.signature(STEPS[layer]).parameters) - {"weights"}
    unknown = sorted(set(options) - implemented)
    if unknown:
        raise ValueError(f"the oracle's {layer} does not implement {unknown}; it implements "
                         f"{sorted(implemented | set(_SEQUENCE_OPTIONS) | set(VALUE_NEUTRAL_OPTIONS))} "
                         f"(activation is passed as activation_name)")
    step, state_widths = STEPS[layer](weights, **options)
    if units is not None and units != state_widths[0]:
        raise ValueError(f"units={units}, but the recurrent kernel is for {state_widths[0]} units")
    return run_cell(step, state_widths, inputs, initial_state=initial_state, mask=mask, **sequence_options)
