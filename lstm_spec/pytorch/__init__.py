"""Keras recurrent layers beside PyTorch's ``torch.nn.LSTM`` and ``torch.nn.GRU``.

``convert``: weights both ways (Keras layers <-> a PyTorch state_dict), with an error naming what
does not fit; ``stacks``: the stacks the specs in ``specs/pytorch/`` build on both sides and the
NumPy oracle's reading of them.  PyTorch is not in the main lock: it is installed by the
version matrix's ``torch`` environment (``requirements/torch-lock.txt``).
"""

from __future__ import annotations

import pytest

RUN_COMMAND = "python3 suite.py matrix torch"
SKIP_REASON = f"PyTorch is not installed: run `{RUN_COMMAND}`"


def require_torch():
    """``torch``, or a module-level skip naming the command that runs the PyTorch specs."""
    return pytest.importorskip("torch", reason=SKIP_REASON)
