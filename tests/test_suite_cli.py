"""``suite.py`` as a command-line tool: help, refusals before anything runs, behaviours by number or name."""

import pytest

import suite
from lstm_spec.versions import matrix, upgrade_report


@pytest.fixture
def no_environment(monkeypatch):
    """Fails the test if suite.py would set up .venv or run anything: refusals must come first."""
    def refuse(*args, **kwargs):
        raise AssertionError("suite.py went on to set up or run after bad input")
    monkeypatch.setattr(suite, "ensure_environment", refuse)
    monkeypatch.setattr(suite.subprocess, "run", refuse)


@pytest.mark.parametrize("form", ["--help", "-h", "help"])
def test_help_prints_usage_and_succeeds(form, capsys, no_environment):
    """``--help``, ``-h`` and ``help`` print the usage, every command and the behaviour forms, and exit 0."""
    assert 0 == suite.main([form])
    out = capsys.readouterr().out
    assert out.startswith("usage: python3 suite.py COMMAND [BEHAVIOUR ...] [pytest arguments]")
    for command in (*suite.COMMANDS, *suite.TOOLS):
        assert f"\n  {command} " in out
    assert "--case units=5,batch=1" in out and "`docs 4`" in out


def test_unknown_command_is_refused_with_usage(capsys, no_environment):
    """An unknown command exits 2 naming it, with the usage."""
    assert 2 == suite.main(["tests"])
    err = capsys.readouterr().err
    assert "suite.py: unknown command 'tests'." in err and "usage:" in err


@pytest.mark.parametrize(
    "arguments, told",
    [
        (["docs", "specs/test_99_nope.py"], "suite.py docs: specs/test_99_nope.py does not exist."),
        (["test", "-n", "2", "specs/test_99_nope.py::test_x"], "suite.py test: specs/test_99_nope.py does not exist."),
        (["docs", "99"], "suite.py docs: '99' is no behaviour number or name, nor an existing file."),
        (["list", "return_states"], "suite.py list: 'return_states' is no behaviour number or name, nor an existing file."),
    ],
    ids=["missing file", "missing node id", "unknown number", "unknown name"],
)
def test_missing_spec_is_refused_before_anything_runs(arguments, told, capsys, no_environment):
    """A file that does not exist, or a behaviour nobody wrote, is refused at once with what to do instead."""
    assert 2 == suite.main(arguments)
    err = capsys.readouterr().err
    assert err.startswith(told)
    assert "python3 suite.py list" in err


@pytest.mark.parametrize(
    "command, arguments, expected",
    [
        ("docs", ["4"], ["specs/test_04_return_state.py"]),
        ("docs", ["return_state", "22", "-n", "2"], ["specs/test_04_return_state.py", "specs/test_22_bidirectional.py", "-n", "2"]),
        ("test", ["-k", "4"], ["-k", "4"]),
        ("docs", ["specs/test_04_return_state.py", "5"], ["specs/test_04_return_state.py", "specs/test_05_sequences_and_state.py"]),
        ("matrix", ["keras2", "-k", "time_major"], ["keras2", "-k", "time_major"]),
    ],
    ids=["number", "name and number, then pytest's", "option values untouched", "file then number", "tools untouched"],
)
def test_leading_behaviours_become_spec_files(command, arguments, expected):
    """Numbers and short names before the first option name spec files; what follows goes to pytest as it is."""
    assert expected == suite.spec_arguments(command, arguments)


def test_matrix_help_prints_usage(capsys):
    """``matrix --help`` prints the environments it takes and exits 0."""
    assert 0 == matrix.main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: python3 suite.py matrix NAME [pytest arguments]")
    assert "matrix keras2" in out


@pytest.mark.parametrize("name, said", [
    ("deploy-kera2", "'deploy-kera2' names no environment (did you mean deploy-keras2?): name one of locked, "),
    ("kerass", "'kerass' names no environment (did you mean keras2?): name one of "),
    ("1.15.0", "'1.15.0': the suite runs on TensorFlow 2.x and Keras 3.x, not version 1.15.0; name a TensorFlow"),
], ids=["misspelt session", "misspelt keras2", "a version"])
def test_matrix_says_which_environments_there_are_for_a_name_it_does_not_know(capsys, name, said):
    """A misspelt environment gets the list of environments, the nearest named; a wrong version gets how to name one."""
    assert 2 == matrix.main([name])
    assert f"matrix: {said}" in capsys.readouterr().err


def test_report_refuses_the_same_side_twice(capsys):
    """``report 2.15.1 2.15.1`` is refused at once: both sides are one environment."""
    with pytest.raises(SystemExit) as exit_info:
        upgrade_report.main(["2.15.1", "2.15.1"])
    assert 2 == exit_info.value.code
    assert "are the same environment" in capsys.readouterr().err


@pytest.mark.parametrize("command, arguments, cores, expected", [
    ("test", [], 2, ["-n", "2"]),
    ("test", ["-m", "return_state"], 16, ["-n", "2"]),
    ("test", [], 1, []),
    ("docs", [], 2, []),
    ("test", ["specs/test_04_return_state.py"], 2, []),
    ("test", ["-n", "0"], 2, []),
    ("test", ["-n4"], 2, []),
    ("test", ["--snapshot-update"], 2, []),
    ("test", ["--pdb"], 2, []),
    ("test", ["-p", "no:xdist"], 2, []),
], ids=str)
def test_the_whole_suite_runs_in_two_workers_unless_told(command, arguments, cores, expected):
    """``test`` of the whole suite on two cores or more adds ``-n 2``; one core, another command, a path or the user's
    own choice of processes, a debugger or a snapshot update keeps one process."""
    assert expected == suite.parallel_arguments(command, arguments, cores)
