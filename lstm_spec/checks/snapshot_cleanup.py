"""Safe ``--snapshot-update``: only a complete, unfiltered run that passed deletes unused snapshots.

A pytest plugin, registered in conftest.py.  With ``--snapshot-update`` syrupy deletes every stored
entry that no assertion of the run used.  That is right only when the run asserted everything it
could: after a ``-k`` that pytest rejects, an ``-x`` stop, a failing spec or Ctrl-C it deletes
entries nobody checked, uncommitted edits with them.  And a run of part of the suite (``-m``,
``--case``, ``--deselect``, a node id) counts the other cases of a spec it ran as unused.

So, just before syrupy finishes the session, this plugin looks at the run: unless it ran the whole
suite (folders only, no ``-k``, ``-m``, ``--case``, ``--deselect``, ``--lf``, ``--sw``), to the end,
and passed, it switches syrupy's unused-snapshot detection off for this run (syrupy's own
``disable_unused_snapshots``): nothing is deleted, no "unused" count is printed or fails the run,
and the summary says why.  ``--snapshot-update`` still writes every entry the run checked and
found moved.  A complete, passing run is left to syrupy as it is.
"""

from __future__ import annotations

import pytest

from lstm_spec.living_docs.selection import selection_reason

FULL_UPDATE = "python3 suite.py test --snapshot-update"
_SKIPPED_DETECTION_WARNING = "--snapshot-disable-unused"  # syrupy's line for its own option


def incomplete_run_reason(session: pytest.Session, exitstatus: int) -> str | None:
    """Why not every selected spec reached its snapshot assertions and passed, None when every one did."""
    if session.config.option.collectonly:
        return "only collected the specs (--collect-only)"
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        return "was interrupted"
    if exitstatus == pytest.ExitCode.USAGE_ERROR:
        return "was refused by pytest (see the error above)"
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        return "ran no spec"
    if exitstatus != pytest.ExitCode.OK:
        failed = session.testsfailed
        stopped = " and stopped early" if session.shouldstop or session.shouldfail else ""
        return f"had {failed} failing spec{'' if failed == 1 else 's'}{stopped}" if failed else "did not pass"
    return None


class SafeSnapshotCleanup:
    """Switches syrupy's unused-snapshot detection off for a partial run, then says so."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.deselected = 0
        self.reason: str | None = None  # why this run may not look for unused snapshots

    def pytest_deselected(self, items) -> None:
        self.deselected += len(items)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session, exitstatus):
        option = self.config.option
        if not option.disable_unused_snapshots:
            self.reason = (incomplete_run_reason(session, exitstatus)
                           or selection_reason(self.config, deselected=self.deselected))
            option.disable_unused_snapshots = bool(self.reason)
        return (yield)  # syrupy's pytest_sessionfinish: writes, and deletes what is unused

    @pytest.hookimpl(wrapper=True)
    def pytest_terminal_summary(self, terminalreporter):
        syrupy = getattr(self.config, "_syrupy", None)
        report = getattr(syrupy, "report", None)
        if report is None or not self.reason:
            return (yield)
        # syrupy's report would blame its --snapshot-disable-unused option, which nobody gave.
        syrupy.report = _ReportWithoutLines(report, _SKIPPED_DETECTION_WARNING)
        try:
            return (yield)
        finally:
            syrupy.report = report

    def message(self) -> str | None:
        """What this run did about unused snapshots, when it was asked to update them."""
        if not (self.reason and self.config.option.update_snapshots):
            return None
        return (f"Unused snapshots: none looked for, none deleted, because this run {self.reason}. "
                f"Only a complete, unfiltered run that passes deletes them: {FULL_UPDATE}")


class _ReportWithoutLines:
    """syrupy's report as its terminal summary reads it, less the lines containing ``text``."""

    def __init__(self, report, text: str):
        self._report, self._text = report, text

    def __getattr__(self, name):
        return getattr(self._report, name)

    @property
    def lines(self):
        return (line for line in self._report.lines if self._text not in line)


def pytest_configure(config):
    # The process that finishes syrupy's session decides (with xdist: the controller, which deletes).
    if not hasattr(config, "workerinput") and config.pluginmanager.hasplugin("syrupy"):
        config.pluginmanager.register(SafeSnapshotCleanup(config), "lstm_spec-safe-snapshot-cleanup")


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, config):
    cleanup = config.pluginmanager.get_plugin("lstm_spec-safe-snapshot-cleanup")
    message = cleanup.message() if cleanup is not None else None
    if message:
        terminalreporter.write_sep("-", "snapshot cleanup", yellow=True)
        terminalreporter.line(message)

