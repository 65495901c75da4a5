"""Did predict() get slower?  Compares the speed of two environments of the version matrix.

    python3 suite.py speed locked keras2                 the small grid, 20 process pairs in lockstep (~12 min)
    python3 suite.py speed 2.18.0 locked --grid default --pairs 7 --threshold 0.15
    python3 suite.py speed locked locked                 an A/A check: nothing may be flagged
    python3 suite.py speed locked locked --slow-after 1.25   the test hook: B's predict() 25% slower

Each pair's two processes, one per side, run together taking turns round by round (``lstm_spec.bench.speed_runs``);
per grid point and path the ratio B/A of median times gets a 95% interval over the process pairs
and a verdict against the threshold (``lstm_spec.bench.statistics``).  Prints a table and the noise
floor the run measured, writes the JSON of every process, ``comparison.json`` and ``ratios.png``
into ``.benchmarks/speed/A-vs-B-<time>/`` (``--out`` elsewhere), and exits 1 when any point is
slower, 0 otherwise, 2 when the comparison could not be made.  ``report_section`` gives the upgrade
report its "Speed" section (``python3 suite.py report A B``; ``--no-speed`` skips it).
"""

from __future__ import annotations

import argparse
import json
import statistics as pystatistics
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from lstm_spec.bench import benchmarking, instrument
from lstm_spec.bench.speed_runs import (RESULTS, SIDES, Measurements, Settings, SpeedRunError, kept_runs,
                                        prepare, read_runs, run_interleaved, slug, write_json)
from lstm_spec.bench.statistics import (CONFIDENCE, DEFAULT_THRESHOLD, FASTER, NO_CHANGE, SLOWER, RatioInterval,
                                        SpeedStatisticsError, pair_ratio_spread, ratio_interval,
                                        same_side_spread)
from lstm_spec.versions.sides import Side, resolve
from lstm_spec.versions.pins import VersionSpecError

# The report's Speed section: the command's small grid with fewer pairs, to stay within 6 minutes (a pair
# took 31-38 s here, 38 with a Keras 2 side: 9 pairs were 6.0 min); it flags a 2x slowdown, and states
# per point the smallest change it could show.
REPORT_PAIRS = 8
REPORT_SETTINGS = Settings(pairs=REPORT_PAIRS)
RATIO_TICKS = (0.25, 0.5, 0.67, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 4.0)
VERDICT_MARKS = {SLOWER: "SLOWER", FASTER: "faster", NO_CHANGE: "no detectable change"}


@dataclass(frozen=True)
class PointComparison:
    """One grid point and path compared across the two sides."""

    label: str
    path: str
    before: tuple[float, ...]  # per-process median wall times, seconds, in pair order
    after: tuple[float, ...]
    interval: RatioInterval
    verdict: str
    cpu_ratio: float | None  # median(B) / median(A) of per-process median CPU times
    spread: float  # the larger same-side spread of the two sides

    @property
    def pair_spread(self) -> float:
        return pair_ratio_spread(self.before, self.after)

    @property
    def median_before(self) -> float:
        return pystatistics.median(self.before)

    @property
    def median_after(self) -> float:
        return pystatistics.median(self.after)


@dataclass
class SpeedComparison:
    before: str
    after: str
    settings: Settings
    threshold: float
    points: list[PointComparison]
    one_side_only: list[str]
    measurements: Measurements
    folder: Path

    def with_verdict(self, verdict: str) -> list[PointComparison]:
        return [point for point in self.points if point.verdict == verdict]

    def noise_floor(self) -> tuple[float, PointComparison]:
        """The median same-side spread over every point and path, and the point where it is largest."""
        return (pystatistics.median(point.spread for point in self.points),
                max(self.points, key=lambda point: point.spread))

    def pair_noise(self) -> tuple[float, PointComparison]:
        """The median pair-ratio spread over every point and path, and the point where it is largest."""
        return (pystatistics.median(point.pair_spread for point in self.points),
                max(self.points, key=lambda point: point.pair_spread))


def results_folder(before: str, after: str, prefix: str = "") -> Path:
    """Where a comparison keeps its processes' JSON and logs: ``.benchmarks/speed/[report-]A-vs-B-TIME``."""
    return RESULTS / f"{prefix}{slug(before)}-vs-{slug(after)}-{time.strftime('%Y%m%dT%H%M%S')}"


