"""What to ``pip install`` for a version named on the command line (the ``version`` nox session).

A name is read by its first number, because TensorFlow and Keras 3 releases never share one:

    2.20.0, tensorflow==2.20.0   a TensorFlow release, with the suite's test tools at their locked pins
    3.14.0, keras==3.14.0        a Keras 3 release on top of the locked default (TensorFlow included)
    keras-nightly[==VERSION]     keras-nightly instead of keras, on top of the locked default

No TensorFlow import here: the noxfile and the report use it before any environment exists.
"""

from __future__ import annotations

import re

# The suite's own tools (matplotlib draws the benchmark plot); every environment gets them at the
# locked default's pins.
TEST_TOOLS = ("pytest", "syrupy", "pytest-benchmark", "pytest-xdist", "pytest-reverse", "matplotlib")

_RELEASE = re.compile(r"^(?:(?P<package>tensorflow|keras)==)?(?P<version>\d+(?:\.\d+)*(?:[a-z0-9.+-]*))$")
_NIGHTLY = re.compile(r"^keras-nightly(?:==(?P<version>\S+))?$")

HOW_TO_NAME = (
    "name a TensorFlow release (2.x, e.g. 2.15.1 or tensorflow==2.20.0), a Keras 3 release "
    "(3.x, e.g. 3.14.0 or keras==3.14.0) or keras-nightly (optionally keras-nightly==VERSION)"
)


class VersionSpecError(ValueError):
    """A version name that says nothing installable."""


def lock_pins(lock_text: str) -> dict[str, str]:
    """``{normalized name: 'name==version'}`` of a requirements lock."""
    pins = {}
    for line in lock_text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name = line.split("==", 1)[0].strip()
            pins[_normalize(name)] = line
    return pins


def pinned_tools(lock_text: str) -> list[str]:
    """The test tools at the lock's pins (``pytest==9.2.0``, ...)."""
    pins = lock_pins(lock_text)
    missing = [tool for tool in TEST_TOOLS if _normalize(tool) not in pins]
    if missing:
        raise VersionSpecError(f"the lock pins no version of {', '.join(missing)}; add them to it")
    return [pins[_normalize(tool)] for tool in TEST_TOOLS]


def requirement(name: str) -> str:
    """The requirement a version name stands for: ``2.20.0`` is ``tensorflow==2.20.0``, ``3.14.0``
    is ``keras==3.14.0``; raises VersionSpecError, saying how to name one, for anything else."""
    name = name.strip()
    nightly = _NIGHTLY.match(name)
    if nightly:
        return f"keras-nightly=={nightly['version']}" if nightly["version"] else "keras-nightly"
    release = _RELEASE.match(name)
    if not release:
        raise VersionSpecError(f"{name!r} is not a version this suite can install: {HOW_TO_NAME}.")
    package, number = release["package"], release["version"]
    major = number.split(".")[0]
    package = package or {"2": "tensorflow", "3": "keras"}.get(major)
    if (package, major) not in (("tensorflow", "2"), ("keras", "3")):
        raise VersionSpecError(
            f"{name!r}: the suite runs on TensorFlow 2.x and Keras 3.x, not {package or 'version'} {number}; "
            f"{HOW_TO_NAME}."
        )
    return f"{package}=={number}"


def install_plan(name: str, lock_text: str, lock_path: str = "requirements/lock.txt") -> list[list[str]]:
    """The pip commands (argument lists after ``pip``), in order, that give version ``name``."""
    wanted = requirement(name)
    if wanted.startswith("keras-nightly"):
        # keras-nightly ships the same ``keras`` package as the release, which must go first.
        return [["install", "-r", lock_path], ["uninstall", "--yes", "keras"], ["install", "--pre", wanted]]
    if wanted.startswith("tensorflow=="):
        return [["install", wanted, *pinned_tools(lock_text)]]
    return [["install", "-r", lock_path], ["install", wanted]]


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
