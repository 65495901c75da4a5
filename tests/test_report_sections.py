"""The report is a thin writer over its sections, and a side carries its environment into its run."""

import io

import pytest

from lstm_spec.versions import comparison, side_run, upgrade_report
from lstm_spec.versions.report_sections import (SECTIONS, defaults, deployment, outcomes, packages, saved_models,
                                               values)
from lstm_spec.versions.side_results import SideResult
from lstm_spec.versions.sides import FIXED, resolve
from test_upgrade_report import arrays, eager_calls_as_inference, fresh_keras_session  # noqa: F401 (fixtures)
from test_upgrade_report_writing import upgrade


def test_the_page_is_its_sections_in_order_after_the_heading(monkeypatch):
    """Each section gets the two results and its lines go on the page in the order of SECTIONS, after the summary."""
    before, after = upgrade()
    received = []

    def first(*results):
        received.append(("first", results))
        return ["## First", ""]

    def second(*results):
        received.append(("second", results))
        return ["## Second", ""]

    monkeypatch.setattr(upgrade_report, "SECTIONS", [first, second])
    markdown = upgrade_report.render_markdown(comparison.compare(before, after), "report")
    assert [("first", (before, after)), ("second", (before, after))] == received
    assert markdown.endswith("\n## First\n\n## Second\n\n")
    assert markdown.index("## Summary") < markdown.index("## First")


def test_the_report_lists_its_sections_each_from_its_own_module():
    """The report's sections are the section modules' functions, outcomes first, packages last."""
    assert [outcomes.section, values.section, saved_models.section, deployment.section, defaults.section,
            packages.section] == SECTIONS


def test_the_sections_share_one_comparison_per_page(monkeypatch):
    """However many sections ask, the two results are compared once for a page."""
    calls = []
    real = comparison.compare
    monkeypatch.setattr(comparison, "compare", lambda *results: calls.append(results) or real(*results))
    before, after = upgrade()
    upgrade_report.render_markdown(real(before, after), "report")
    assert [(before, after)] == calls


def test_a_page_of_results_changed_since_the_last_page_is_compared_afresh():
    """The shared comparison is cleared per page: a result changed between two pages shows on the second."""
    before, after = upgrade()
    first = upgrade_report.render_markdown(comparison.compare(before, after), "report")
    after.packages["numpy"] = "2.0.0"
    second = upgrade_report.render_markdown(comparison.compare(before, after), "report")
    assert ("| numpy | 1.26.4 | 1.26.4 |" in first, "| numpy | 1.26.4 | 2.0.0 |" in second) == (True, True)


@pytest.mark.parametrize("name, session, variables", [("tf-keras", "tf-keras", {"TF_USE_LEGACY_KERAS": "1"}),
                                                       ("keras2", "keras2", {})], ids=["tf-keras", "keras2"])
def test_a_side_runs_with_its_own_and_the_callers_environment(tmp_path, monkeypatch, name, session, variables):
    """The run's environment has the side's variables (tf-keras: TF_USE_LEGACY_KERAS=1) and those the caller adds."""
    seen = []
    monkeypatch.delenv("TF_USE_LEGACY_KERAS", raising=False)  # a nox session running this test exports 0
    monkeypatch.setattr(side_run.subprocess, "run", lambda command, **options: seen.append((command, options["env"])))
    (tmp_path / "checkout").mkdir()
    side = resolve(name)
    result = side_run.run_side(side, tmp_path / "side", source=tmp_path / "checkout", log=io.StringIO(),
                               environment={"LSTM_SPEC_READ": "/a/saved-models"})
    [(command, environment)] = seen
    assert session == command[command.index("--sessions") + 1]
    assert {**variables, "LSTM_SPEC_READ": "/a/saved-models"}.items() <= environment.items()
    assert ("TF_USE_LEGACY_KERAS" in environment) == bool(variables)
    assert (side, tmp_path / "side" / "collected") == (result.side, result.collected)


def test_every_fixed_side_names_its_session_and_lock():
    """The registry of fixed sides: each names a nox session and a lock under requirements/."""
    assert {"locked", "keras2", "jax", "torch", "tf-keras"} <= set(FIXED)
    assert all(fixed.lock.parent.name == "requirements" and fixed.lock.suffix == ".txt" for fixed in FIXED.values())
    assert ("tf-keras", "tensorflow") == (resolve("tf-keras").session, resolve("tf-keras").backend)


def test_results_compare_by_identity():
    """Two results read alike are still two results: the shared comparison never mixes them up."""
    assert SideResult("a", "locked") != SideResult("a", "locked")