def compare_measurements(measurements: Measurements, threshold: float) -> tuple[list[PointComparison], list[str]]:
    """Every point and path both sides timed in every pair, with its interval and verdict; and the
    labels of those only one side has."""
    points, one_side = [], []
    for key in sorted(measurements.wall):
        times, info = measurements.wall[key], measurements.info[key]
        label = benchmarking.point_label(info)
        if set(times) != set(SIDES) or len(times["A"]) != len(times["B"]):
            one_side.append(f"{label} {info['path']}")
            continue
        interval = ratio_interval(times["A"], times["B"])
        cpu = measurements.cpu.get(key, {})
        cpu_ratio = (pystatistics.median(cpu["B"]) / pystatistics.median(cpu["A"])
                     if set(cpu) == set(SIDES) else None)
        points.append(PointComparison(label, info["path"], tuple(times["A"]), tuple(times["B"]), interval,
                                      interval.verdict(threshold), cpu_ratio,
                                      max(same_side_spread(times["A"]), same_side_spread(times["B"]))))
    return points, one_side


def run_comparison(before: Side, after: Side, settings: Settings, threshold: float, folder: Path) -> SpeedComparison:
    """Prepares both sides' environments, runs their processes in pairs taking turns and compares them."""
    settings.check()
    folder.mkdir(parents=True, exist_ok=True)
    pythons = {}
    for letter, side in zip(SIDES, (before, after)):
        print(f"speed: preparing side {letter}: {side.name}", file=sys.stderr, flush=True)
        pythons[letter] = prepare(side, folder / f"prepare-{letter}.log")
    environments = {letter: side.session_environment for letter, side in zip(SIDES, (before, after))}
    runs = run_interleaved(pythons, settings, folder, environments=environments)
    return analyse(before.name, after.name, settings, threshold, folder, runs)


def reread_comparison(folder: Path, threshold: float | None = None) -> SpeedComparison:
    """The comparison of the processes kept in ``folder``, analysed again (at ``threshold``, or the
    one it was run with) without running anything."""
    runs = kept_runs(folder)
    try:
        recorded = json.loads((folder / "comparison.json").read_text())
        # Records from before lockstep ran their processes one after the other.
        settings = Settings(**{"lockstep": False, **recorded["settings"],
                               "tf_threads": tuple(recorded["settings"]["tf_threads"])})
        before, after = recorded["before"], recorded["after"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SpeedRunError(f"{folder / 'comparison.json'}: not the record of a speed comparison ({error}); "
                            "name a folder that `speed` wrote (.benchmarks/speed/A-vs-B-TIME)") from None
    return analyse(before, after, settings, recorded["threshold"] if threshold is None else threshold, folder, runs,
                   record=False)


def analyse(before: str, after: str, settings: Settings, threshold: float, folder: Path,
            runs: list, record: bool = True) -> SpeedComparison:
    """Compares the processes ``runs``; with ``record``, writes ``comparison.json`` into ``folder``."""
    measurements = read_runs(runs)
    points, one_side = compare_measurements(measurements, threshold)
    if not points:
        raise SpeedRunError(f"no grid point was timed on both sides; see the logs in {folder}")
    comparison = SpeedComparison(before, after, settings, threshold, points, one_side, measurements, folder)
    if not record:
        return comparison
    write_json(folder / "comparison.json", {
        "before": before, "after": after, "settings": asdict(settings), "threshold": threshold,
        "confidence": CONFIDENCE, "points": [asdict(point) for point in points], "one_side_only": one_side,
        "skipped": measurements.skipped, "versions": {side: versions(measurements, side) for side in SIDES}})
    return comparison


def versions(measurements: Measurements, side: str) -> dict[str, str]:
    return measurements.machine.get(side, {}).get("lstm_spec", {}).get("versions", {})


def side_label(comparison: SpeedComparison, side: str) -> str:
    name = comparison.before if side == "A" else comparison.after
    recorded = comparison.measurements.machine.get(side, {}).get("lstm_spec", {})
    found = [f"{package} {version}" for package, version in recorded.get("versions", {}).items()]
    if recorded.get("keras_backend", "tensorflow") != "tensorflow":
        found.append(f"on the {recorded['keras_backend']} backend")
    return f"{name} ({', '.join(found)})" if found else name


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3g}"


