"""Lockstep pairs of benchmark processes (lstm_spec.bench.turns and speed_runs): the two sides take
turns so that no work of one overlaps a timed round of the other, without TensorFlow."""

import os
import threading
import time

import pytest

from lstm_spec.bench import turns

SIDES = ("A", "B")


@pytest.fixture
def speed_runs():
    """lstm_spec.bench.speed_runs, whose statistics need scipy (not in the Keras 2 lock; turns.py does not)."""
    pytest.importorskip("scipy", reason="scipy is not in the Keras 2 lock: the speed comparison runs from .venv "
                        "(python3 suite.py speed)")
    from lstm_spec.bench import speed_runs

    return speed_runs


class Timeline:
    """What two threads playing the two processes did, in order."""

    def __init__(self):
        self.events: list[str] = []
        self.lock = threading.Lock()

    def add(self, event: str) -> None:
        with self.lock:
            self.events.append(event)


def play(side: turns.Turns, name: str, timeline: Timeline, tests: int, rounds: int, delay: float = 0.0) -> None:
    """One benchmark process: ``tests`` tests of ``rounds`` timed rounds each, as the benchmark conftest runs them."""
    time.sleep(delay)  # the imports before the first test
    timeline.add(f"{name} imported")
    for test in range(tests):
        side.acquire()
        timeline.add(f"{name} set-up {test}")
        for _ in range(rounds):
            side.next_round()
            timeline.add(f"{name} round")
            time.sleep(0.002)
            timeline.add(f"{name} round end")
    side.finish()


def pair(first: str = "A") -> dict[str, turns.Turns]:
    values, _ = turns.pipes_for_a_pair(first, SIDES)
    return {name: turns.turns_from({turns.TURNS_VARIABLE: value}) for name, value in values.items()}


def run_pair(sides: dict[str, turns.Turns], plans: dict[str, dict]) -> list[str]:
    timeline = Timeline()
    threads = [threading.Thread(target=play, args=(sides[name], name, timeline), kwargs=plan, daemon=True)
               for name, plan in plans.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert [] == [thread.name for thread in threads if thread.is_alive()], "a side is still waiting for its turn"
    return timeline.events


def test_rounds_alternate_and_never_overlap():
    """While both sides run, their timed rounds alternate A, B, A, B and nothing else happens during one."""
    events = run_pair(pair("A"), {"A": {"tests": 2, "rounds": 3}, "B": {"tests": 2, "rounds": 3}})
    rounds = [event for event in events if event.endswith(" round")]
    assert ["A round", "B round"] * 6 == rounds
    for index, event in enumerate(events):
        if event.endswith(" round"):
            assert f"{event} end" == events[index + 1], f"something ran inside a round: {events}"


def test_the_second_side_may_start_and_its_imports_overlap_no_round():
    """The side that starts waits for the other to reach its first test: no round runs during the other's imports."""
    events = run_pair(pair("B"), {"A": {"tests": 1, "rounds": 2, "delay": 0.3}, "B": {"tests": 1, "rounds": 2}})
    assert events.index("A imported") < events.index("B set-up 0")
    assert ["B round", "A round", "B round", "A round"] == [event for event in events if event.endswith(" round")]


def test_a_side_runs_on_alone_once_the_other_is_done():
    """When one side has no more tests (fewer cases, skips), the other finishes its rounds without waiting."""
    events = run_pair(pair("A"), {"A": {"tests": 1, "rounds": 1}, "B": {"tests": 3, "rounds": 4}})
    assert 12 == events.count("B round")
    assert 1 == events.count("A round")


def test_a_side_that_dies_does_not_stop_the_other():
    """A process that ends without saying so (its pipe closes) leaves the other side running alone."""
    sides = pair("A")
    os.close(sides["B"].write_fd)
    os.close(sides["B"].read_fd)

    def alone():
        sides["A"].acquire()
        sides["A"].next_round()

    thread = threading.Thread(target=alone, daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive() and sides["A"].partner_done
    sides["A"].finish()


@pytest.mark.parametrize("value", ["1,2", "x,y,1", "9998,9999,1"], ids=["two numbers", "not numbers", "closed"])
def test_bad_turns_variable_is_refused(value):
    """LSTM_SPEC_TURNS that does not name two open pipe ends and who starts is refused, saying the form."""
    with pytest.raises(turns.TurnsSetupError, match="give READ_FD,WRITE_FD,FIRST .* unset it to time a process alone"):
        turns.turns_from({turns.TURNS_VARIABLE: value})
    assert turns.turns_from({}) is None


@pytest.mark.parametrize("duration, expected", [(0.1, 10), (0.001, 250), (0.3, 10), (0.02, 13)])
def test_round_count_fills_the_time_with_at_least_the_minimum(duration, expected, monkeypatch):
    """A lockstep case runs max_time / (one warm call) rounds, at least min_rounds (as pytest-benchmark chooses)."""
    clock = iter([0.0, duration])
    monkeypatch.setattr(turns.time, "perf_counter", lambda: next(clock))
    calls = []
    assert expected == turns.round_count(lambda: calls.append(1), max_time=0.25, min_rounds=10)
    assert [1] == calls


def test_each_pair_runs_together_with_open_pipes_and_alternating_first_side(speed_runs, tmp_path):
    """In lockstep both processes of a pair run at once, each given open pipe ends, A starting odd pairs and B even."""
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\nfor argument; do case $argument in --benchmark-json=*) out=${argument#*=};; esac; done\n"
                      "IFS=, read r w first <<EOF\n$LSTM_SPEC_TURNS\nEOF\n"
                      "[ -e /proc/self/fd/$r ] && [ -e /proc/self/fd/$w ] && echo \"open $first\" > $out\n")
    script.chmod(0o755)
    runs = speed_runs.run_interleaved({"A": script, "B": script}, speed_runs.Settings(pairs=3), tmp_path, progress=lambda line: None)
    assert ["open 1", "open 0", "open 0", "open 1", "open 1", "open 0"] == [
        run.json_path.read_text().strip() for run in runs]


def test_without_lockstep_no_turns_are_set(speed_runs, tmp_path):
    """--no-lockstep runs A, then B, with no LSTM_SPEC_TURNS: each process is timed alone."""
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\nfor argument; do case $argument in --benchmark-json=*) out=${argument#*=};; esac; done\n"
                      "echo \"[$LSTM_SPEC_TURNS]\" > $out\n")
    script.chmod(0o755)
    runs = speed_runs.run_interleaved({"A": script, "B": script}, speed_runs.Settings(pairs=3, lockstep=False), tmp_path,
                                      progress=lambda line: None)
    assert ["[]"] * 6 == [run.json_path.read_text().strip() for run in runs]
