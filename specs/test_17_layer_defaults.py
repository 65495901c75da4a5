"""17. The layers' defaults: tanh, sigmoid gates, Glorot/orthogonal/zero initializers, unit_forget_bias, reset_after, forwards, unmasked outputs kept.

Each default is pinned by name, so an upgrade that changes one fails here, naming it, instead of
showing up as drifting numbers. The oracle (``lstm_spec.checks.oracle``) has the same defaults, and a
layer built with no options computes what the oracle computes with none.
"""

import inspect

import keras
import pytest

from lstm_spec.checks import oracle
from lstm_spec.checks.assertions import assert_matches_oracle
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, RecurrentConfig
from lstm_spec.models.pinned import pinned_run

COMMON = {
    "activation": "tanh",
    "use_bias": True,
    "kernel_initializer": "GlorotUniform",
    "recurrent_initializer": "Orthogonal",
    "bias_initializer": "Zeros",
    "dropout": 0.0,
    "recurrent_dropout": 0.0,
    "return_sequences": False,
    "return_state": False,
    "go_backwards": False,
    "stateful": False,
    "unroll": False,
    "zero_output_for_mask": False,
}
DOCUMENTED_DEFAULTS = {
    "LSTM": {**COMMON, "recurrent_activation": "sigmoid", "unit_forget_bias": True},
    "GRU": {**COMMON, "recurrent_activation": "sigmoid", "reset_after": True},
    "SimpleRNN": COMMON,
}
DEFAULTS = [(layer, option, value) for layer, defaults in DOCUMENTED_DEFAULTS.items()
            for option, value in defaults.items()]


def default_of(layer: str, option: str):
    """What ``keras.layers.<layer>(5)`` has for ``option``: a function's or initializer's class name, else the value."""
    value = getattr(getattr(keras.layers, layer)(PAGE_UNITS), option)
    if option.endswith("activation"):
        return value.__name__
    if option.endswith("initializer"):
        return type(value).__name__
    return value


def oracle_default(layer: str, option: str):
    """The default of ``option`` in the oracle's signature (its cell function, or the loop over time)."""
    parameters = {**inspect.signature(oracle.run_cell).parameters, **inspect.signature(oracle.STEPS[layer]).parameters}
    return parameters["activation_name" if option == "activation" else option].default


@pytest.mark.parametrize("layer, option, value", DEFAULTS, ids=[f"{layer}.{option}={value}" for layer, option, value in DEFAULTS])
def test_layer_default(layer, option, value):
    """The option's default is the documented value."""
    actual = default_of(layer, option)
    assert value == actual, f"keras.layers.{layer}(units).{option} is {actual!r}, but the documented default is {value!r}"


IMPLEMENTED = [(layer, option, value) for layer, option, value in DEFAULTS
               if option in {"activation", "recurrent_activation", "use_bias", "reset_after", "return_sequences",
                             "return_state", "go_backwards", "zero_output_for_mask"}]


@pytest.mark.parametrize("layer, option, value", IMPLEMENTED, ids=[f"{layer}.{option}={value}" for layer, option, value in IMPLEMENTED])
def test_oracle_default_is_the_documented_one(layer, option, value):
    """The oracle defaults each option it implements to the documented value, so a call that leaves it out means the default."""
    assert value == oracle_default(layer, option)


@pytest.mark.parametrize("layer", list(DOCUMENTED_DEFAULTS), ids=str)
def test_layer_with_no_options_computes_the_oracle_defaults(layer):
    """``<layer>(5)`` with pinned weights gives what the oracle gives when no option is passed."""
    run = pinned_run(RecurrentConfig(layer, PAGE_UNITS), PAGE_DIMS)
    expected = oracle.forward(layer, run.inputs, run.weights)
    assert_matches_oracle(run.outputs, expected, run, run.repro())
