"""36. Converting what has no counterpart: each mistake gets a `ConversionError` naming it.

``TOLD`` is the table: one row per thing the converter (``lstm_spec.pytorch.convert``) refuses,
with the part of the message that says what is wrong.  Keras' ``GRU(reset_after=False)`` applies
the reset gate before the recurrent matmul, which ``torch.nn.GRU`` cannot; an LSTM with
``proj_size`` has no Keras counterpart; a layer of another kind, a Bidirectional that does not
concatenate, an option PyTorch fixes (activation), a stack of mixed kinds or widths, and a
module or state_dict whose sizes differ from the Keras layers' are refused before any weight is
written.
"""

import pytest

from lstm_spec.pytorch import SKIP_REASON

torch = pytest.importorskip("torch", reason=SKIP_REASON)

from lstm_spec.models.keras_under_test import keras  # noqa: E402

from lstm_spec.checks.assertions import assert_raises  # noqa: E402
from lstm_spec.models.builders import fresh_keras  # noqa: E402
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS  # noqa: E402
from lstm_spec.pytorch import convert  # noqa: E402
from lstm_spec.pytorch.convert import ConversionError  # noqa: E402
from lstm_spec.pytorch.stacks import Stack, built_keras_layers, seeded_torch_module  # noqa: E402

DOCUMENTED_ON = "docs/keras-vs-pytorch.md"

UNITS, FEATURES = PAGE_UNITS, PAGE_DIMS.features


def built(layer, width: int = FEATURES):
    layer.build((None, PAGE_DIMS.seq_len, width))
    return layer


def keras_page_lstm(**options):
    return built(keras.layers.LSTM(UNITS, **options))


def torch_into_keras(module, stack=Stack("LSTM", UNITS)):
    convert.torch_to_keras(module, built_keras_layers(stack, PAGE_DIMS))


def state_dict_with(**changes):
    """The page LSTM's PyTorch state_dict with entries replaced (a value) or removed (None)."""
    state = dict(seeded_torch_module(Stack("LSTM", UNITS), FEATURES).state_dict())
    for name, value in changes.items():
        if value is None:
            del state[name]
        else:
            state[name] = value
    return state


def state_dict_into_keras(state):
    convert.state_dict_to_keras(state, built_keras_layers(Stack("LSTM", UNITS), PAGE_DIMS))


