"""A side: one environment the suite runs on, resolved once from the name a person gives.

    locked, keras2, jax, torch, tf-keras,    a fixed nox session
    deploy, deploy-keras2, deploy-tf-keras,  from its lock (FIXED)
    deploy-torch, deploy-jax
    2.20.0, 3.14.0, keras-nightly, ...        the ``version`` session, with what it installs
    tensorflow==2.18.0,keras==3.8.0, x.txt   the same, a combination or a requirements file

``resolve`` turns a name into a ``Side`` (its pins, nox session, Keras backend, extra environment,
environment folder); ``matrix``, ``report``, ``speed`` and ``history`` all carry that one object.
No TensorFlow import here: the commands use it before any environment exists.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from lstm_spec.versions.pins import is_requirements_file, lock_pins, normalize, requirements

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements"


@dataclass(frozen=True)
class Fixed:
    """A fixed nox session: its lock, the Keras backend it runs and the environment it sets."""

    session: str
    lock: Path
    backend: str = "tensorflow"
    environment: tuple[tuple[str, str], ...] = ()


# tf-keras is read in place of Keras under this variable (lstm_spec.models.keras_under_test).
LEGACY_KERAS = (("TF_USE_LEGACY_KERAS", "1"),)
# The environments named by what they are rather than by a version. noxfile.py sets KERAS_BACKEND to
# the backend in jax, torch, deploy-jax and deploy-torch, to tensorflow in every other session.
FIXED = {
    "locked": Fixed("locked", REQUIREMENTS / "lock.txt"),
    "keras2": Fixed("keras2", REQUIREMENTS / "keras2-lock.txt"),
    "jax": Fixed("jax", REQUIREMENTS / "jax-lock.txt", backend="jax"),
    "torch": Fixed("torch", REQUIREMENTS / "torch-lock.txt", backend="torch"),
    # Keras 2 on the locked TensorFlow: tf-keras.
    "tf-keras": Fixed("tf-keras", REQUIREMENTS / "tf-keras-lock.txt", environment=LEGACY_KERAS),
    # The locked default plus the deployment runtimes (LiteRT, ONNX, OpenVINO): specs 48-51 run whole here.
    "deploy": Fixed("deploy", REQUIREMENTS / "deploy-lock.txt"),
    # Keras 2 with onnx, onnxruntime and tf2onnx (tf2onnx.convert.from_keras: spec 52), on TF 2.15.1 and as
    # tf-keras on the locked TensorFlow; after keras2 and tf-keras, so that `matrix 2.15.1` still runs keras2.
    "deploy-keras2": Fixed("deploy-keras2", REQUIREMENTS / "deploy-keras2-lock.txt"),
    "deploy-tf-keras": Fixed("deploy-tf-keras", REQUIREMENTS / "deploy-tf-keras-lock.txt", environment=LEGACY_KERAS),
    # Keras 3's export on the PyTorch and JAX backends (spec 53): the backend's lock plus the exporters and runtimes.
    "deploy-torch": Fixed("deploy-torch", REQUIREMENTS / "deploy-torch-lock.txt", backend="torch"),
    "deploy-jax": Fixed("deploy-jax", REQUIREMENTS / "deploy-jax-lock.txt", backend="jax"),
}
LOCKS = {name: fixed.lock for name, fixed in FIXED.items()}
NAMED = ", ".join(FIXED)
# The sessions that run Keras on another backend than TensorFlow.
BACKEND_SESSIONS = {fixed.session: fixed.backend for fixed in FIXED.values() if fixed.backend != "tensorflow"}
VERSION_SESSION = "version"


def session_backend(session: str) -> str:
    """The ``KERAS_BACKEND`` a nox session runs the specs under."""
    return BACKEND_SESSIONS.get(session, "tensorflow")


def installs_tf_keras(wanted: list[str]) -> bool:
    """Whether requirements ``wanted`` (``pins.requirements``) install tf-keras (a combination, a file)."""
    return any(normalize(re.split(r"[\s\[<>=!~;]", line, maxsplit=1)[0]) == "tf-keras" for line in wanted)


def session_environment(session: str, version: str | None = None) -> dict[str, str]:
    """The variables nox session ``session`` (given ``version``, the version session) runs the specs under:
    noxfile.py sets them, ``speed`` too.  Its Keras backend, and TF_USE_LEGACY_KERAS: 1 where tf-keras is
    under test (the tf-keras session, a version that installs tf-keras), else 0, so that an exported value
    changes no session."""
    legacy = any(fixed.session == session and fixed.environment == LEGACY_KERAS for fixed in FIXED.values())
    if session == VERSION_SESSION and version is not None:
        legacy = installs_tf_keras(requirements(version))
    return {"KERAS_BACKEND": session_backend(session), "TF_USE_LEGACY_KERAS": "1" if legacy else "0"}


@dataclass(frozen=True)
class Side:
    """One environment: the name it was given, its nox session, and what the ``version`` session installs."""

    name: str
    session: str
    version: str | None = None
    environment: tuple[tuple[str, str], ...] = ()  # set for the suite's run, beside what the session sets

    @property
    def backend(self) -> str:
        """The Keras backend the specs run on: ``tensorflow``, ``jax`` or ``torch``."""
        return session_backend(self.session)

    @property
    def session_environment(self) -> dict[str, str]:
        """The variables its session runs the specs under (``session_environment``)."""
        return session_environment(self.session, self.version)

    @property
    def fixed(self) -> bool:
        """Whether a fixed session (a lock) makes this environment, reused from run to run."""
        return self.session != VERSION_SESSION

    @property
    def lock(self) -> Path | None:
        """The lock a fixed session installs; None for the version session."""
        return next((fixed.lock for fixed in FIXED.values() if fixed.session == self.session), None)

    @property
    def pins(self) -> tuple[str, ...]:
        """What the environment is made of: its lock's pins, or the requirements its name stands for."""
        if self.version is None:
            return tuple(sorted(lock_pins(self.lock.read_text()).values())) if self.lock.exists() else ()
        return tuple(sorted(requirements(self.version)))

    def envdir(self, scratch: Path) -> Path:
        """The nox environment folder: the checkout's shared ``.nox`` for a fixed session (reused);
        ``scratch/.nox`` for the version session, which makes its environment afresh each run (its own
        folder keeps a matrix or speed run at the same time from rebuilding it under pip)."""
        return ROOT / ".nox" if self.fixed else scratch / ".nox"

    def posargs(self, pytest_arguments) -> list[str]:
        return [*([self.version] if self.version else []), *pytest_arguments]


