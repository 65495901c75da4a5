"""The speed comparison's statistics (lstm_spec.bench.statistics) on synthetic timings with known ratios."""

import numpy as np
import pytest

pytest.importorskip("scipy", reason="scipy is not in the Keras 2 lock: the speed comparison's statistics run from .venv (python3 suite.py speed)")

from lstm_spec.bench.statistics import (FASTER, NO_CHANGE, SLOWER, RatioInterval, SpeedStatisticsError,  # noqa: E402
                                        pair_ratio_spread, ratio_interval, same_side_spread)

PAIRS = 5
BASE_SECONDS = 0.040  # about predict() of a small LSTM here
# Process-to-process noise at the size this machine shows: one process's median is log-normal
# around the true time with sigma 0.05 (back-to-back runs of the default grid on a quiet 2-core
# machine disagreed by more than 10% on 5 of 60 points, i.e. sigma ~0.04 per process, rounded up),
# and now and then one process is 33% slow (the largest disagreement seen there).
PROCESS_SIGMA = 0.05
OUTLIER_FACTOR = 1.33
SYNTHETIC_POINTS = 60  # the default grid's points x paths


def process_medians(rng, ratio: float, *, outlier: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per-process median times of PAIRS pairs whose true ratio B/A is ``ratio``."""
    before = BASE_SECONDS * np.exp(rng.normal(0, PROCESS_SIGMA, PAIRS))
    after = ratio * BASE_SECONDS * np.exp(rng.normal(0, PROCESS_SIGMA, PAIRS))
    if outlier:
        (before if rng.random() < 0.5 else after)[rng.integers(PAIRS)] *= OUTLIER_FACTOR
    return before, after


def check_verdicts(expected: str, ratio: float, seed: int, *, outlier: bool = False) -> None:
    """Every one of SYNTHETIC_POINTS noisy synthetic points of true ratio ``ratio`` gets ``expected``."""
    __tracebackhide__ = True
    rng = np.random.default_rng(seed)
    verdicts = [ratio_interval(*process_medians(rng, ratio, outlier=outlier)).verdict()
                for _ in range(SYNTHETIC_POINTS)]
    wrong = [verdict for verdict in verdicts if verdict != expected]
    if wrong:
        pytest.fail(f"true ratio {ratio}: expected {expected!r} on all {SYNTHETIC_POINTS} points, "
                    f"{len(wrong)} were {sorted(set(wrong))}")


def test_equal_timings_give_no_detectable_change():
    """Identical timings on both sides give the ratio 1 with a zero-width interval and 'no detectable change'."""
    interval = ratio_interval([BASE_SECONDS] * PAIRS, [BASE_SECONDS] * PAIRS)
    assert RatioInterval(1.0, 1.0, 1.0) == interval
    assert NO_CHANGE == interval.verdict()


@pytest.mark.parametrize("seed", [1, 2], ids=lambda seed: f"seed={seed}")
def test_machine_sized_noise_does_not_cross_the_threshold(seed):
    """A/A timings with this machine's process noise and an occasional 33% outlier are never flagged."""
    check_verdicts(NO_CHANGE, 1.0, seed, outlier=True)


@pytest.mark.parametrize("seed", [1, 2], ids=lambda seed: f"seed={seed}")
def test_twofold_slowdown_is_slower(seed):
    """B taking twice as long as A, under this machine's noise, is flagged slower on every point."""
    check_verdicts(SLOWER, 2.0, seed)


@pytest.mark.parametrize("seed", [1, 2], ids=lambda seed: f"seed={seed}")
def test_halved_time_is_faster(seed):
    """B taking half as long as A, under this machine's noise, is flagged faster on every point."""
    check_verdicts(FASTER, 0.5, seed)


def test_quarter_slowdown_with_little_noise_is_slower():
    """A 1.25x slowdown with noise a third of this machine's (what the test hook adds on a quiet run) is slower."""
    rng = np.random.default_rng(4)
    before = BASE_SECONDS * np.exp(rng.normal(0, PROCESS_SIGMA / 3, PAIRS))
    interval = ratio_interval(before, 1.25 * before * np.exp(rng.normal(0, PROCESS_SIGMA / 3, PAIRS)))
    assert SLOWER == interval.verdict(), interval


def test_ratio_lies_in_its_interval_and_repeats():
    """The reported ratio lies inside its interval, and the same timings give the same interval again."""
    before, after = process_medians(np.random.default_rng(5), 1.2)
    first, second = ratio_interval(before, after), ratio_interval(before, after)
    assert first == second
    assert first.low <= first.ratio <= first.high
    assert np.isclose(np.exp(np.mean(np.log(after / before))), first.ratio)


@pytest.mark.parametrize(("interval", "expected"), [
    (RatioInterval(1.3, 1.11, 1.6), SLOWER),
    (RatioInterval(1.3, 1.09, 1.6), NO_CHANGE),
    (RatioInterval(1.05, 1.01, 1.09), NO_CHANGE),
    (RatioInterval(0.8, 0.7, 0.9), FASTER),
    (RatioInterval(0.8, 0.7, 0.95), NO_CHANGE),
], ids=lambda value: f"{value.low}-{value.high}" if isinstance(value, RatioInterval) else value)
def test_verdict_needs_the_whole_interval_beyond_the_threshold(interval, expected):
    """With the default 10% threshold a verdict other than 'no detectable change' needs the whole interval
    above 1.10 (slower) or below 1/1.10 (faster)."""
    assert expected == interval.verdict()


def test_threshold_option_moves_the_line():
    """A larger threshold turns a 25% slowdown with a tight interval into 'no detectable change'."""
    interval = RatioInterval(1.25, 1.2, 1.3)
    assert SLOWER == interval.verdict(0.10)
    assert NO_CHANGE == interval.verdict(0.30)


@pytest.mark.parametrize(("before", "after", "message"), [
    ([0.1, 0.1], [0.1, 0.1], "at least 3"),
    ([0.1, 0.1, 0.1], [0.1, 0.1], "in pairs"),
    ([0.1, 0.1, 0.0], [0.1, 0.1, 0.1], "positive"),
], ids=["two pairs", "unequal sides", "zero time"])
def test_unusable_timings_are_refused_with_the_reason(before, after, message):
    """Too few pairs, sides of different lengths and non-positive times raise SpeedStatisticsError saying which."""
    with pytest.raises(SpeedStatisticsError, match=message):
        ratio_interval(before, after)


def test_negative_threshold_is_refused():
    """A negative threshold is refused with the form it takes."""
    with pytest.raises(SpeedStatisticsError, match="fraction >= 0"):
        RatioInterval(1.0, 0.9, 1.1).verdict(-0.1)


def test_pair_ratio_spread_ignores_what_both_members_of_a_pair_share():
    """A drift that moves both members of every pair alike leaves the pair ratio spread at 0; a ratio
    that strays by a factor e**0.1 in alternate pairs gives about 10.8 %."""
    drift = np.array([0.05, 0.08, 0.11, 0.06])
    assert np.isclose(0.0, pair_ratio_spread(drift, 1.2 * drift))
    strays = 1.2 * drift * np.exp([0.1, -0.1, 0.1, -0.1])
    assert np.isclose(np.expm1(np.std([0.1, -0.1, 0.1, -0.1], ddof=1)), pair_ratio_spread(drift, strays))
    assert 0.5 < same_side_spread(drift)  # the sides themselves moved by 120 %


def test_same_side_spread_is_largest_over_smallest():
    """The spread of one side's process medians is largest / smallest - 1."""
    assert np.isclose(0.25, same_side_spread([0.04, 0.05, 0.045]))


@pytest.mark.parametrize(("interval", "half_width"), [
    (RatioInterval(1.0, 0.9, 1.2), 0.2),  # the upper side reaches further
    (RatioInterval(2.0, 1.6, 2.1), 0.25),  # the lower side: 2.0 / 1.6
    (RatioInterval(1.0, 1.0, 1.0), 0.0),
], ids=["upper wider", "lower wider", "a point"])
def test_half_width_is_the_farther_side_of_the_interval(interval, half_width):
    """The interval's reach is the larger of high/ratio and ratio/low, minus 1."""
    assert np.isclose(half_width, interval.half_width())


def test_an_interval_resolves_a_threshold_no_smaller_than_its_reach():
    """A point resolves a threshold when its interval reaches no further than the threshold from its ratio."""
    interval = RatioInterval(1.0, 1 / 1.08, 1.08)
    assert (True, True, False) == (interval.resolves(0.10), interval.resolves(0.08 + 1e-12), interval.resolves(0.05))


def test_interval_holds_the_true_ratio_as_often_as_it_says():
    """Over many synthetic A/A points of 5 pairs, the 95% interval contains the true ratio 1 in at least 93% of them."""
    rng = np.random.default_rng(7)
    trials = 400
    held = sum(interval.low <= 1.0 <= interval.high
               for interval in (ratio_interval(*process_medians(rng, 1.0)) for _ in range(trials)))
    assert held / trials >= 0.93, f"the interval held the true ratio in {held} of {trials} points"
