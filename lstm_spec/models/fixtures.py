"""Fixture factories for spec modules that fix some of the configuration axes."""

import pytest

from lstm_spec.models.configs import lstm_grid


def lstm_fixture(**options):
    """An ``lstm`` fixture over the width grid with ``options`` fixed; assign it to ``lstm`` in a
    spec module to override conftest's (all option sets) for that module."""

    @pytest.fixture(params=lstm_grid(**options), ids=str)
    def lstm(request):
        """An LSTM configuration of this module's options, over the width grid."""
        return request.param

    return lstm


def input_dims_fixture(*dims):
    """An ``input_dims`` fixture over ``dims`` only; assign it to ``input_dims`` in a spec module
    whose behaviour the whole INPUT_GRID would not document better, only more slowly."""

    @pytest.fixture(params=dims, ids=str)
    def input_dims(request):
        """(batch, seq_len, features) of the input, for this module."""
        return request.param

    return input_dims