def table_rows(comparison: SpeedComparison) -> list[dict[str, str]]:
    return [{"point": point.label, "path": point.path, "A median ms": _ms(point.median_before),
             "B median ms": _ms(point.median_after), "B/A": f"{point.interval.ratio:.3f}",
             f"{CONFIDENCE:.0%} interval": f"{point.interval.low:.3f}-{point.interval.high:.3f}",
             "+-": f"{point.interval.half_width():.1%}",
             "CPU B/A": f"{point.cpu_ratio:.3f}" if point.cpu_ratio else "-",
             "same-side spread": f"{point.spread:.1%}", "verdict": VERDICT_MARKS[point.verdict]}
            for point in comparison.points]


def describe_method(comparison: SpeedComparison) -> str:
    settings, threshold = comparison.settings, comparison.threshold
    order = ("in lockstep (both processes of a pair alive, taking turns round by round, A or B starting "
             "in turn)" if settings.lockstep else "interleaved (A, B, A, B, ...)")
    return (f"{settings.pairs} process pairs {order} of the '{settings.grid}' grid; "
            f"per point and path the ratio B/A of the two processes' median times in each pair, "
            f"their geometric mean with a {CONFIDENCE:.0%} interval "
            f"(t interval of the log ratios over the pairs, scipy.stats.ttest_1samp); slower only when the whole interval is above {1 + threshold:.2f}, "
            f"faster only when it is below {1 / (1 + threshold):.3f}. TensorFlow threads intra-op,inter-op = "
            "{},{}".format(*settings.tf_threads)
            + (f"; every process pinned to CPU {settings.cpu}" if settings.cpu is not None else "")
            + (f"; TEST HOOK: B's predict() slowed {settings.slow_after}x" if settings.slow_after != 1.0 else ""))


def summary_lines(comparison: SpeedComparison) -> list[str]:
    median_spread, worst = comparison.noise_floor()
    median_pair_spread, widest = comparison.pair_noise()
    counts = {verdict: len(comparison.with_verdict(verdict)) for verdict in (SLOWER, FASTER, NO_CHANGE)}
    lines = [f"speed {side_label(comparison, 'A')} -> {side_label(comparison, 'B')}: "
             f"{counts[SLOWER]} slower, {counts[FASTER]} faster, {counts[NO_CHANGE]} no detectable change "
             f"(of {len(comparison.points)} points x paths)",
             f"noise floor (same-side processes): median spread {median_spread:.1%}, largest {worst.spread:.1%} "
             f"({worst.label} {worst.path}); a pair's ratio B/A strays by a median "
             f"{median_pair_spread:.1%} (largest "
             f"{widest.pair_spread:.1%}, {widest.label} {widest.path}): what the pairs share, such as the "
             "machine's drift, moves the sides but not the ratio, so this is what widens the intervals"]
    noisy = [point for point in comparison.points
             if point.verdict == NO_CHANGE and not point.interval.resolves(comparison.threshold)]
    if noisy:
        lines.append(f"WARNING: {len(noisy)} of {len(comparison.points)} points x paths could not resolve a "
                     f"{comparison.threshold:.0%} change (interval wider than +-{comparison.threshold:.0%} around "
                     f"the ratio: {', '.join(f'{point.label} {point.path}' for point in noisy[:3])}"
                     f"{', ...' if len(noisy) > 3 else ''}); for them 'no detectable change' means 'cannot tell'. "
                     "Rerun when the machine is quiet, or with more --pairs")
    for side in SIDES:
        for reason, cases in comparison.measurements.skipped[side].items():
            lines.append(f"skipped on {side} ({cases} cases): {reason}")
    if comparison.one_side_only:
        lines.append(f"timed on one side only: {', '.join(comparison.one_side_only)}")
    return lines


