"""12. model.summary() of the page's CNN -> LSTM and sub-sequence models, as Keras prints it.

The tables are pinned as text snapshots (per Keras era: the table format is Keras' own).  Layer
names come from a cleared session, so they do not depend on which spec ran before.
"""

import pytest

from lstm_spec.models.architectures import cnn_lstm, subsequence_lstm, summary_text


@pytest.mark.parametrize("build", [cnn_lstm, subsequence_lstm], ids=lambda build: f"{build.__name__}()")
def test_summary_table(build, snapshot):
    """The summary lists each layer with its output shape and parameter count, and the totals."""
    text = summary_text(build())
    assert "Total params" in text
    assert snapshot == text
