"""``tools/spec_run_cost.py``: pairs in order, medians and ratios from hand-picked times, clear refusals."""

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "spec_run_cost", Path(__file__).resolve().parents[1] / "tools" / "spec_run_cost.py")
cost = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(cost)


def stand_in(times: dict, failing=None):
    """A runner that returns the next (wall, CPU) listed for each command (no process starts) and logs the order:
    ``import``, ``specs`` (this checkout) or ``specs in DIR``."""
    order, left = [], {name: list(values) for name, values in times.items()}

    def run(command, cwd):
        name = "import" if command == cost.IMPORT else "specs" if cwd == cost.ROOT else f"specs in {cwd}"
        order.append(name)
        wall, cpu = left[name].pop(0)
        return cost.Timed(wall, cpu, 1 if name == failing else 0, f"{name} output\n940 passed, 16 skipped in 1.00s\n")

    return run, order


def test_pairs_alternate_and_medians_give_the_ratio(capsys):
    """Three pairs run import, specs, import, specs, ...; the last lines are each median and their ratios."""
    run, order = stand_in({"import": [(6.0, 5.0), (5.0, 6.0), (7.0, 7.0)],
                           "specs": [(40.0, 50.0), (20.0, 30.0), (38.0, 45.0)]})
    assert 0 == cost.main([], run=run)
    assert ["import", "specs"] * 3 == order
    lines = capsys.readouterr().out.splitlines()
    assert ("pair 2: import 5.00 s (6.00 s CPU), specs 20.00 s (30.00 s CPU): 4.00x "
            "[940 passed, 16 skipped in 1.00s]") == lines[1]
    assert "CPU seconds: import 6.00, specs 45.00: 7.50x" == lines[-2]
    assert ("median of 3: import 6.00 s, specs 38.00 s: 6.33x (above the aim of at most 6x)") == lines[-1]


def test_against_another_checkout_takes_turns(tmp_path, capsys):
    """With --against DIR each pair also runs DIR's specs, this checkout's first in odd pairs, DIR's in even ones."""
    (tmp_path / "specs").mkdir()
    other = f"specs in {tmp_path}"
    run, order = stand_in({"import": [(3.0, 3.0)] * 3, "specs": [(18.0, 20.0)] * 3, other: [(27.0, 30.0)] * 3})
    assert 0 == cost.main(["--against", str(tmp_path)], run=run)
    assert ["import", "specs", other, "import", other, "specs", "import", "specs", other] == order
    lines = capsys.readouterr().out.splitlines()
    assert lines[-4:] == ["CPU seconds: import 3.00, specs 20.00: 6.67x",
                          "median of 3: import 3.00 s, specs 18.00 s: 6.00x (within the aim of at most 6x)",
                          f"CPU seconds: import 3.00, specs in {tmp_path} 30.00: 10.00x",
                          f"median of 3: import 3.00 s, specs in {tmp_path} 27.00 s: 9.00x "
                          "(above the aim of at most 6x)"]


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


def test_against_a_folder_without_specs_is_refused(tmp_path, capsys):
    """--against a folder that is no checkout stops before anything runs, saying how to make one."""
    run, order = stand_in({})
    with pytest.raises(SystemExit) as stopped:
        cost.main(["--against", str(tmp_path)], run=run)
    assert (2, []) == (stopped.value.code, order)
    assert f"--against {tmp_path}: no specs/ folder there; name the root of another checkout" in capsys.readouterr().err


def test_a_failing_spec_run_stops_the_measurement(capsys):
    """A spec run that fails ends the tool with exit 1 and the end of its output, before any median."""
    run, order = stand_in({"import": [(6.0, 6.0)] * 3, "specs": [(30.0, 30.0)] * 3}, failing="specs")
    assert 1 == cost.main([], run=run)
    assert ["import", "specs"] == order
    captured = capsys.readouterr()
    assert f"the spec run in {cost.ROOT} failed (exit 1), so its time says nothing:\nspecs output" in captured.err
    assert "median" not in captured.out


def test_timed_counts_the_cpu_of_the_process_and_its_children():
    """A real process: its wall time, CPU seconds including a child it waited for, exit status and output."""
    busy = "import time\nend = time.process_time() + 0.2\nwhile time.process_time() < end: pass\n"
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {busy!r}]); print('done'); sys.exit(3)"
    result = cost.timed([cost.sys.executable, "-c", child])
    assert (result.status, result.output) == (3, "done\n")
    assert result.cpu >= 0.2 and result.wall >= 0.2
