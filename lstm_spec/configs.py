"""The configurations specs run on, with ids that read as the configuration itself.

``LSTMConfig(units=5, return_state=True)`` prints as ``LSTM(units=5,return_state=True)`` and
``InputDims(2, 9, 3)`` as ``batch=2-seq=9-features=3``, so a pytest id such as
``test_x[LSTM(units=5,return_state=True)-batch=2-seq=9-features=3]`` is the case in words and
``-k "units=64"`` selects it.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, replace

# The page's own example: data (batch_size=2, seq_len=9, in_features=3) into LSTM(units=5).
PAGE_UNITS = 5


@dataclass(frozen=True)
class InputDims:
    """The shape of a batch-major input: (batch, seq_len, features)."""

    batch: int
    seq_len: int
    features: int

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.batch, self.seq_len, self.features)

    def __str__(self) -> str:
        return f"batch={self.batch}-seq={self.seq_len}-features={self.features}"


PAGE_DIMS = InputDims(batch=2, seq_len=9, features=3)
# The page's point, then one edge per axis (single sample, single step, single feature),
# then a wider point.
INPUT_GRID = (
    PAGE_DIMS,
    InputDims(batch=1, seq_len=9, features=3),
    InputDims(batch=2, seq_len=1, features=3),
    InputDims(batch=3, seq_len=4, features=1),
    InputDims(batch=4, seq_len=6, features=8),
)
UNITS_GRID = (PAGE_UNITS, 1, 64)


@dataclass(frozen=True)
class LSTMConfig:
    """The arguments of one ``keras.layers.LSTM``; options left at their default are not printed."""

    units: int
    return_sequences: bool = False
    return_state: bool = False
    layer: str = "LSTM"

    def kwargs(self) -> dict:
        arguments = asdict(self)
        del arguments["layer"]
        return arguments

    def with_options(self, **options) -> "LSTMConfig":
        return replace(self, **options)

    @property
    def defaults(self) -> "LSTMConfig":
        """The same layer with every option at its default (the page's plain ``LSTM(units)``)."""
        return LSTMConfig(units=self.units, layer=self.layer)

    def __str__(self) -> str:
        shown = [f"units={self.units}"]
        shown += [f"{name}={value}" for name, value in self.kwargs().items()
                  if name != "units" and value is not False]
        return f"{self.layer}({','.join(shown)})"


OPTION_SETS = tuple(
    {"return_sequences": sequences, "return_state": state}
    for sequences, state in itertools.product((False, True), repeat=2)
)


def lstm_grid(**options) -> list[LSTMConfig]:
    """LSTMConfig for every width in UNITS_GRID, with ``options`` fixed (all option sets if none)."""
    option_sets = [options] if options else OPTION_SETS
    return [LSTMConfig(units=units, **chosen) for chosen in option_sets for units in UNITS_GRID]
