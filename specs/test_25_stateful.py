"""Stateful LSTM: the batch size fixed by Input(batch_shape=...), state carried between predict calls, reset_state().

Keras 3 dropped ``batch_input_shape``: a stateful layer gets its fixed batch size from
``keras.Input(batch_shape=(batch, seq_len, features))``.  Its final h and c become the initial
state of the next call, so two calls on consecutive halves of a sequence give what one call on the
whole sequence gives, until ``layer.reset_state()`` zeroes them (``reset_states(states=...)`` is
gone; both errors are pinned in ``test_31_errors.py``).  Keras 2 (TensorFlow <= 2.15) takes the same
``Input(batch_shape=...)``, names the reset ``reset_states()`` and also sets a state with
``reset_states(states=[h, c])``: the table ``RESET`` below.  On the JAX backend (Keras 3.15.1)
``predict()`` leaves the state at zeros, so each predict starts afresh: ``PREDICT_KEEPS_STATE``.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from lstm_spec.checks.assertions import assert_close, assert_count, assert_differs, assert_shape
from lstm_spec.models.backend import KERAS_BACKEND, for_this_backend
from lstm_spec.models.builders import run_recurrent
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, InputDims, LSTMConfig
from lstm_spec.models.era import KERAS_NAME, for_this_era
from lstm_spec.models.family import Chain, chain_inputs, chain_model

STATEFUL = Chain((LSTMConfig(PAGE_UNITS, stateful=True),), fixed_batch=True)
CONTEXT = f"{STATEFUL} on input {PAGE_DIMS.shape}"
# Per Keras era: the method that zeroes a stateful layer's state, and whether it also takes
# ``states=[h, c]`` to set one (Keras 3 refuses the argument: pinned in test_31_errors.py).
RESET = for_this_era({
    2: {"method": "reset_states", "sets_states": True},
    3: {"method": "reset_state", "sets_states": False},
})
# Per backend: does predict() leave its final [h, c] in a stateful layer, for the next predict to start from?
PREDICT_KEEPS_STATE = {"tensorflow": True, "jax": False, "torch": True}
KEEPS_STATE = for_this_backend(PREDICT_KEEPS_STATE)
ON_BACKEND = f"{CONTEXT}, {KERAS_BACKEND} backend"


def states(layer) -> list[np.ndarray]:
    return [state.numpy() for state in layer.states]


@pytest.fixture(scope="module")
def story():
    """One stateful model through predict, predict, reset_state(), predict, recording each step."""
    model = chain_model(STATEFUL, PAGE_DIMS)
    layer, x = model.layers[-1], chain_inputs(STATEFUL, PAGE_DIMS)
    record = SimpleNamespace(model=model, inputs=x, weights=layer.get_weights(), before=states(layer))
    record.first = model.predict(x, verbose=0)
    record.after_first = states(layer)
    record.second = model.predict(x, verbose=0)
    getattr(layer, RESET["method"])()
    record.after_reset = states(layer)
    record.after_reset_output = model.predict(x, verbose=0)
    return record


def test_batch_size_is_fixed_by_input_batch_shape(story):
    """The model's input is (2, 9, 3), batch included, and the layer holds [h, c] of shape (2, units) from the start."""
    assert_shape("model.input", story.model.input, PAGE_DIMS.shape, CONTEXT)
    assert_count("len(layer.states)", len(story.before), 2, CONTEXT)
    for name, state in zip(("h", "c"), story.before):
        assert_shape(name, state, (PAGE_DIMS.batch, PAGE_UNITS), CONTEXT)
        assert_close(name, state, np.zeros_like(state), CONTEXT)


def test_state_after_predict_is_its_final_h_and_c(story):
    """After a predict the layer holds that call's final h (its output) and c (not h); on JAX still zeros."""
    h, c = story.after_first
    if not KEEPS_STATE:
        for name, state in zip(("h", "c"), story.after_first):
            assert_close(name, state, np.zeros_like(state), ON_BACKEND)
        return
    assert_close("h", h, story.first, CONTEXT)
    assert_differs("c", c, "h", h, CONTEXT)


def test_state_carries_to_the_next_predict(story):
    """The second predict starts from the first one's state: it equals a plain LSTM on the input twice over (on JAX, the first predict again)."""
    if not KEEPS_STATE:
        assert_close("second predict", story.second, story.first, ON_BACKEND)
        return
    assert_differs("second predict", story.second, "first predict", story.first, CONTEXT)
    twice = InputDims(PAGE_DIMS.batch, 2 * PAGE_DIMS.seq_len, PAGE_DIMS.features)
    plain = run_recurrent(LSTMConfig(PAGE_UNITS), twice)
    for index, (weight, other) in enumerate(zip(plain.weights, story.weights)):
        assert_close(f"weights[{index}]", weight, other, "same seed, same weights")
    whole = plain.model(np.concatenate([story.inputs, story.inputs], axis=1))
    assert_close("second predict", story.second, whole, CONTEXT)


def test_reset_state_zeroes_it(story):
    """``layer.reset_state()`` (Keras 2: ``reset_states()``) sets h and c to zeros, so the next predict repeats the first."""
    for name, state in zip(("h", "c"), story.after_reset):
        assert_close(name, state, np.zeros_like(state), CONTEXT)
    assert_close("predict after reset", story.after_reset_output, story.first, CONTEXT)


def test_first_and_second_predict_values(story, snapshot):
    """The seeded outputs of the first two predict calls are pinned."""
    assert snapshot == {"first": story.first, "second": story.second}


@pytest.mark.skipif(not RESET["sets_states"], reason=f"{KERAS_NAME} has no reset_states(states=...) (its error is pinned in test_31)")
def test_reset_states_with_states_sets_them():
    """Keras 2: ``reset_states(states=[h, c])`` sets the state, and the next predict starts from it."""
    model = chain_model(STATEFUL, PAGE_DIMS)
    layer, x = model.layers[-1], chain_inputs(STATEFUL, PAGE_DIMS)
    first = model.predict(x, verbose=0)
    h, c = states(layer)
    layer.reset_states()
    layer.reset_states(states=[h, c])
    for name, state, expected in zip(("h", "c"), states(layer), (h, c)):
        assert_close(name, state, expected, CONTEXT)
    assert_differs("predict from the set state", model.predict(x, verbose=0), "first predict", first, CONTEXT)
