"""PyTorch modules on their own: a ``torch.nn.LSTM``/``torch.nn.GRU`` built with seeded weights and
called on the suite's data, read the way PyTorch reads it (``batch_first`` or time-major).

``TorchCase(Stack("LSTM", 5, 2, True), PAGE_DIMS, batch_first=False)`` prints as
``nn.LSTM(3, 5, num_layers=2, bidirectional=True) on input (9, 2, 3)``: the module call and the shape
of what it is given, which for the default ``batch_first=False`` is the data transposed to
``(seq_len, batch, features)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_spec.models.builders import DATA_SEED, make_inputs
from lstm_spec.models.configs import InputDims
from lstm_spec.models.observe import cached_run
from lstm_spec.pytorch.stacks import TORCH_SEED, Stack, seeded_torch_module


@dataclass(frozen=True)
class TorchCase:
    """One PyTorch module configuration on one input: the stack, the data, and how it is read."""

    stack: Stack
    dims: InputDims
    batch_first: bool = False  # PyTorch's default
    proj_size: int = 0  # LSTM only; 0 is PyTorch's default (no projection)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        batch, steps, features = self.dims.shape
        return (batch, steps, features) if self.batch_first else (steps, batch, features)

    @property
    def output_width(self) -> int:
        """H_out: the width of the output and of h_n (proj_size when set, else hidden_size)."""
        return self.proj_size or self.stack.units

    def options(self) -> dict:
        return {"proj_size": self.proj_size} if self.proj_size else {}

    def code(self) -> str:
        call = self.stack.torch_code(self.dims.features, batch_first=self.batch_first)
        return call[:-1] + f", proj_size={self.proj_size})" if self.proj_size else call

    def __str__(self) -> str:
        return f"{self.code()} on input {self.input_shape}"

    def repro(self) -> str:
        states = "(h_n, c_n)" if self.stack.layer == "LSTM" else "h_n"
        transpose = "" if self.batch_first else ".transpose(0, 1)  # (seq_len, batch, features)"
        return "\n".join([
            "import numpy as np, torch",
            f"x = torch.from_numpy(np.random.default_rng({DATA_SEED}).normal(size={self.dims.shape}).astype('float32')){transpose}",
            f"torch.manual_seed({TORCH_SEED})",
            f"module = torch.{self.code()}",
            f"output, {states} = module(x)",
            "print(output.shape, h_n.shape" + (", c_n.shape)" if self.stack.layer == "LSTM" else ")"),
        ])


@dataclass(frozen=True)
class TorchRun:
    """A TorchCase built and called: the module, its input (as PyTorch read it) and what it returned."""

    case: TorchCase
    module: object
    inputs: np.ndarray  # in the case's own layout (time-major unless batch_first)
    output: np.ndarray
    states: tuple[np.ndarray, ...]  # (h_n,) or (h_n, c_n)

    def __str__(self) -> str:
        return str(self.case)

    def repro(self) -> str:
        return self.case.repro()

    @property
    def h_n(self) -> np.ndarray:
        return self.states[0]


@cached_run
def run_torch(case: TorchCase) -> TorchRun:
    """The case's module with weights drawn after ``torch.manual_seed(TORCH_SEED)``, called on
    ``make_inputs(dims)`` (transposed to time-major unless ``batch_first``)."""
    import torch

    module = seeded_torch_module(case.stack, case.dims.features, batch_first=case.batch_first, **case.options())
    data = make_inputs(case.dims)
    inputs = np.ascontiguousarray(data if case.batch_first else data.transpose(1, 0, 2))
    with torch.no_grad():
        output, hidden = module(torch.from_numpy(inputs.copy()))
    states = hidden if isinstance(hidden, tuple) else (hidden,)
    return TorchRun(case, module, inputs, output.numpy(), tuple(state.numpy() for state in states))
