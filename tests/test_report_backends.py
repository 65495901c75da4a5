"""The upgrade report names the Keras backend each side ran on, and that backend's engine version."""

import textwrap

import pytest

from lstm_spec.versions.sides import BACKEND_SESSIONS
from lstm_spec.versions.comparison import compare
from lstm_spec.versions.side_results import WHOLE_MODULE, Outcome, SideResult, read_outcomes
from lstm_spec.versions.upgrade_report import render_markdown, summary_lines

LOCKED = {"tensorflow": "2.21.0", "keras": "3.15.1", "numpy": "2.4.6"}
ENGINES = {"jax": {"jax": "0.10.2", "jaxlib": "0.10.2"}, "torch": {"torch": "2.13.0+cpu"}}


def backend_side(session: str) -> SideResult:
    """A side run by nox session ``session`` of the locked Keras, with that backend's engine installed."""
    return SideResult(session, session, python="3.11.7", packages={**LOCKED, **ENGINES.get(session, {})})


@pytest.mark.parametrize("session, label", [
    ("jax", "jax (JAX 0.10.2 backend, Keras 3.15.1; TensorFlow 2.21.0 installed beside it)"),
    ("torch", "torch (PyTorch 2.13.0+cpu backend, Keras 3.15.1; TensorFlow 2.21.0 installed beside it)"),
    ("locked", "locked (TensorFlow 2.21.0, Keras 3.15.1)"),
], ids=["session=jax", "session=torch", "session=locked"])
def test_a_sides_label_names_its_backend_and_engine_version(session, label):
    """A JAX or PyTorch side's label leads with its backend and engine version; a TensorFlow side's stays as it was."""
    assert label == backend_side(session).label


@pytest.mark.parametrize("session, engine", [("jax", "JAX 0.10.2"), ("torch", "PyTorch 2.13.0+cpu")],
                         ids=["session=jax", "session=torch"])
def test_a_backend_reports_header_and_package_list_name_the_engine(session, engine):
    """TensorFlow -> a backend: the after line, the packages line and the engine rows name the engine and its version."""
    comparison = compare(backend_side("locked"), backend_side(session))
    markdown = render_markdown(comparison, f"python3 suite.py report locked {session}")
    assert f"- after: {session} ({engine} backend, Keras 3.15.1; TensorFlow 2.21.0 installed beside it)" in markdown
    packages = markdown.split("## Package versions")[1]
    assert f"Keras' backend: TensorFlow 2.21.0 on locked, {engine} on {session}." in packages
    engine_rows = [f"| {package} | (absent) | {version} |" for package, version in sorted(ENGINES[session].items())]
    assert [] == [row for row in engine_rows if row not in packages.splitlines()]
    differ = ", ".join(f"{package} (absent) -> {version}" for package, version in sorted(ENGINES[session].items()))
    assert f"({differ})" in summary_lines(comparison)[-1]


def test_an_engine_a_side_lacks_is_said_not_hidden():
    """A torch side whose freeze holds no torch says so rather than naming no version."""
    side = SideResult("torch", "torch", packages=dict(LOCKED))
    assert side.label.startswith("torch (PyTorch (not installed) backend, ")


def test_the_backend_sessions_are_the_noxfiles(noxfile):
    """Every session the noxfile runs on another backend than TensorFlow is one the report knows, and no other."""
    deploy_sessions = {f"deploy-{backend}" for backend in noxfile.DEPLOY_BACKEND_LOCKS}
    assert set(noxfile.BACKEND_LOCKS) | deploy_sessions == set(BACKEND_SESSIONS)
    assert {session: BACKEND_SESSIONS[session] for session in deploy_sessions} == {
        f"deploy-{backend}": backend for backend in noxfile.DEPLOY_BACKEND_LOCKS}


# What pytest's JUnit XML holds for a module skipped at collection (PyTorch's specs on TensorFlow).
COLLECTION_SKIP = """\
    <testsuites><testsuite>
    <testcase classname="" name="specs.test_32_torch_shapes" time="0.000"><skipped message="collection skipped">\
    ('/tmp/tree/specs/test_32_torch_shapes.py', 17, 'Skipped: PyTorch is not installed: run `python3 suite.py matrix torch`')\
    </skipped></testcase>
    <testcase classname="specs.test_01_input" name="test_a" time="0.1"/>
    </testsuite></testsuites>"""
NOT_INSTALLED = "PyTorch is not installed: run `python3 suite.py matrix torch`"


def test_a_module_skipped_at_collection_reads_as_that_module_with_its_reason(tmp_path):
    """The class-less case of a module skipped at collection is that module, whole, with the skip's own reason."""
    junit = tmp_path / "junit.xml"
    junit.write_text(textwrap.dedent(COLLECTION_SKIP))
    assert {
        f"test_32_torch_shapes::{WHOLE_MODULE}": Outcome("test_32_torch_shapes", WHOLE_MODULE, "skipped", NOT_INSTALLED),
        "test_01_input::test_a": Outcome("test_01_input", "test_a", "passed"),
    } == read_outcomes(junit)


def with_outcomes(session: str, *outcomes: Outcome) -> SideResult:
    side = backend_side(session)
    side.outcomes = {f"{outcome.module}::{outcome.test}": outcome for outcome in outcomes}
    return side


def test_a_module_one_side_skips_whole_is_one_difference_with_the_other_sides_counts():
    """Skipped whole on TensorFlow, run test by test on PyTorch: one line for the module, the PyTorch side counted."""
    module = "test_32_torch_shapes"
    before = with_outcomes("locked", Outcome(module, WHOLE_MODULE, "skipped", NOT_INSTALLED),
                           Outcome("test_01_input", "test_a", "passed"))
    after = with_outcomes("torch", Outcome(module, "test_x[1]", "passed"), Outcome(module, "test_x[2]", "passed"),
                          Outcome(module, "test_y", "skipped", "needs a GPU"), Outcome("test_01_input", "test_a", "passed"))
    comparison = compare(before, after)
    folded = Outcome(module, WHOLE_MODULE, "passed", "its 3 tests: 2 passed, 1 skipped, 0 failed")
    assert {module: [(WHOLE_MODULE, before.outcomes[f"{module}::{WHOLE_MODULE}"], folded)]} == comparison.outcomes
    assert f"- 1 spec outcome differs, in 1 behaviour: {module}" == summary_lines(comparison)[2]


def test_a_module_failing_in_one_test_of_many_folds_to_failed():
    """One failure among the tests of a module the other side skipped whole makes the folded outcome failed."""
    module = "test_33_torch_state_order"
    before = with_outcomes("locked", Outcome(module, WHOLE_MODULE, "skipped", NOT_INSTALLED))
    after = with_outcomes("torch", Outcome(module, "test_a", "passed"), Outcome(module, "test_b", "failed", "boom"))
    [(_, _, folded)] = compare(before, after).outcomes[module]
    assert ("failed", "its 2 tests: 1 passed, 0 skipped, 1 failed") == (folded.outcome, folded.message)
