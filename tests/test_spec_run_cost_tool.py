"""``tools/spec_run_cost.py``: pairs in order, medians and ratio from hand-picked times, clear refusals."""

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "spec_run_cost", Path(__file__).resolve().parents[1] / "tools" / "spec_run_cost.py")
cost = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(cost)


def stand_in(times: dict, failing=None):
    """A runner that returns the next time listed for each command (no process starts) and logs the order."""
    order, left = [], {name: list(values) for name, values in times.items()}

    def run(command):
        name = "import" if command == cost.IMPORT else "specs"
        order.append(name)
        status = 1 if name == failing else 0
        return left[name].pop(0), status, f"{name} output\n940 passed, 16 skipped in 1.00s\n"

    return run, order


def test_pairs_alternate_and_medians_give_the_ratio(capsys):
    """Three pairs run import, specs, import, specs, ...; the last line is each median and their ratio."""
    run, order = stand_in({"import": [6.0, 5.0, 7.0], "specs": [40.0, 20.0, 38.0]})
    assert 0 == cost.main([], run=run)
    assert ["import", "specs"] * 3 == order
    lines = capsys.readouterr().out.splitlines()
    assert "pair 2: import 5.00 s, specs 20.00 s (4.00x) [940 passed, 16 skipped in 1.00s]" == lines[1]
    assert ("median of 3: import 6.00 s, specs 38.00 s: 6.33x (above the aim of at most 6x)") == lines[-1]


def test_a_ratio_of_exactly_the_aim_is_within_it():
    """6.00x meets "at most 6x" (issue 30's guard)."""
    assert cost.verdict(5.0, 30.0, 3).endswith("6.00x (within the aim of at most 6x)")


def test_fewer_than_three_pairs_are_refused(capsys):
    """--pairs 2 stops before anything runs, saying why and what to do."""
    run, order = stand_in({})
    with pytest.raises(SystemExit) as stopped:
        cost.main(["--pairs", "2"], run=run)
    assert 2 == stopped.value.code
    assert [] == order
    assert "--pairs 2: a median needs at least 3 pairs (runs here move by 10-30 %); leave it out for 3" in (
        capsys.readouterr().err)


def test_a_failing_spec_run_stops_the_measurement(capsys):
    """A spec run that fails ends the tool with exit 1 and the end of its output, before any median."""
    run, order = stand_in({"import": [6.0] * 3, "specs": [30.0] * 3}, failing="specs")
    assert 1 == cost.main([], run=run)
    assert ["import", "specs"] == order
    captured = capsys.readouterr()
    assert "the spec run failed (exit 1), so its time says nothing:\nspecs output" in captured.err
    assert "median" not in captured.out
