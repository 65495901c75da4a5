"""What to ``pip install`` for an environment named on the command line (the ``version`` nox session).

    2.20.0, tensorflow==2.20.0     a TensorFlow release, with the Keras its own requirement lets pip
                                   choose today (the newest it allows: what ``pip install
                                   tensorflow==2.20.0`` gives a new user)
    3.14.0, keras==3.14.0          a Keras 3 release on top of the locked default (TensorFlow included)
    keras-nightly[==VERSION]       keras-nightly instead of keras, on top of the locked default
    tensorflow==2.18.0,keras==3.8.0    a combination: exact pins (``name==version``, one of them
                                   TensorFlow) resolved together; pip chooses the rest
    path/to/requirements.txt       a requirements file (a user's ``pip freeze``), resolved as it is

Every environment gets the suite's test tools at the locked default's pins; in a combination or a
file they replace the file's own lines for the same tools.  Where a TensorFlow release's own
requirements rule a locked pin out, ``ERA_TOOLS`` pins that tool for it instead, with the reason.
A bare TensorFlow release is read by its first number, because TensorFlow and Keras 3 releases
never share one.

No TensorFlow import here: the noxfile and the report use it before any environment exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# The suite's own tools (matplotlib draws the benchmark plot); every environment gets them at the
# locked default's pins.
TEST_TOOLS = ("pytest", "syrupy", "pytest-benchmark", "pytest-xdist", "pytest-reverse", "pytest-timeout",
              "matplotlib")
# The distributions a requirements file or a combination may name as its TensorFlow.
TENSORFLOWS = ("tensorflow", "tensorflow-cpu", "tensorflow-intel", "tensorflow-macos", "tf-nightly")



@dataclass(frozen=True)
class EraTool:
    """A test tool pinned otherwise for some TensorFlow releases (``2.12``, ``2.13``), and why."""

    tensorflow: tuple[str, ...]
    pin: str
    reason: str


ERA_TOOLS = (
    EraTool(("2.12", "2.13"), "matplotlib==3.10.8",
            "matplotlib 3.11 requires numpy>=1.25; TensorFlow 2.12 and 2.13 require numpy<=1.24.3 (their METADATA); "
            "3.10.8 requires numpy>=1.23"),
)

_RELEASE = re.compile(r"^(?:(?P<package>tensorflow|keras)==)?(?P<version>\d+(?:\.\d+)*(?:[a-z0-9.+-]*))$")
_NIGHTLY = re.compile(r"^keras-nightly(?:==(?P<version>\S+))?$")
_PIN = re.compile(r"^(?P<package>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[A-Za-z0-9,._-]+\])?==(?P<version>[A-Za-z0-9.+!-]+)$")

HOW_TO_NAME = (
    "name a TensorFlow release (2.x, e.g. 2.15.1 or tensorflow==2.20.0), a Keras 3 release "
    "(3.x, e.g. 3.14.0 or keras==3.14.0), keras-nightly (optionally keras-nightly==VERSION), "
    "a combination of exact pins with its TensorFlow (tensorflow==2.18.0,keras==3.8.0) or a "
    "requirements file such as your own `pip freeze` (a path ending in .txt)"
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
            pins[normalize(name)] = line
    return pins


def pinned_tools(lock_text: str) -> list[str]:
    """The test tools at the lock's pins (``pytest==9.2.0``, ...)."""
    pins = lock_pins(lock_text)
    missing = [tool for tool in TEST_TOOLS if normalize(tool) not in pins]
    if missing:
        raise VersionSpecError(f"the lock pins no version of {', '.join(missing)}; add them to it")
    return [pins[normalize(tool)] for tool in TEST_TOOLS]


def requirement(name: str) -> str:
    """The requirement a single version name stands for: ``2.20.0`` is ``tensorflow==2.20.0``,
    ``3.14.0`` is ``keras==3.14.0``; raises VersionSpecError, saying how to name one, for anything else."""
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


def is_requirements_file(name: str) -> bool:
    """Whether a name is read as a requirements file: a path (it holds a ``/``) or a ``.txt`` name."""
    return "/" in name or name.endswith(".txt")


def requirements(name: str) -> list[str]:
    """Every requirement an environment name stands for: one for a version, the pins of a
    combination, the lines of a requirements file (the suite's test tools left out: their locked
    pins are added).  Raises VersionSpecError, saying what is wrong and how to name one."""
    if is_requirements_file(name):
        return _file_requirements(Path(name))
    if "," in name:
        return _combination(name)
    return [requirement(name)]


