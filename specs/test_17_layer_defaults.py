"""17. The layers' defaults: tanh, sigmoid gates, Glorot/orthogonal/zero initializers, unit_forget_bias, reset_after, forwards, unmasked outputs kept.

Each default is pinned by name, for every layer class the specs build (``LAYERS`` of
``lstm_spec.checks.layer_defaults``; a run that builds a class missing there fails, naming it), so
an upgrade that changes one fails here, naming it, instead of showing up as drifting numbers or
shapes. Where the eras differ the value is a table keyed by ``KERAS_ERA``, with a ``"tf-keras"`` cell where
tf-keras 2.21 differs from Keras 2.15 (``lstm_spec.models.era.for_this_era``). The oracle
(``lstm_spec.checks.oracle``) has the same defaults, and a layer built with no options computes
what the oracle computes with none.
"""

import inspect
from functools import lru_cache

import pytest

from lstm_spec.checks import oracle
from lstm_spec.checks.assertions import assert_matches_oracle
from lstm_spec.checks.layer_defaults import LAYERS
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, RecurrentConfig
from lstm_spec.models.era import TF_KERAS, for_this_era
from lstm_spec.models.keras_under_test import keras
from lstm_spec.models.pinned import pinned_run

# Per Keras era: ConvLSTM1D's gate activation (Keras 2 kept the old hard_sigmoid), and the
# recurrent layers' time_major, which only Keras 2 has (specs/test_06).
CONV_LSTM_RECURRENT_ACTIVATION = {2: "hard_sigmoid", 3: "sigmoid"}
TIME_MAJOR = {2: {"time_major": False}, 3: {}}
# InputLayer's optional (whether the input may be None): Keras 3 has it, and tf-keras took it (2.21 here); Keras 2.15
# has no such argument.
INPUT_OPTIONAL = {2: {}, 3: {"optional": False}, TF_KERAS: {"optional": False}}
INITIALIZED = {"kernel_initializer": "GlorotUniform", "bias_initializer": "Zeros"}
RETURNS = {"return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False,
           "unroll": False}
COMMON = {
    "activation": "tanh",
    "use_bias": True,
    **INITIALIZED,
    "recurrent_initializer": "Orthogonal",
    "dropout": 0.0,
    "recurrent_dropout": 0.0,
    **RETURNS,
    "zero_output_for_mask": False,
    **for_this_era(TIME_MAJOR),
}
CONVOLVED = {"strides": (1,), "padding": "valid", "data_format": "channels_last", "dilation_rate": (1,)}
DOCUMENTED_DEFAULTS = {
    "LSTM": {**COMMON, "recurrent_activation": "sigmoid", "unit_forget_bias": True},
    "GRU": {**COMMON, "recurrent_activation": "sigmoid", "reset_after": True},
    "SimpleRNN": COMMON,
    "Bidirectional": {"merge_mode": "concat"},
    "Conv1D": {**CONVOLVED, "groups": 1, "activation": "linear", "use_bias": True, **INITIALIZED},
    "MaxPooling1D": {"pool_size": (2,), "strides": (2,), "padding": "valid", "data_format": "channels_last"},
    "Flatten": {"data_format": "channels_last"},
    "Dense": {"activation": "linear", "use_bias": True, **INITIALIZED},
    "Masking": {"mask_value": 0.0},
    "Embedding": {"mask_zero": False, "embeddings_initializer": "RandomUniform"},
    "ConvLSTM1D": {**CONVOLVED, "activation": "tanh",
                   "recurrent_activation": for_this_era(CONV_LSTM_RECURRENT_ACTIVATION), "use_bias": True,
                   **INITIALIZED, "recurrent_initializer": "Orthogonal", "unit_forget_bias": True,
                   "dropout": 0.0, "recurrent_dropout": 0.0, **RETURNS},
    "InputLayer": {"dtype": "float32", "sparse": False, **for_this_era(INPUT_OPTIONAL)},
}
# Layers with no option to default: the arguments they take, all required.
NO_OPTIONS = {"TimeDistributed": ("layer",), "Reshape": ("target_shape",)}
DEFAULTS = [(layer, option, value) for layer, defaults in DOCUMENTED_DEFAULTS.items()
            for option, value in defaults.items()]
RECURRENT = ("LSTM", "GRU", "SimpleRNN")


@lru_cache(maxsize=None)
def built_with_defaults(layer: str):
    """``LAYERS[layer]``: the layer made with only its required arguments, once for all its options."""
    return LAYERS[layer](keras.layers)


def default_of(layer: str, option: str):
    """What ``layer`` built with only its required arguments has for ``option``: a function's name, an
    initializer's class name, else the value."""
    value = getattr(built_with_defaults(layer), option)
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
    assert value == actual, f"keras.layers.{layer}(...).{option} is {actual!r}, but the documented default is {value!r}"


@pytest.mark.parametrize("layer, arguments", NO_OPTIONS.items(), ids=list(NO_OPTIONS))
def test_layer_has_no_option_to_default(layer, arguments):
    """The layer takes only its required arguments (and the base layer's keywords): no option whose default could change."""
    parameters = inspect.signature(getattr(keras.layers, layer).__init__).parameters
    actual = tuple(name for name, parameter in parameters.items()
                   if name != "self" and parameter.kind is not inspect.Parameter.VAR_KEYWORD)
    assert arguments == actual, f"keras.layers.{layer} takes {actual}, documented: {arguments} (pin any new option's default)"


def test_every_layer_the_specs_build_is_pinned_here():
    """The layers pinned here are exactly the classes the specs build (``LAYERS``; a run fails naming a class built but not listed)."""
    assert sorted(LAYERS) == sorted([*DOCUMENTED_DEFAULTS, *NO_OPTIONS])


IMPLEMENTED = [(layer, option, value) for layer, option, value in DEFAULTS
               if layer in RECURRENT and option in {"activation", "recurrent_activation", "use_bias", "reset_after", "return_sequences",
                             "return_state", "go_backwards", "zero_output_for_mask"}]


@pytest.mark.parametrize("layer, option, value", IMPLEMENTED, ids=[f"{layer}.{option}={value}" for layer, option, value in IMPLEMENTED])
def test_oracle_default_is_the_documented_one(layer, option, value):
    """The oracle defaults each option it implements to the documented value, so a call that leaves it out means the default."""
    assert value == oracle_default(layer, option)


@pytest.mark.parametrize("layer", RECURRENT, ids=str)
def test_layer_with_no_options_computes_the_oracle_defaults(layer):
    """``<layer>(5)`` with pinned weights gives what the oracle gives when no option is passed."""
    run = pinned_run(RecurrentConfig(layer, PAGE_UNITS), PAGE_DIMS)
    expected = oracle.forward(layer, run.inputs, run.weights)
    assert_matches_oracle(run.outputs, expected, run, run.repro())