def plot_ratios(comparison: SpeedComparison, output: Path) -> Path:
    """A PNG of every point's ratio B/A with its interval (one marker per point and path) and a band
    for the threshold."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = comparison.points
    figure, axis = plt.subplots(figsize=(9, 1.6 + 0.28 * len(points)))
    low, high = 1 / (1 + comparison.threshold), 1 + comparison.threshold
    axis.axvspan(low, high, color="0.9", label=f"no detectable change band ({low:.3f}-{high:.2f})")
    axis.axvline(1.0, color="0.5", linewidth=0.8)
    markers = dict(zip(benchmarking.PATHS, "osD^v"))
    for path in [path for path in benchmarking.PATHS if any(point.path == path for point in points)]:
        rows = [(row, point) for row, point in enumerate(points) if point.path == path]
        axis.errorbar([point.interval.ratio for _, point in rows], [row for row, _ in rows],
                      xerr=[[point.interval.ratio - point.interval.low for _, point in rows],
                            [point.interval.high - point.interval.ratio for _, point in rows]],
                      fmt=markers[path], capsize=3, label=benchmarking.PATHS[path])
    axis.set_yticks(range(len(points)), [f"{point.label} {point.path}" for point in points], fontsize=7)
    axis.invert_yaxis()
    axis.set_xscale("log")
    shown = [point.interval.low for point in points] + [point.interval.high for point in points] + [low, high]
    ticks = [tick for tick in RATIO_TICKS if min(shown) / 1.2 <= tick <= max(shown) * 1.2]
    axis.set_xticks(ticks, [f"{tick:g}" for tick in ticks])
    axis.minorticks_off()
    axis.set_xlabel(f"time ratio B/A (after/before) with {CONFIDENCE:.0%} interval; right of the band: slower")
    axis.set_title(f"A: {side_label(comparison, 'A')}\nB: {side_label(comparison, 'B')}\n"
                   f"{comparison.settings.pairs} process pairs"
                   f"{' in lockstep' if comparison.settings.lockstep else ', A then B'}, '{comparison.settings.grid}' grid",
                   fontsize=8)
    axis.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.5 / len(points) - 0.12), ncol=2)
    figure.tight_layout()
    figure.savefig(output, dpi=100)
    plt.close(figure)
    return output


@dataclass(frozen=True)
class SpeedSection:
    """What the upgrade report adds: its "Speed" Markdown section and lines for its printed summary."""

    markdown: str
    summary: list[str]


def report_section(before: Side, after: Side, report: Path, *, skip: bool = False,
                   settings: Settings = REPORT_SETTINGS, threshold: float = DEFAULT_THRESHOLD,
                   kept: Path | None = None, pairs: int | None = None) -> SpeedSection:
    """The upgrade report's "Speed" section for ``report`` (its PNG written beside it as
    ``<report>-speed.png``); when ``skip`` is set or the comparison cannot be made, the section says so.
    With ``kept``, the processes kept in that folder by an earlier run are analysed again instead;
    ``pairs`` replaces the settings' pair count (the report's ``--speed-pairs``)."""
    out = ["", "## Speed", ""]
    if skip:
        return SpeedSection("\n".join(out + ["Not measured (`--no-speed`, or a side that did not run).", ""]), [])
    if pairs is not None:
        settings = replace(settings, pairs=pairs)
    folder = results_folder(before.name, after.name, "report-")
    started = time.monotonic()
    try:
        comparison = (reread_comparison(kept, threshold) if kept
                      else run_comparison(before, after, settings, threshold, folder))
    except (SpeedRunError, SpeedStatisticsError, VersionSpecError) as error:
        return SpeedSection("\n".join(out + ["Not measured: " + str(error).replace("\n", "\n    "), ""]),
                            [f"- speed not measured: {str(error).splitlines()[0]}"])
    png = plot_ratios(comparison, report.with_name(f"{report.stem}-speed.png"))
    minutes = (time.monotonic() - started) / 60
    lines = summary_lines(comparison)
    settings = comparison.settings
    cost = (f"analysed again from the processes kept in `{kept.name}` (`speed --from`)" if kept
            else f"{minutes:.1f} min here")
    out += [f"`python3 suite.py speed {before.name} {after.name} --grid {settings.grid} --pairs {settings.pairs}`, "
            f"{cost}: {describe_method(comparison)}. A is {before.name}, B is {after.name}. "
            "The same-side spread is how far processes of one side disagree (largest / smallest median, this "
            "run's noise floor); +- is how far the interval reaches from the ratio, the smallest change that "
            "point can show; "
            "CPU B/A is the ratio of process CPU time per call, which load from other programs inflates "
            "less than wall time.", "", *[f"- {line}" for line in lines], "",
            f"![ratios B/A with their intervals]({png.name})", ""]
    rows = table_rows(comparison)
    out += ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(row.values()) + " |" for row in rows]
    return SpeedSection("\n".join(out) + "\n", [f"- {lines[0]}", f"- {lines[1]}"])


def parse_threads(text: str) -> tuple[int, int]:
    try:
        return instrument.thread_counts(text)
    except instrument.BenchmarkSetupError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_cpu(text: str) -> int | None:
    if text == "none":
        return None
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: give a CPU number such as 1, or none to leave the "
                                         "processes unpinned")
    return int(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 suite.py speed", description=__doc__.split("\n\n")[0])
    defaults = Settings()
    parser.add_argument("before", nargs="?", help="side A: locked, keras2, jax, torch, tf-keras, 2.15.1, 3.14.0, "
                        "keras-nightly (as `report` names them)")
    parser.add_argument("after", nargs="?", help="side B (same forms); the ratios are B/A")
    parser.add_argument("--from", dest="kept", type=Path, metavar="FOLDER",
                        help="run nothing: analyse again the processes an earlier comparison kept in FOLDER "
                        "(e.g. with another --threshold)")
    parser.add_argument("--pairs", type=int, default=defaults.pairs, help=f"process pairs (default {defaults.pairs})")
    parser.add_argument("--grid", choices=sorted(benchmarking.GRIDS), default=defaults.grid,
                        help=f"size grid and paths (default {defaults.grid}, as in the report; "
                        "default: bench's 60 cases)")
    parser.add_argument("--threshold", type=float,
                        help=f"the change that counts, as a fraction (default {DEFAULT_THRESHOLD}; with --from, "
                        "the one the comparison was run with)")
    parser.add_argument("--slow-after", type=float, default=1.0, metavar="FACTOR",
                        help="test hook: make B's predict() FACTOR times slower (sets LSTM_SPEC_SLOW_PREDICT)")
    parser.add_argument("--tf-threads", type=parse_threads, default=defaults.tf_threads, metavar="INTRA,INTER",
                        help="TensorFlow's thread pools in the timed processes (default {},{})".format(
                            *defaults.tf_threads))
    parser.add_argument("--max-time", type=float, default=defaults.max_time,
                        help=f"seconds of timed rounds per case and process (default {defaults.max_time})")
    parser.add_argument("--min-rounds", type=int, default=defaults.min_rounds,
                        help=f"timed rounds per case at least, however long they take (default {defaults.min_rounds})")
    parser.add_argument("--cpu", type=parse_cpu, default=defaults.cpu, metavar="N|none",
                        help="a CPU to pin every timed process to (default none: the OS places them; pinned, "
                        "predict()'s threads share one CPU and it runs slower and less steadily)")
    parser.add_argument("--no-lockstep", dest="lockstep", action="store_false",
                        help="run each pair's processes one after the other (A, then B) instead of together, "
                        "taking turns round by round")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false", help="no warm-up rounds before timing")
    parser.add_argument("--gc-in-timing", dest="gc_off", action="store_false",
                        help="leave the garbage collector on inside the timed region")
    parser.add_argument("--out", type=Path,
                        help="folder for the JSON, logs and PNG (default .benchmarks/speed/A-vs-B-TIME)")
    arguments = parser.parse_args(argv)
    settings = Settings(grid=arguments.grid, pairs=arguments.pairs, tf_threads=arguments.tf_threads,
                        max_time=arguments.max_time, min_rounds=arguments.min_rounds, warmup=arguments.warmup,
                        gc_off=arguments.gc_off, slow_after=arguments.slow_after, cpu=arguments.cpu,
                        lockstep=arguments.lockstep)
    threshold_given, arguments.threshold = arguments.threshold, (
        DEFAULT_THRESHOLD if arguments.threshold is None else arguments.threshold)
    if arguments.threshold < 0:
        parser.error(f"--threshold {arguments.threshold}: give a fraction >= 0, e.g. 0.10 for 10%")
    sides = [name for name in (arguments.before, arguments.after) if name is not None]
    if (arguments.kept is None and len(sides) != 2) or (arguments.kept is not None and sides):
        parser.error("name the two sides (speed A B), or --from FOLDER without them to analyse kept processes again")
    folder = arguments.kept or arguments.out or results_folder(arguments.before, arguments.after)
    try:
        if arguments.kept:
            comparison = reread_comparison(arguments.kept, threshold_given)
        else:
            # Each name resolved once, here: one nothing can install is refused before any environment is built.
            before, after = resolve(arguments.before), resolve(arguments.after)
            comparison = run_comparison(before, after, settings, arguments.threshold, folder)
    except (SpeedRunError, SpeedStatisticsError, VersionSpecError) as error:
        print(f"speed: {error}", file=sys.stderr)
        return 2
    print(benchmarking.aligned_table(table_rows(comparison)))
    print(describe_method(comparison))
    print("\n".join(summary_lines(comparison)))
    if arguments.kept and arguments.out:
        arguments.out.mkdir(parents=True, exist_ok=True)
    png = plot_ratios(comparison, (arguments.out or folder) / ("ratios-again.png" if arguments.kept else "ratios.png"))
    print(f"JSON of every process, comparison.json and {png.name} in {folder}")
    return 1 if comparison.with_verdict(SLOWER) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