TOLD = {
    # the mistake: (what makes it, the key part of the message)
    "GRU(reset_after=False) to PyTorch": (
        lambda: convert.keras_to_torch(built(keras.layers.GRU(UNITS, reset_after=False))),
        "GRU(reset_after=False) has no PyTorch equivalent: torch.nn.GRU applies the reset gate after the recurrent "
        "matmul, which is Keras' GRU(reset_after=True)"),
    "SimpleRNN to PyTorch": (
        lambda: convert.keras_to_torch(built(keras.layers.SimpleRNN(UNITS))),
        "SimpleRNN cannot be converted to PyTorch: only LSTM or GRU, alone or in Bidirectional"),
    "Dense to PyTorch": (
        lambda: convert.keras_to_torch(built(keras.layers.Dense(UNITS))),
        "Dense cannot be converted to PyTorch"),
    "an empty stack": (lambda: convert.keras_to_torch([]), "the Keras stack is empty"),
    "an unbuilt layer": (
        lambda: convert.keras_to_torch(keras.layers.LSTM(UNITS)),
        "LSTM(units=5) has no weights yet: build it first"),
    "LSTM(activation='relu')": (
        lambda: convert.keras_to_torch(keras_page_lstm(activation="relu")),
        "LSTM with activation='relu' cannot be converted: torch.nn.LSTM computes activation='tanh'"),
    "LSTM(go_backwards=True) outside Bidirectional": (
        lambda: convert.keras_to_torch(keras_page_lstm(go_backwards=True)),
        "LSTM with go_backwards=True cannot be converted"),
    "Bidirectional(merge_mode='sum')": (
        lambda: convert.keras_to_torch(built(keras.layers.Bidirectional(keras.layers.LSTM(UNITS), merge_mode="sum"))),
        "Bidirectional(merge_mode='sum') cannot be converted: PyTorch concatenates the two directions"),
    "a stack of LSTM then GRU": (
        lambda: convert.keras_to_torch([keras_page_lstm(return_sequences=True), built(keras.layers.GRU(UNITS), UNITS)]),
        "layer 1 is GRU(GRU) but layer 0 is LSTM(LSTM): one torch.nn module holds one kind"),
    "a stack of widths 5 then 4": (
        lambda: convert.keras_to_torch([keras_page_lstm(return_sequences=True), built(keras.layers.LSTM(4), UNITS)]),
        "layer 1 has units=4 but layer 0 has units=5: torch.nn modules have one hidden_size for every layer"),
    "a stack whose first layer returns no sequence": (
        lambda: convert.keras_to_torch([keras_page_lstm(), built(keras.layers.LSTM(UNITS), UNITS)]),
        "layer 0 of 2 has return_sequences=False, so the next layer cannot read its sequence"),
    "nn.RNN to Keras": (
        lambda: torch_into_keras(torch.nn.RNN(FEATURES, UNITS)),
        "torch.nn.RNN cannot be converted to Keras: only torch.nn.LSTM and torch.nn.GRU"),
    "nn.GRU into a Keras LSTM": (
        lambda: torch_into_keras(torch.nn.GRU(FEATURES, UNITS)),
        "the PyTorch module has layer=GRU, but the Keras stack needs LSTM"),
    "nn.LSTM(proj_size=3) to Keras": (
        lambda: torch_into_keras(torch.nn.LSTM(FEATURES, UNITS, proj_size=3)),
        "torch.nn.LSTM(proj_size=3) has no Keras equivalent"),
    "hidden_size 6 into units 5": (
        lambda: torch_into_keras(torch.nn.LSTM(FEATURES, 6)),
        "the PyTorch module has hidden_size (units)=6, but the Keras stack needs 5"),
    "input_size 4 into 3 features": (
        lambda: torch_into_keras(torch.nn.LSTM(4, UNITS)),
        "the PyTorch module has input_size (features)=4, but the Keras stack needs 3"),
    "num_layers 2 into one layer": (
        lambda: torch_into_keras(torch.nn.LSTM(FEATURES, UNITS, num_layers=2)),
        "the PyTorch module has num_layers (layers in the stack)=2, but the Keras stack needs 1"),
    "bidirectional into one direction": (
        lambda: torch_into_keras(torch.nn.LSTM(FEATURES, UNITS, bidirectional=True)),
        "the PyTorch module has bidirectional=True, but the Keras stack needs False"),
    "a state_dict tensor of the wrong shape": (
        lambda: state_dict_into_keras(state_dict_with(weight_ih_l0=torch.zeros(4 * UNITS, 4))),
        "weight_ih_l0 has shape (20, 4), but the Keras stack needs (20, 3) (LSTM with units=5, reading 3 features)"),
    "a state_dict without bias_hh_l0": (
        lambda: state_dict_into_keras(state_dict_with(bias_hh_l0=None)),
        "missing ['bias_hh_l0'], unexpected nothing"),
    "a state_dict with an extra layer": (
        lambda: state_dict_into_keras(state_dict_with(weight_ih_l1=torch.zeros(4 * UNITS, UNITS))),
        "missing nothing, unexpected ['weight_ih_l1']"),
}


@pytest.mark.parametrize("mistake", list(TOLD))
def test_conversion_error_names_the_mistake(mistake):
    """Each mistake of TOLD raises ConversionError with its message, before any weight is written."""
    make, fragment = TOLD[mistake]
    fresh_keras()
    with assert_raises(ConversionError, fragment, mistake):
        make()
