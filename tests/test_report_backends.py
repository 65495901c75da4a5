"""The upgrade report names the Keras backend each side ran on, and that backend's engine version."""

import importlib.util

import pytest

from lstm_spec.versions.matrix import ROOT
from lstm_spec.versions.upgrade_report import BACKEND_SESSIONS, Side, compare, render_markdown, summary_lines

LOCKED = {"tensorflow": "2.21.0", "keras": "3.15.1", "numpy": "2.4.6"}
ENGINES = {"jax": {"jax": "0.10.2", "jaxlib": "0.10.2"}, "torch": {"torch": "2.13.0+cpu"}}


def backend_side(session: str) -> Side:
    """A side run by nox session ``session`` of the locked Keras, with that backend's engine installed."""
    return Side(session, session, python="3.11.7", packages={**LOCKED, **ENGINES.get(session, {})})


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
    side = Side("torch", "torch", packages=dict(LOCKED))
    assert side.label.startswith("torch (PyTorch (not installed) backend, ")


def test_the_backend_sessions_are_the_noxfiles():
    """Every session the noxfile runs on another backend than TensorFlow is one the report knows, and no other."""
    pytest.importorskip("nox", reason="the noxfile imports nox, which this environment's lock lacks")
    spec = importlib.util.spec_from_file_location("noxfile_under_test", ROOT / "noxfile.py")
    noxfile = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(noxfile)
    assert set(noxfile.BACKEND_LOCKS) == set(BACKEND_SESSIONS)
