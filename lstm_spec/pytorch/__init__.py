"""Keras recurrent layers beside PyTorch's ``torch.nn.LSTM`` and ``torch.nn.GRU``.

``convert``: weights both ways (Keras layers <-> a PyTorch state_dict), with an error naming what
does not fit; ``stacks``: the stacks specs 32 to 37 build on both sides and the NumPy oracle's
reading of them; ``torch_runs``: PyTorch modules alone.  PyTorch is not in the main lock: it is
installed by the version matrix's ``torch`` environment (``requirements/torch-lock.txt``), and the
specs skip elsewhere with ``SKIP_REASON``.
"""

from __future__ import annotations

RUN_COMMAND = "python3 suite.py matrix torch"
SKIP_REASON = f"PyTorch is not installed: run `{RUN_COMMAND}`"

