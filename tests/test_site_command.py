"""``python3 suite.py site``: the site's nox session, with sphinx-build's arguments passed through."""

import pytest

import suite
from lstm_spec.living_docs import site_build


@pytest.fixture
def ran(monkeypatch) -> list:
    """The commands site_build would run, recorded instead of run."""
    commands = []

    class Done:
        returncode = 0

    def record(command, **kwargs):
        commands.append(command)
        return Done()

    monkeypatch.setattr(site_build.subprocess, "run", record)
    return commands


def test_site_runs_the_nox_site_session_in_this_checkout(ran):
    """``site -E`` runs ``nox --sessions site -- -E`` with this checkout's noxfile and .nox folder."""
    assert site_build.main(["-E"]) == 0
    [command] = ran
    assert command[1:3] == ["-m", "nox"]
    assert command[command.index("--noxfile") + 1].endswith("noxfile.py")
    assert command[command.index("--envdir") + 1].endswith(".nox")
    assert command[command.index("--sessions") + 1:] == ["site", "--", "-E"]


def test_site_help_says_what_it_builds_and_runs_nothing(ran, capsys):
    """``site --help`` prints the usage and where the site goes, and runs no nox."""
    assert site_build.main(["--help"]) == 0
    assert ran == []
    out = capsys.readouterr().out
    assert out.startswith("usage: python3 suite.py site [sphinx-build arguments]") and "build/site/html" in out


def test_suite_lists_the_site_command():
    """suite.py's tools include ``site``, run as lstm_spec.living_docs.site_build."""
    assert suite.TOOLS["site"][1] == "lstm_spec.living_docs.site_build"
