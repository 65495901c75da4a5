"""The configurations specs run on, with ids that read as the configuration itself.

``LSTMConfig(units=5, return_state=True)`` prints as ``LSTM(units=5,return_state=True)`` and
``InputDims(2, 9, 3)`` as ``batch=2-seq=9-features=3``, so a pytest id such as
``test_x[LSTM(units=5,return_state=True)-batch=2-seq=9-features=3]`` is the case in words and
``-k "return_state and 64"`` selects it (pytest's ``-k`` takes words, not ``=``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

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
class RecurrentConfig:
    """The arguments of one recurrent layer; options left at their default are not printed.

    ``extra`` holds any other keyword argument as sorted (name, value) pairs, so a config stays
    hashable (``run_recurrent`` caches on it): ``RecurrentConfig("GRU", 5, extra=(("reset_after", False),))``
    prints as ``GRU(units=5,reset_after=False)``.
    """

    layer: str
    units: int
    return_sequences: bool = False
    return_state: bool = False
    extra: tuple[tuple[str, object], ...] = ()

    def kwargs(self) -> dict:
        """The keyword arguments of the layer call. A return option is passed only when True: a
        plain ``LSTM(units=5)`` relies on the defaults ``specs/test_17`` pins, as users write it."""
        arguments = {"units": self.units}
        arguments.update((name, True) for name in ("return_sequences", "return_state") if getattr(self, name))
        arguments.update(self.extra)
        return arguments

    def with_options(self, **options) -> "RecurrentConfig":
        """The same layer with some arguments changed (any keyword argument of the layer)."""
        fields = {name: options.pop(name) for name in ("units", "return_sequences", "return_state")
                  if name in options}
        extra = tuple(sorted({**dict(self.extra), **options}.items()))
        return replace(self, **fields, extra=extra)

    @property
    def defaults(self) -> "RecurrentConfig":
        """The same layer with every option at its default (the page's plain ``LSTM(units)``)."""
        return RecurrentConfig(self.layer, self.units)

    def __str__(self) -> str:
        return f"{self.layer}({','.join(f'{name}={value}' for name, value in self.kwargs().items())})"


def LSTMConfig(units: int, **options) -> RecurrentConfig:
    """An ``LSTM(units, **options)`` configuration."""
    return RecurrentConfig("LSTM", units).with_options(**options)


OPTION_SETS = tuple(
    {"return_sequences": sequences, "return_state": state}
    for sequences, state in itertools.product((False, True), repeat=2)
)


def recurrent_grid(layer: str, **options) -> list[RecurrentConfig]:
    """``layer`` at every width of UNITS_GRID with ``options`` fixed (every return option set if none)."""
    option_sets = [options] if options else OPTION_SETS
    return [RecurrentConfig(layer, units).with_options(**chosen) for chosen in option_sets for units in UNITS_GRID]


def lstm_grid(**options) -> list[RecurrentConfig]:
    """LSTM at every width of UNITS_GRID with ``options`` fixed (every return option set if none)."""
    return recurrent_grid("LSTM", **options)
