"""The family builders: layers as data print as their call, chains run cached, repros rebuild the same model."""

import numpy as np

from lstm_spec.checks.assertions import assert_close, assert_raises
from lstm_spec.models.configs import PAGE_DIMS, LSTMConfig
from lstm_spec.models.family import Chain, Layer, ShapeDims, chain_model, run_chain

BIDIRECTIONAL = Layer.of("Bidirectional", LSTMConfig(5, return_sequences=True), merge_mode="sum")


def test_layer_prints_as_its_call_and_code():
    """A Layer prints compactly for test ids and as runnable keras.layers code for repros."""
    assert "Bidirectional(LSTM(units=5,return_sequences=True),merge_mode='sum')" == str(BIDIRECTIONAL)
    assert (
        "keras.layers.Bidirectional(keras.layers.LSTM(units=5, return_sequences=True), "
        "merge_mode='sum')" == BIDIRECTIONAL.code()
    )


def test_chain_repro_rebuilds_the_same_outputs():
    """Executing a run's repro snippet builds the same seeded model and gives the same output."""
    run = run_chain(Chain((Layer.of("Masking"), BIDIRECTIONAL)), PAGE_DIMS)
    namespace = {"print": lambda *args: None}
    exec(run.repro(), namespace)
    assert_close("out", np.asarray(namespace["out"]), run.outputs, run)
    assert run is run_chain(Chain((Layer.of("Masking"), BIDIRECTIONAL)), PAGE_DIMS)


def test_run_chain_refuses_stateful_chains():
    """A fixed-batch (stateful) chain is refused by the cache, saying to build it with chain_model()."""
    stateful = Chain((LSTMConfig(5, stateful=True),), fixed_batch=True)
    with assert_raises(ValueError, "would carry from one spec to the next; build it with chain_model()"):
        run_chain(stateful, PAGE_DIMS)
    assert (2, 9, 3) == tuple(chain_model(stateful, PAGE_DIMS).input.shape)


def test_shape_dims_print_their_axes():
    """ShapeDims print as named axes, the way InputDims do."""
    assert "batch=2-seq=9-rows=6-channels=3" == str(ShapeDims((2, 9, 6, 3), ("batch", "seq", "rows", "channels")))
