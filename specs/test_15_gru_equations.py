"""15. The GRU computes h_t = z*h_{t-1} + (1-z)*hh, gates z, r, h in that order, reset before or after the matmul.

``z, r = sigmoid(x_t U + h_{t-1} W + b)`` of their blocks. With ``reset_after=True`` (the default;
bias shape ``(2, 3*units)``, an input and a recurrent bias) the candidate is
``hh = tanh(x_t U_h + b_h + r*(h_{t-1} W_h + b'_h))``; with ``reset_after=False`` (bias
``(3*units,)``) it is ``hh = tanh(x_t U_h + (r*h_{t-1}) W_h + b_h)``. Both give the oracle's
numbers (``lstm_spec.checks.oracle``) on every grid point and option within its one float32 tolerance.
"""

from dataclasses import replace

import pytest

from lstm_spec.checks.assertions import assert_mask_masks, assert_run_matches_oracle
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, RecurrentConfig
from lstm_spec.models.pinned import grid_points, option_cases, pinned_run

GRUS = [RecurrentConfig("GRU", PAGE_UNITS, return_sequences=True, return_state=True).with_options(reset_after=reset_after)
        for reset_after in (True, False)]


@pytest.mark.parametrize("config, dims", [point for gru in GRUS for point in grid_points(gru)], ids=str)
def test_gru_matches_oracle(config, dims):
    """The GRU's output sequence and final state equal the oracle's at every width and input shape, reset before or after."""
    run = pinned_run(config, dims)
    assert_run_matches_oracle(run)


@pytest.mark.parametrize("config", [gru.with_options(return_sequences=False, return_state=False) for gru in GRUS], ids=str)
def test_gru_last_output_matches_oracle(config):
    """Without return options the GRU returns the oracle's last output."""
    run = pinned_run(config, PAGE_DIMS)
    assert_run_matches_oracle(run)


@pytest.mark.parametrize("case", [case for gru in GRUS for case in option_cases(gru)], ids=str)
def test_gru_options_match_oracle(case):
    """go_backwards, unroll, activations, use_bias, initial_state and masks change the values exactly as the oracle says."""
    run = case.run(PAGE_DIMS)
    assert_run_matches_oracle(run)


@pytest.mark.parametrize("case", [case for gru in GRUS for case in option_cases(gru) if case.masked], ids=str)
def test_gru_masked_cases_mask(case):
    """Each masked case hides some step, and its output differs from the same call without the mask."""
    assert_mask_masks(case.run(PAGE_DIMS), replace(case, masked=False).run(PAGE_DIMS))
