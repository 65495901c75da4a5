"""One environment of the version matrix (``noxfile.py``), chosen by the name a person would use.

    python3 suite.py matrix keras2                  TF 2.15 / Keras 2 (requirements/keras2-lock.txt)
    python3 suite.py matrix locked                  the locked default (requirements/lock.txt)
    python3 suite.py matrix jax                     Keras 3 on the JAX backend (requirements/jax-lock.txt)
    python3 suite.py matrix torch                   Keras 3 on the PyTorch backend (requirements/torch-lock.txt)
    python3 suite.py matrix tf-keras                Keras 2 on the locked TensorFlow (requirements/tf-keras-lock.txt)
    python3 suite.py matrix 2.20.0 -k time_major    any TensorFlow 2.x, Keras 3.x or keras-nightly

A version that one of the locks pins (``2.15.1``, ``2.21.0``, ``keras==3.15.1``) runs that lock's
session, so its environment is reused; any other runs the ``version`` session.  Arguments after
the name go to pytest.  No TensorFlow import here.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from lstm_spec.versions.pins import HOW_TO_NAME, VersionSpecError, is_requirements_file, lock_pins, requirements

ROOT = Path(__file__).resolve().parents[2]
LOCKS = {"locked": ROOT / "requirements" / "lock.txt", "keras2": ROOT / "requirements" / "keras2-lock.txt",
         "jax": ROOT / "requirements" / "jax-lock.txt", "torch": ROOT / "requirements" / "torch-lock.txt",
         "tf-keras": ROOT / "requirements" / "tf-keras-lock.txt"}
# The environments named by what they are rather than by a version (each a nox session).
NAMED = ", ".join(LOCKS)


# The sessions that run Keras on another backend than TensorFlow (noxfile.py sets KERAS_BACKEND to
# the session's name there, to tensorflow in every other session).
BACKEND_SESSIONS = {"jax": "jax", "torch": "torch"}


def session_backend(session: str) -> str:
    """The ``KERAS_BACKEND`` a nox session runs the specs under."""
    return BACKEND_SESSIONS.get(session, "tensorflow")


# The sessions that run Keras 2 as tf-keras beside the locked TensorFlow: TF_USE_LEGACY_KERAS=1 makes
# ``tf.keras`` (the page's imports) tf-keras there; every other session sets it to 0, so an exported value
# cannot change what they test.
LEGACY_KERAS_SESSIONS = ("tf-keras",)


def session_environment(session: str) -> dict[str, str]:
    """The variables a nox session runs the specs under (``noxfile.py`` sets them, ``speed`` too): the Keras
    backend, and whether the Keras under test is tf-keras (``lstm_spec.models.keras_under_test``)."""
    return {"KERAS_BACKEND": session_backend(session),
            "TF_USE_LEGACY_KERAS": "1" if session in LEGACY_KERAS_SESSIONS else "0"}


@dataclass(frozen=True)
class Target:
    """A nox session, and the version name it takes (the ``version`` session only)."""

    name: str
    session: str
    version: str | None = None

    def posargs(self, pytest_arguments) -> list[str]:
        return [*([self.version] if self.version else []), *pytest_arguments]


def resolve(name: str) -> Target:
    """The session that runs ``name``; raises VersionSpecError for a name nothing can install."""
    if name in LOCKS:
        return Target(name, name)
    wanted = requirements(name)
    if is_requirements_file(name):
        return Target(name, "version", str(Path(name).resolve()))  # the session runs in another folder
    for session, lock in LOCKS.items():
        if len(wanted) == 1 and wanted[0] in lock_pins(lock.read_text()).values():
            return Target(name, session)
    return Target(name, "version", name)


def nox_command(target: Target, pytest_arguments, *, noxfile: Path = ROOT / "noxfile.py",
                envdir: Path = ROOT / ".nox") -> list[str]:
    """The nox call that runs ``target`` (environments in this checkout's ``.nox`` unless ``envdir`` says)."""
    return [sys.executable, "-m", "nox", "--noxfile", str(noxfile), "--envdir", str(envdir),
            "--sessions", target.session, "--", *target.posargs(pytest_arguments)]


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "help"):
        print("usage: python3 suite.py matrix NAME [pytest arguments]\n" + __doc__.split("\n\n", 1)[1].rstrip())
        return 0
    if not argv or argv[0].startswith("-"):
        print(f"matrix: name the environment: {NAMED}, or a version ({HOW_TO_NAME}).", file=sys.stderr)
        return 2
    try:
        target = resolve(argv[0])
    except VersionSpecError as error:
        print(f"matrix: {error}", file=sys.stderr)
        return 2
    return subprocess.run(nox_command(target, argv[1:]), cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
