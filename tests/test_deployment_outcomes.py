"""lstm_spec/deploy/outcomes.py and observed.py as spec 53 uses them, without a runtime: ``Differs``, a resize checked
against ``model.call`` past a fixed sequence length, and the op a jax2tf SavedModel records."""

import numpy as np
import pytest

from lstm_spec.deploy import observed
from lstm_spec.deploy.outcomes import Differs, Fails, StepFailed, assert_resized, assert_runtime_outputs
from lstm_spec.saving.catalog import CASES, built, call_any_length
from lstm_spec.saving.side import SAVING_ERA

MODEL = (np.zeros((2, 5), np.float32),)
NOT_THE_MODELS = Differs(why="a test")


def test_outputs_stated_to_differ_pass_when_they_do():
    """Other values, or other shapes, are what a ``Differs`` states."""
    assert_runtime_outputs("rt", (np.ones((2, 5), np.float32),), MODEL, "ctx", NOT_THE_MODELS)
    assert_runtime_outputs("rt", (np.zeros((2, 9, 5), np.float32),), (np.zeros((2, 7, 5), np.float32),), "ctx",
                           NOT_THE_MODELS)


def test_outputs_stated_to_differ_fail_when_they_are_the_models():
    """The model's own outputs, where the table says they differ, fail, saying so."""
    with pytest.raises(AssertionError, match="are the model's .* but should be other outputs than the model's"):
        assert_runtime_outputs("rt", MODEL, MODEL, "ctx", NOT_THE_MODELS)


def test_a_resize_stated_to_differ_that_fails_says_it_should_run():
    """A ``Differs`` resize is one that runs: a failure instead is reported as such."""
    failed = StepFailed("resize", RuntimeError("boom"))
    with pytest.raises(AssertionError, match="resize: RuntimeError: boom\nbut should run"):
        assert_resized("rt", failed, [], None, NOT_THE_MODELS, "ctx")
    with pytest.raises(AssertionError, match="it ran, but should fail"):
        assert_resized("rt", MODEL, [np.zeros((2, 9, 3), np.float32)], None, Fails("resize", "X", "y"), "ctx",
                       reference=lambda model, data: MODEL)


@pytest.mark.skipif(SAVING_ERA != 3, reason="spec 53's helper, for Keras 3: it calls keras.ops, which Keras 2 lacks")
def test_a_shorter_sequence_is_called_past_the_models_fixed_length():
    """``call_any_length`` gives the page's LSTM's outputs on 7 of its 9 steps, which ``model(x)`` refuses."""
    case = built(CASES["page_lstm"])
    shorter = np.ascontiguousarray(case.data[:, :7])
    with pytest.raises(ValueError, match="incompatible"):
        case.model(shorter)
    assert call_any_length(case.model, shorter).shape == (2, 5)
    np.testing.assert_allclose(call_any_length(case.model, case.data), case.outputs, atol=1e-6)


def test_a_jax2tf_saved_model_records_its_xla_call_module():
    """XlaCallModule is the op recorded where nothing else holds the loop, and never before a loop op."""
    assert observed.recurrence_op({"Placeholder", "XlaCallModule"}) == "XlaCallModule"
    assert observed.recurrence_op({"XlaCallModule", "WHILE"}) == "WHILE"
    assert observed.recurrence_op({"MatMul", "Tanh"}) is None
