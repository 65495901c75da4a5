"""The environments that write the committed saved files (``specs/saved_models/<writer>/``), as data.

Each writer is an environment of the version matrix: a lock (with pins over it), a Keras backend, and
whether the Keras under test is tf-keras (``TF_USE_LEGACY_KERAS=1``).  ``nox -s saved_files -- WRITER``
installs that environment afresh and runs ``python -m lstm_spec.saving.write_files WRITER``, which writes
``cases`` in ``formats`` (and the folder formats, a SavedModel or an export of ~2.5 MB each, for
``folder_cases`` only: the committed files stay under ``SIZE_BUDGET``).  The same table says which
environment a run *reads* in (``this_environment``): the writer whose pinned versions, backend and Keras
are the ones installed; ``reads=False`` writers only write.

No Keras import here: the noxfile imports this module before any environment exists.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lstm_spec.versions.pins import lock_pins, normalize

ROOT = Path(__file__).resolve().parents[2]
SAVED_MODELS = ROOT / "specs" / "saved_models"
MANIFEST = "manifest.json"
SIZE_BUDGET = 5 * 1024 * 1024  # bytes, every writer's folder together (issue 22)

# The oldest Keras 3 the suite's machinery runs on the locked TensorFlow (lstm_spec.models.compat spells
# clear_session for the releases before 3.3.0, which take no free_memory argument).
OLDEST_KERAS_3 = "3.0.0"

# The cases every writer writes: the page's LSTM and its multi-output form, the recurrent family, the
# wrappers and layers whose saved config differs most between Keras releases, masking, several inputs.
COMMON_CASES = ("page_lstm", "page_both", "gru_reset_after", "bidirectional_concat", "stacked", "masking",
                "initial_state_input", "conv_lstm1d")
KERAS_2_FORMATS = ("keras2-h5", "keras2-keras", "keras2-weights")
KERAS_3_FORMATS = ("keras3-keras", "keras3-h5", "keras3-weights")
# Keras 3.0 names both directions' weights of a Bidirectional layer alike in a legacy .h5, and h5py refuses the
# second: "Unable to synchronously create dataset (name already exists)" (3.0.0 and 3.0.5; 3.3.0 writes it).
KERAS_3_0_CANNOT_WRITE = (("bidirectional_concat", "keras3-h5"),)


@dataclass(frozen=True)
class Writer:
    """One environment that writes saved files (and, when ``reads``, reads every other writer's)."""

    name: str
    description: str
    lock: str  # a requirements file, relative to the checkout
    pins: tuple[str, ...] = ()  # installed over the lock (``keras==3.0.0``)
    backend: str = "tensorflow"
    legacy_keras: bool = False  # tf-keras under TF_USE_LEGACY_KERAS=1
    cases: tuple[str, ...] = COMMON_CASES
    formats: tuple[str, ...] = KERAS_3_FORMATS
    folder_formats: tuple[str, ...] = ()  # written for folder_cases only
    folder_cases: tuple[str, ...] = ("page_lstm",)
    reads: bool = True
    cannot_write: tuple[tuple[str, str], ...] = ()  # (case, format) its Keras fails to save (the reason beside it)
    rewritten_by: str | None = None  # the command that writes its folder again, when not its nox session

    @property
    def folder(self) -> Path:
        return SAVED_MODELS / self.name

    @property
    def command(self) -> str:
        """The command that writes this writer's folder again."""
        return self.rewritten_by or f"nox -s saved_files -- {self.name}"

    @property
    def env(self) -> dict[str, str]:
        """The environment variables its session sets."""
        return {"KERAS_BACKEND": self.backend, "TF_USE_LEGACY_KERAS": "1" if self.legacy_keras else "0"}

    def install_plan(self) -> list[list[str]]:
        """The pip commands (arguments after ``pip``) that give this environment."""
        plan = [["install", "-r", str(ROOT / self.lock)]]
        return plan + ([["install", *self.pins]] if self.pins else [])

    def pinned_versions(self) -> dict[str, str]:
        """``{normalized distribution: version}`` of its lock with ``pins`` over it."""
        pins = lock_pins((ROOT / self.lock).read_text())
        pins.update((normalize(pin.split("==")[0]), pin) for pin in self.pins)
        return {name: pin.split("==", 1)[1] for name, pin in pins.items()}

    def identity(self) -> tuple[str, str, str, str]:
        """What tells its environment apart: (TensorFlow, Keras under test, its version, backend)."""
        versions = self.pinned_versions()
        keras_name = "tf-keras" if self.legacy_keras else "keras"
        return versions["tensorflow"], keras_name, versions[keras_name], self.backend

    def files(self) -> list[tuple[str, str]]:
        """(case, format id) of every file it writes."""
        written = [(case, saved) for case in self.cases for saved in self.formats]
        written += [(case, saved) for case in self.folder_cases for saved in self.folder_formats]
        return [each for each in written if each not in self.cannot_write]


WRITERS = {writer.name: writer for writer in (
    Writer("keras2", "TF 2.15.1 / Keras 2.15 (the last Keras 2 TensorFlow)", "requirements/keras2-lock.txt",
           cases=(*COMMON_CASES, "page_time_major"), formats=KERAS_2_FORMATS, folder_formats=("keras2-savedmodel",)),
    Writer("keras3-oldest", f"Keras {OLDEST_KERAS_3} (the oldest Keras 3 the suite runs) on the locked TensorFlow",
           "requirements/lock.txt", pins=(f"keras=={OLDEST_KERAS_3}",), reads=False,
           cannot_write=KERAS_3_0_CANNOT_WRITE),
    Writer("tf-keras", "tf-keras 2.21 on the locked TensorFlow (TF_USE_LEGACY_KERAS=1)",
           "requirements/tf-keras-lock.txt", legacy_keras=True, cases=(*COMMON_CASES, "page_time_major"),
           formats=KERAS_2_FORMATS, folder_formats=("keras2-savedmodel",)),
    Writer("locked", "the locked default, TF 2.21 / Keras 3.15 (requirements/lock.txt)", "requirements/lock.txt",
           folder_formats=("keras3-export",)),
    Writer("jax", "Keras 3.15 on the JAX backend (requirements/jax-lock.txt)", "requirements/jax-lock.txt",
           backend="jax"),
    Writer("torch", "Keras 3.15 on the PyTorch backend, CPU (requirements/torch-lock.txt)",
           "requirements/torch-lock.txt", backend="torch"),
)}
READING = tuple(name for name, writer in WRITERS.items() if writer.reads)

# Side A of an upgrade report writes as this writer, whatever its environment (2.20.0, a freeze file):
# not in WRITERS, so no spec reads its folder; the report's side B does (lstm_spec/versions/report_sections).
REPORT_SIDE = "report-side"


def report_side_writer(keras_era: int = 3) -> Writer:
    """The writer an upgrade report's side A is: the keras2 or locked writer's cases and file formats for its
    era, without the SavedModel/export folders (a backend side cannot export; they are large)."""
    like = WRITERS["keras2" if keras_era == 2 else "locked"]
    return replace(like, name=REPORT_SIDE, description="side A of an upgrade report", folder_formats=(),
                   reads=False, rewritten_by="python3 suite.py report A B (its side A writes the folder)")


class UnknownWriter(ValueError):
    """A writer name the table does not know."""


def writer_named(name: str) -> Writer:
    """``WRITERS[name]``, or an error listing the writers."""
    try:
        return WRITERS[name]
    except KeyError:
        raise UnknownWriter(f"{name!r} is not a writer of saved files; the writers are "
                            f"{', '.join(WRITERS)} (lstm_spec/saving/writers.py)") from None


def installed(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def installed_identity(backend: str, legacy_keras: bool) -> tuple:
    """This environment's (TensorFlow, Keras under test, its version, backend), as ``Writer.identity``."""
    keras_name = "tf-keras" if legacy_keras else "keras"
    return installed("tensorflow"), keras_name, installed(keras_name), backend


def environment_named(identity: tuple) -> Writer | None:
    """The writer whose environment has ``identity`` (``installed_identity``), or None."""
    return next((writer for writer in WRITERS.values() if writer.identity() == identity), None)
