"""Bad input: what goes wrong, and what you are told (the exception type and the key part of its message).

``TOLD`` is the table: one row per mistake users bring to the Keras and TensorFlow issue trackers,
one column per Keras era, each cell (exception type, the part of the message that tells you what
is wrong).  Below it, one trigger per row makes that mistake.  Some messages are clear (Keras
checks the input and names it); some are cryptic (the mistake surfaces deep inside a TensorFlow
op); a few mistakes pass silently at one step and fail only at the next.  All are pinned as they
are, so an upgrade that turns a clear error into a cryptic one, or any error into a silent wrong
answer, fails here.  The ``2:`` entries are Keras 2 (TensorFlow 2.15, ``nox -s keras2``), where four
of these mistakes were the way to do it (``ACCEPTED``) and NumPy arrays as ``initial_state`` of an
eager call are refused before anything else is checked.  A ``"jax"`` or ``"torch"`` cell is that
Keras 3 backend's own, where it differs from TensorFlow's (``lstm_spec.models.backend``): a mistake
that surfaces inside the engine names the engine's exception, and PyTorch accepts a third LSTM state.
A ``"tf-keras"`` cell is tf-keras's (Keras 2 on TensorFlow >= 2.16, ``nox -s tf-keras``) where it differs
from Keras 2.15's: only a message that names a class's module (``tf_keras.src...`` for ``keras.src...``).
"""

import numpy as np
import pytest
import tensorflow as tf

from lstm_spec.checks.assertions import assert_raises
from lstm_spec.models.builders import make_inputs
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, InputDims, LSTMConfig
from lstm_spec.models.backend import KERAS_BACKEND, column_for_this_run
from lstm_spec.models.era import KERAS_NAME, TF_KERAS
from lstm_spec.models.family import Chain, Layer, chain_model
from lstm_spec.models.keras_under_test import keras

UNITS_MUST_BE_POSITIVE = "Received an invalid value for argument `units`, expected a positive integer, got {}."
MATMUL_SHAPES = "Matrix size-incompatible: In[0]: {}, In[1]: {}"
JAX_DOT_SHAPES = "dot_general requires contracting dimensions to have the same shape, got ({},) and ({},)."
TORCH_MATMUL_SHAPES = "mat1 and mat2 shapes cannot be multiplied ({} and {})"
DENSE_NOT_DESERIALIZED = "<class 'keras.src.layers.core.dense.Dense'> could not be deserialized properly."
KERAS_2_NUMPY_STATE = "Unexpectedly found an instance of type `<class 'numpy.ndarray'>`. Expected a symbolic tensor instance."
ACCEPTED = "accepted: raises nothing"
BIDIRECTIONAL_NEEDS_AN_INSTANCE = ("Please initialize `Bidirectional` layer with a `tf.keras.layers.Layer` instance. "
                                   "Received: <class '{}.src.layers.rnn.lstm.LSTM'>")
STATEFUL_BATCH_2_GOT_3 = ("If an RNN is stateful, the batch size of the input sequences must be the same as the "
                          "batch size of the initial state. \n- Expected batch size: 2\n- Received batch size: 3")