def install_plan(name: str, lock_text: str, lock_path: str = "requirements/lock.txt") -> list[list[str]]:
    """The pip commands (argument lists after ``pip``), in order, that give environment ``name``."""
    wanted = requirements(name)
    if wanted[0].startswith("keras-nightly"):
        # keras-nightly ships the same ``keras`` package as the release, which must go first.  A reused
        # environment already holds keras-nightly, whose files the lock's keras has just overwritten:
        # both go, or uninstalling keras would leave keras-nightly "installed" without its files.
        return [["install", "-r", lock_path], ["uninstall", "--yes", "keras", "keras-nightly"],
                ["install", "--pre", wanted[0]]]
    if wanted[0].startswith("keras=="):
        return [["install", "-r", lock_path], ["install", wanted[0]]]
    # TensorFlow, alone, in a combination or in a file: one resolution, so pip refuses what cannot go together.
    return [["install", *wanted, *era_tools(wanted, pinned_tools(lock_text))]]


def era_tools(wanted: list[str], tools: list[str]) -> list[str]:
    """``tools`` with each pin that ``ERA_TOOLS`` replaces for the TensorFlow release ``wanted`` names."""
    releases = [_PIN.match(line)["version"] for line in wanted
                if _PIN.match(line) and normalize(_PIN.match(line)["package"]) in TENSORFLOWS]
    minor = ".".join(releases[0].split(".")[:2]) if releases else None
    replaced = {normalize(era.pin.split("==")[0]): era.pin for era in ERA_TOOLS if minor in era.tensorflow}
    return [replaced.get(normalize(tool.split("==")[0]), tool) for tool in tools]


def normalize(name: str) -> str:
    """A distribution's name as the package index compares it (``ml_dtypes`` is ``ml-dtypes``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _combination(name: str) -> list[str]:
    pins = [part.strip() for part in name.split(",")]
    for pin in pins:
        if not _PIN.match(pin):
            raise VersionSpecError(f"{name!r}: {pin!r} is not an exact pin; a combination is exact pins separated "
                                   f"by commas, e.g. tensorflow==2.18.0,keras==3.8.0.")
    packages = [normalize(_PIN.match(pin)["package"]) for pin in pins]
    repeated = sorted({package for package in packages if packages.count(package) > 1})
    if repeated:
        raise VersionSpecError(f"{name!r} pins {', '.join(repeated)} more than once; pin each package once.")
    _require_a_tensorflow(packages, repr(name))
    tools = sorted(set(packages) & {normalize(tool) for tool in TEST_TOOLS})
    if tools:
        raise VersionSpecError(f"{name!r} pins {', '.join(tools)}, one of the suite's test tools, which every "
                               "environment gets at the locked pins; leave it out.")
    return pins


def _file_requirements(path: Path) -> list[str]:
    if not path.is_file():
        raise VersionSpecError(f"{str(path)!r}: no such requirements file (a name with a / or ending in .txt is "
                               "read as one; paths are relative to the checkout).")
    tools = {normalize(tool) for tool in TEST_TOOLS}
    lines, packages = [], []
    for number, raw in enumerate(path.read_text(errors="replace").splitlines(), 1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        if line.startswith("-") or " @ " in line or "://" in line:
            raise VersionSpecError(
                f"{path}, line {number}: {line!r}: an option, editable install or direct reference cannot be "
                "reproduced from the package index. Write the file with `pip list --format=freeze` (name==version "
                "for every package), or remove the line.")
        package = normalize(re.split(r"[\s\[<>=!~;]", line, maxsplit=1)[0])
        packages.append(package)
        if package not in tools:
            lines.append(line)
    if not packages:
        raise VersionSpecError(f"{path} names no package; write it with `pip freeze > {path.name}`.")
    _require_a_tensorflow(packages, str(path))
    return lines


def _require_a_tensorflow(packages: list[str], what: str) -> None:
    if not set(packages) & set(TENSORFLOWS):
        raise VersionSpecError(
            f"{what} names no TensorFlow ({', '.join(TENSORFLOWS)}): the suite needs one. Add it, e.g. "
            "tensorflow==2.18.0; for a Keras release on the locked TensorFlow name the Keras release alone (3.8.0).")
