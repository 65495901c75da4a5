"""Masking (Masking layer, Embedding(mask_zero=True)): masked steps carry the last unmasked output and state.

With a mask, an LSTM skips the masked steps: in ``return_sequences`` each masked step repeats the
output of the step before it (zeros with ``zero_output_for_mask=True``), and the final output and
states are those of the last unmasked step, as if the padding were not there.  Here the first
sample is padded (all-zero features, or token id 0) from step 6 on; the second is not padded.
"""

from functools import lru_cache

import numpy as np
import pytest

from lstm_spec.checks.assertions import assert_close
from lstm_spec.models.builders import to_numpy
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, LSTMConfig
from lstm_spec.models.family import TOKENS, Chain, Layer, ShapeDims, run_chain

PADDED_FROM = 6
SEQUENCE_AND_STATE = LSTMConfig(PAGE_UNITS, return_sequences=True, return_state=True)
TOKEN_DIMS = ShapeDims((PAGE_DIMS.batch, PAGE_DIMS.seq_len), ("batch", "seq"))
MASKERS = {
    "Masking": (Chain((Layer.of("Masking", mask_value=0.0), SEQUENCE_AND_STATE)), PAGE_DIMS),
    "Embedding(mask_zero=True)": (
        Chain((Layer.of("Embedding", TOKENS, PAGE_DIMS.features, mask_zero=True), SEQUENCE_AND_STATE), tokens=True),
        TOKEN_DIMS,
    ),
}
ZEROED = Chain((Layer.of("Masking", mask_value=0.0),
                LSTMConfig(PAGE_UNITS, return_sequences=True, zero_output_for_mask=True)))


def padded(run) -> np.ndarray:
    """The run's input with the first sample padded (zeros) from step PADDED_FROM on."""
    inputs = np.array(run.inputs)
    inputs[0, PADDED_FROM:] = 0
    return inputs


def on_padded(run) -> tuple:
    """``run.model(padded(run))`` as NumPy (called once for the specs that read it)."""
    return _on_padded(run.chain, run.dims)


@lru_cache(maxsize=None)
def _on_padded(chain: Chain, dims) -> tuple:
    run = run_chain(chain, dims)
    return to_numpy(run.model(padded(run)))


@pytest.fixture(params=list(MASKERS))
def run(request):
    """A masking first layer, then LSTM(return_sequences=True, return_state=True), seeded."""
    return run_chain(*MASKERS[request.param])


def test_masked_steps_repeat_the_last_unmasked_output(run):
    """In the sequence output, every masked step of the padded sample equals its last unmasked step."""
    sequence, _, _ = on_padded(run)
    last = sequence[0, PADDED_FROM - 1]
    for step in range(PADDED_FROM, PAGE_DIMS.seq_len):
        assert_close(f"sequence[0, {step}]", sequence[0, step], last, run, run.repro())


def test_final_output_and_states_are_those_of_the_last_unmasked_step(run):
    """The padded sample's h and c equal the LSTM's on its unpadded steps alone; h is its last unmasked output."""
    sequence, state_h, state_c = on_padded(run)
    assert_close("state_h[0]", state_h[0], sequence[0, PADDED_FROM - 1], run, run.repro())
    masker, lstm = run.model.layers[1:]
    unpadded = np.asarray(masker(padded(run)))[:, :PADDED_FROM]
    _, unpadded_h, unpadded_c = lstm(unpadded)
    assert_close("state_h[0]", state_h[0], unpadded_h[0], run, run.repro())
    assert_close("state_c[0]", state_c[0], unpadded_c[0], run, run.repro())


def test_zero_output_for_mask_gives_zeros_at_masked_steps():
    """With zero_output_for_mask=True the masked steps are zeros; the unmasked ones are unchanged."""
    run = run_chain(ZEROED, PAGE_DIMS)
    carried = run_chain(*MASKERS["Masking"])
    sequence, carried_sequence = run.model(padded(run)), on_padded(carried)[0]
    assert_close("masked steps", sequence[0, PADDED_FROM:], np.zeros((PAGE_DIMS.seq_len - PADDED_FROM, PAGE_UNITS), np.float32),
                 run, run.repro())
    assert_close("unmasked steps", sequence[0, :PADDED_FROM], carried_sequence[0, :PADDED_FROM], run, run.repro())


def test_mask_value_left_out_is_zero():
    """``Masking()`` with no mask_value masks the all-zero steps: the same sequence and states as mask_value=0.0."""
    run = run_chain(Chain((Layer.of("Masking"), SEQUENCE_AND_STATE)), PAGE_DIMS)
    explicit = run_chain(*MASKERS["Masking"])
    for name, output, expected in zip(("sequence", "state_h", "state_c"), run.model(padded(run)),
                                      on_padded(explicit)):
        assert_close(name, output, expected, run, run.repro())


def test_masked_output_values(run, snapshot):
    """The seeded sequence, h and c on the padded input are pinned."""
    sequence, state_h, state_c = on_padded(run)
    assert snapshot == {"sequence": np.asarray(sequence), "state_h": np.asarray(state_h), "state_c": np.asarray(state_c)}
