"""The statistics of a speed comparison: per grid point and path, the ratio B/A of median times with
a confidence interval taken over process pairs, and a verdict against a threshold.

Each process of a comparison yields one median per point and path (pytest-benchmark's median of its
rounds).  The spread that matters is between processes, so the unit of evidence is the process
pair (A_i, B_i), run back to back so that a drift of the machine hits both alike and cancels in the
pair's ratio of medians B_i / A_i.  The ratio reported is the geometric mean of those pair ratios;
its interval is the one-sample t interval of the log ratios (``scipy.stats.ttest_1samp``), taken
back to a ratio.  Not scipy's bootstrap: with 5 pairs its percentile interval is too narrow (a
nominal 95 % interval held the true ratio in 84.5 % of 2000 synthetic A/A points, the t interval in
95.1 %), and an A/A run here flagged a point "faster" on a 0.70-0.90 bootstrap interval whose t
interval was 0.64-0.98.  A point is **slower** only when the whole interval lies above ``1 + threshold``,
**faster** only when it lies below ``1 / (1 + threshold)``; anything else is **no detectable change**.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
DEFAULT_THRESHOLD = 0.10
MIN_PAIRS = 3  # with 2 the t interval is 12.7 standard errors wide either side: no verdict is possible
SLOWER, FASTER, NO_CHANGE = "slower", "faster", "no detectable change"


class SpeedStatisticsError(ValueError):
    """Timings a comparison cannot use (too few pairs, unequal sides, times that are not positive)."""


@dataclass(frozen=True)
class RatioInterval:
    """The ratio B/A of medians and its confidence interval."""

    ratio: float
    low: float
    high: float

    def verdict(self, threshold: float = DEFAULT_THRESHOLD) -> str:
        if threshold < 0:
            raise SpeedStatisticsError(f"threshold {threshold}: give a fraction >= 0, e.g. 0.10 for 10%")
        if self.low > 1 + threshold:
            return SLOWER
        if self.high < 1 / (1 + threshold):
            return FASTER
        return NO_CHANGE


    def half_width(self) -> float:
        """How far the interval reaches from the ratio, as a fraction: the size of change this point
        could not tell from noise."""
        return max(self.high / self.ratio, self.ratio / self.low) - 1

    def resolves(self, threshold: float) -> bool:
        """Whether the interval is narrow enough (within ``threshold`` of the ratio on both sides) for
        a change of the threshold's size to show."""
        return self.half_width() <= threshold


def ratio_interval(before: Sequence[float], after: Sequence[float], confidence: float = CONFIDENCE) -> RatioInterval:
    """The geometric mean over process pairs of after[i] / before[i] (each a process's median time),
    and its t interval over the pairs."""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if before.shape != after.shape or before.ndim != 1:
        raise SpeedStatisticsError(f"one time per process and side, in pairs: got {before.shape} and {after.shape}")
    if len(before) < MIN_PAIRS:
        raise SpeedStatisticsError(f"{len(before)} process pair(s): an interval needs at least {MIN_PAIRS} (5 or "
                                   "more to be useful; --pairs sets it)")
    if not (np.all(before > 0) and np.all(after > 0)):
        raise SpeedStatisticsError("times must be positive seconds")
    log_ratios = np.log(after) - np.log(before)
    ratio = float(np.exp(np.mean(log_ratios)))
    with warnings.catch_warnings():
        # Identical pairs have no spread: the interval is the point (scipy warns and returns NaN).
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = stats.ttest_1samp(log_ratios, 0.0).confidence_interval(confidence_level=confidence)
    if not (np.isfinite(low) and np.isfinite(high)):
        low = high = np.log(ratio)
    return RatioInterval(ratio, float(np.exp(low)), float(np.exp(high)))


def pair_ratio_spread(before: Sequence[float], after: Sequence[float]) -> float:
    """How far one pair's ratio B/A typically strays from the others': the standard deviation of the
    log ratios over the pairs, as a factor minus 1.  This, not the same-side spread, is what widens the
    interval: a drift of the machine that both members of a pair see moves the sides, not the ratio."""
    log_ratios = np.log(np.asarray(after, dtype=float)) - np.log(np.asarray(before, dtype=float))
    return float(np.expm1(np.std(log_ratios, ddof=1)))


def same_side_spread(times: Sequence[float]) -> float:
    """How far one side's processes disagree on a point: largest ÷ smallest median, minus 1."""
    times = np.asarray(times, dtype=float)
    return float(times.max() / times.min() - 1)
