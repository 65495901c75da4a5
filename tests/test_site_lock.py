"""requirements/docs-lock.txt: the site's tools, exact pins, installable beside requirements/lock.txt."""

from pathlib import Path

import pytest

from lstm_spec.versions.pins import lock_pins

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements"


@pytest.fixture(scope="module")
def docs_pins() -> dict[str, str]:
    """The pins of requirements/docs-lock.txt, by normalized name."""
    return lock_pins((REQUIREMENTS / "docs-lock.txt").read_text())


def test_every_line_is_an_exact_pin():
    """Each requirement line of the docs lock names one exact version (name==version)."""
    lines = [line for line in (REQUIREMENTS / "docs-lock.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines and all(line.count("==") == 1 and " " not in line for line in lines), lines


def test_pins_the_site_tools(docs_pins):
    """Sphinx, MyST-Parser, Sphinx-Gallery and the theme, Furo, are pinned (noxfile.py's site_lock re-resolves from them)."""
    assert {"sphinx", "myst-parser", "sphinx-gallery", "furo"} <= set(docs_pins)


def test_shares_no_package_with_the_test_lock_and_holds_no_framework(docs_pins):
    """No package is pinned by both locks (they install together), and no framework: TensorFlow comes from lock.txt."""
    locked = lock_pins((REQUIREMENTS / "lock.txt").read_text())
    assert set(docs_pins) & set(locked) == set()
    assert set(docs_pins) & {"tensorflow", "keras", "tf-keras", "jax", "torch"} == set()