TOLD = {
    # what goes wrong: {Keras era: (exception type, the key part of the message)}
    "2D input to an LSTM layer": {
        2: (ValueError, 'Input 0 of layer "lstm" is incompatible with the layer: expected ndim=3, found ndim=2. '
                        'Full shape received: (2, 9)'),
        3: (ValueError, "of layer 'lstm' is incompatible with the layer: expected ndim=3, found ndim=2. "
                        "Full shape received: (2, 9)")},
    "4D input to an LSTM layer": {
        2: (ValueError, "expected ndim=3, found ndim=4. Full shape received: (1, 2, 9, 3)"),
        3: (ValueError, "expected ndim=3, found ndim=4. Full shape received: (1, 2, 9, 3)")},
    "2D data into a model built for 3D": {
        2: (ValueError, "expected ndim=3, found ndim=2. Full shape received: (2, 9)"),
        3: (ValueError, "Expected shape (None, 9, 3), but input has incompatible shape (2, 9)"),
        "torch": (ValueError, "Expected shape (None, 9, 3), but input has incompatible shape torch.Size([2, 9])")},
    "more features than the model was built for": {
        2: (ValueError, 'Input 0 of layer "model" is incompatible with the layer: expected shape=(None, 9, 3), '
                        'found shape=(2, 9, 4)'),
        3: (ValueError, "of layer 'functional' is incompatible with the layer: expected shape=(None, 9, 3), "
                        "found shape=(2, 9, 4)")},
    "more features than a called layer was built for": {
        2: (ValueError, 'Input 0 of layer "lstm" is incompatible with the layer: expected shape=(None, None, 3), '
                        'found shape=(2, 9, 4)'),
        3: (tf.errors.InvalidArgumentError, MATMUL_SHAPES.format("[2,4]", "[3,20]")),
        "jax": (TypeError, JAX_DOT_SHAPES.format(4, 3)),
        "torch": (RuntimeError, TORCH_MATMUL_SHAPES.format("18x4", "3x20"))},
    "units=0": {
        2: (ValueError, UNITS_MUST_BE_POSITIVE.format(0)),
        3: (ValueError, UNITS_MUST_BE_POSITIVE.format(0))},
    "negative units": {
        2: (ValueError, UNITS_MUST_BE_POSITIVE.format(-1)),
        3: (ValueError, UNITS_MUST_BE_POSITIVE.format(-1))},
    "units given as a string": {
        2: (TypeError, "'<=' not supported between instances of 'str' and 'int'"),
        3: (TypeError, "'<=' not supported between instances of 'str' and 'int'")},
    "text instead of numbers": {
        2: (tf.errors.UnimplementedError, "Cast string to float is not supported"),
        3: (ValueError, "could not convert string to float: np.str_('a')"),
        "torch": (ValueError, "Invalid dtype: str32")},
    "one initial state tensor for an LSTM": {
        2: (ValueError, "An `initial_state` was passed that is not compatible with `cell.state_size`."),
        3: (IndexError, "list index out of range")},
    "three initial state tensors for an LSTM": {
        2: (ValueError, KERAS_2_NUMPY_STATE),
        3: (ValueError, "Too few leaves for PyTreeSpec; expected: 3, got: 2."),
        "jax": (TypeError, "scan body function carry input and carry output must have the same pytree structure"),
        "torch": ACCEPTED},
    "initial state narrower than units": {
        2: (ValueError, KERAS_2_NUMPY_STATE),
        3: (tf.errors.InvalidArgumentError, MATMUL_SHAPES.format("[2,4]", "[5,20]")),
        "jax": (TypeError, JAX_DOT_SHAPES.format(4, 5)),
        "torch": (RuntimeError, TORCH_MATMUL_SHAPES.format("2x4", "5x20"))},
    "initial state of another batch size": {
        2: (ValueError, KERAS_2_NUMPY_STATE),
        3: (tf.errors.InvalidArgumentError, "Incompatible shapes: [2,20] vs. [3,20]"),
        "jax": (TypeError, "add got incompatible shapes for broadcasting: (2, 20), (3, 20)."),
        "torch": (RuntimeError, "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0")},
    "stateful layer called on another batch size": {
        2: (ValueError, 'Input 0 of layer "lstm" is incompatible with the layer: expected shape=(2, None, 3), '
                        'found shape=(3, 9, 3)'),
        3: (ValueError, STATEFUL_BATCH_2_GOT_3)},
    "stateful model's first predict() on another batch size": {
        2: (tf.errors.InvalidArgumentError, "Incompatible shapes: [3,20] vs. [2,20]"),
        3: (ValueError, STATEFUL_BATCH_2_GOT_3)},
    "stateful model's predict() on another batch size after one on its own": {
        2: (tf.errors.InvalidArgumentError, "Incompatible shapes: [3,20] vs. [2,20]"),
        3: (tf.errors.InvalidArgumentError, "Incompatible shapes: [3,20] vs. [2,20]"),
        "jax": (ValueError, STATEFUL_BATCH_2_GOT_3),
        "torch": (ValueError, STATEFUL_BATCH_2_GOT_3)},
    "stateful layer without a fixed batch size": {
        2: (ValueError, "If a RNN is stateful, it needs to know its batch size."),
        3: (ValueError, "When using `stateful=True` in a RNN, the batch size must be static. "
                        "Found dynamic batch size: sequence.shape=(None, 9, 3)")},
    "batch_input_shape, Keras 2's way to fix the batch": {
        2: ACCEPTED,
        3: (ValueError, "Unrecognized keyword arguments passed to LSTM: {'batch_input_shape': (2, 9, 3)}")},
    "reset_states(states=...), Keras 2's way to set the state": {
        2: ACCEPTED,
        3: (TypeError, "RNN.reset_states() got an unexpected keyword argument 'states'")},
    "time_major on a GRU": {
        2: ACCEPTED,
        3: (ValueError, "Unrecognized keyword arguments passed to GRU: {'time_major': True}")},
    "time_major on a SimpleRNN": {
        2: ACCEPTED,
        3: (ValueError, "Unrecognized keyword arguments passed to SimpleRNN: {'time_major': True}")},
    "Bidirectional given a Dense layer": {
        2: (KeyError, "'go_backwards'"),
        3: (TypeError, "Unrecognized keyword arguments passed to Dense: {'go_backwards': True}"),
        "jax": (TypeError, DENSE_NOT_DESERIALIZED),
        "torch": (TypeError, DENSE_NOT_DESERIALIZED)},
    "Bidirectional given a layer class": {
        2: (ValueError, BIDIRECTIONAL_NEEDS_AN_INSTANCE.format("keras")),
        # The same Keras 2 code, shipped as the package tf_keras: the class it names lives there.
        TF_KERAS: (ValueError, BIDIRECTIONAL_NEEDS_AN_INSTANCE.format("tf_keras")),
        3: (ValueError, "Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                        "Received: <class 'keras.src.layers.rnn.lstm.LSTM'>")},
    "Bidirectional with an unknown merge_mode": {
        2: (ValueError, 'Invalid merge mode. Received: max. Merge mode should be one of '
                        '{"sum", "mul", "ave", "concat", None}'),
        3: (ValueError, 'Invalid merge mode. Received: max. Merge mode should be one of '
                        '{"sum", "mul", "ave", "concat", None}')},
    "stacked LSTMs without return_sequences": {
        2: (ValueError, 'Input 0 of layer "lstm_1" is incompatible with the layer: expected ndim=3, found ndim=2. '
                        'Full shape received: (None, 5)'),
        3: (ValueError, "of layer 'lstm_1' is incompatible with the layer: expected ndim=3, found ndim=2. "
                        "Full shape received: (None, 5)")},
}

TRIGGERS = {}
REGISTERED = []  # every row name ``mistake`` was given, a repeated one as often as it was given


def mistake(what: str):
    """Registers the decorated function as the trigger of TOLD's row ``what``."""

    def register(trigger):
        REGISTERED.append(what)
        TRIGGERS[what] = trigger
        return trigger

    return register


X = make_inputs(PAGE_DIMS)  # (2, 9, 3)
STATEFUL = Chain((LSTMConfig(PAGE_UNITS, stateful=True),), fixed_batch=True)


def page_model() -> keras.Model:
    return chain_model(Chain((LSTMConfig(PAGE_UNITS),)), PAGE_DIMS)


def zeros(batch: int = PAGE_DIMS.batch, width: int = PAGE_UNITS) -> np.ndarray:
    return np.zeros((batch, width), np.float32)


@mistake("2D input to an LSTM layer")
def _():
    keras.layers.LSTM(PAGE_UNITS)(X[:, :, 0])


@mistake("4D input to an LSTM layer")
def _():
    keras.layers.LSTM(PAGE_UNITS)(X[np.newaxis])


@mistake("2D data into a model built for 3D")
def _():
    page_model()(X[:, :, 0])


@mistake("more features than the model was built for")
def _():
    page_model()(make_inputs(InputDims(2, 9, 4)))


@mistake("more features than a called layer was built for")
def _():
    layer = keras.layers.LSTM(PAGE_UNITS)
    layer(X)
    layer(make_inputs(InputDims(2, 9, 4)))


@mistake("units=0")
def _():
    keras.layers.LSTM(0)


@mistake("negative units")
def _():
    keras.layers.GRU(-1)


@mistake("units given as a string")
def _():
    keras.layers.LSTM("5")


@mistake("text instead of numbers")
def _():
    page_model()(np.full(PAGE_DIMS.shape, "a"))


@mistake("one initial state tensor for an LSTM")
def _():
    # Building the model with one state Input passes silently; the call fails.
    inputs, state = keras.Input(shape=(9, 3)), keras.Input(shape=(PAGE_UNITS,))
    model = keras.Model([inputs, state], keras.layers.LSTM(PAGE_UNITS)(inputs, initial_state=[state]))
    model([X, zeros()])


@mistake("three initial state tensors for an LSTM")
def _():
    keras.layers.LSTM(PAGE_UNITS)(X, initial_state=[zeros(), zeros(), zeros()])


@mistake("initial state narrower than units")
def _():
    keras.layers.LSTM(PAGE_UNITS)(X, initial_state=[zeros(width=4), zeros(width=4)])


@mistake("initial state of another batch size")
def _():
    keras.layers.LSTM(PAGE_UNITS)(X, initial_state=[zeros(batch=3), zeros(batch=3)])


@mistake("stateful layer called on another batch size")
def _():
    model = chain_model(STATEFUL, PAGE_DIMS)
    model(X)
    model(make_inputs(InputDims(3, 9, 3)))


@mistake("stateful model's first predict() on another batch size")
def _():
    chain_model(STATEFUL, PAGE_DIMS).predict(make_inputs(InputDims(3, 9, 3)), verbose=0)


@mistake("stateful model's predict() on another batch size after one on its own")
def _():
    # The first predict() compiled the model for its batch; the second fails inside that graph.
    model = chain_model(STATEFUL, PAGE_DIMS)
    model.predict(X, verbose=0)
    model.predict(make_inputs(InputDims(3, 9, 3)), verbose=0)


@mistake("stateful layer without a fixed batch size")
def _():
    chain_model(Chain(STATEFUL.layers), PAGE_DIMS)


@mistake("batch_input_shape, Keras 2's way to fix the batch")
def _():
    keras.layers.LSTM(PAGE_UNITS, stateful=True, batch_input_shape=PAGE_DIMS.shape)


@mistake("reset_states(states=...), Keras 2's way to set the state")
def _():
    model = chain_model(STATEFUL, PAGE_DIMS)
    model.layers[-1].reset_states(states=[zeros(), zeros()])


@mistake("time_major on a GRU")
def _():
    keras.layers.GRU(PAGE_UNITS, time_major=True)


@mistake("time_major on a SimpleRNN")
def _():
    keras.layers.SimpleRNN(PAGE_UNITS, time_major=True)


@mistake("Bidirectional given a Dense layer")
def _():
    keras.layers.Bidirectional(keras.layers.Dense(PAGE_UNITS))


@mistake("Bidirectional given a layer class")
def _():
    keras.layers.Bidirectional(keras.layers.LSTM)


@mistake("Bidirectional with an unknown merge_mode")
def _():
    chain_model(Chain((Layer.of("Bidirectional", LSTMConfig(PAGE_UNITS), merge_mode="max"),)), PAGE_DIMS)


@mistake("stacked LSTMs without return_sequences")
def _():
    chain_model(Chain((LSTMConfig(PAGE_UNITS), LSTMConfig(PAGE_UNITS))), PAGE_DIMS)


@pytest.mark.parametrize("what", list(TOLD))
def test_what_goes_wrong_and_what_you_are_told(what):
    """The mistake raises the pinned exception type with the pinned message."""
    column = column_for_this_run(TOLD[what])
    if column is None:
        pytest.skip(f"no expected error for {KERAS_NAME} in TOLD yet")
    if TOLD[what][column] == ACCEPTED:
        TRIGGERS[what]()  # on this era and backend it is no mistake: it must raise nothing
        return
    error_type, message = TOLD[what][column]
    with assert_raises(error_type, message, f"{what} ({KERAS_NAME}, {KERAS_BACKEND} backend)"):
        TRIGGERS[what]()


def test_every_row_has_a_trigger():
    """Each row of TOLD has exactly one trigger (a second one for a row would replace the first), and each trigger a row."""
    assert sorted(TOLD) == sorted(REGISTERED)