def resolve(name: str) -> Side:
    """The side ``name`` stands for; raises VersionSpecError, saying how to name one, for a name nothing can install."""
    if name in FIXED:
        fixed = FIXED[name]
        return Side(name, fixed.session, environment=fixed.environment)
    wanted = requirements(name)
    if is_requirements_file(name):
        return Side(name, VERSION_SESSION, str(Path(name).resolve()))  # the session runs in another folder
    for fixed in FIXED.values():
        if len(wanted) == 1 and fixed.lock.exists() and wanted[0] in lock_pins(fixed.lock.read_text()).values():
            return Side(name, fixed.session, environment=fixed.environment)
    # A combination with tf-keras (tensorflow==2.16.2,tf-keras==2.16.0) runs the specs on tf-keras.
    return Side(name, VERSION_SESSION, name, LEGACY_KERAS if installs_tf_keras(wanted) else ())


def nox_command(side: Side, pytest_arguments, *, noxfile: Path = ROOT / "noxfile.py",
                envdir: Path = ROOT / ".nox") -> list[str]:
    """The nox call that runs ``side`` (environments in this checkout's ``.nox`` unless ``envdir`` says)."""
    return [sys.executable, "-m", "nox", "--noxfile", str(noxfile), "--envdir", str(envdir),
            "--sessions", side.session, "--", *side.posargs(pytest_arguments)]
