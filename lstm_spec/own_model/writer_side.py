"""The writer's side of a user's model: which side wrote it (from the file, or the nearest that reads it), what the
model gives there, and ``migrate``'s Keras 3 file made on the locked side.

``writer_of(model_file)`` reads the file's own record (``keras_version`` and ``backend``): Keras 2.15 is the
``keras2`` side (TensorFlow 2.15.1), any other Keras 2 the nearest side the index can install that reads it
(``keras2`` for Keras 2.5-2.14, whose TensorFlow releases are older than the index serves or not kept as a
side; ``tf-keras`` for 2.16 and later); a Keras 3 file the locked side on its backend.  The note says which.
"""

from __future__ import annotations

import json
from pathlib import Path

from lstm_spec.own_model import environments
from lstm_spec.own_model.model_file import BadInput, ModelFile
from lstm_spec.versions.pins import lock_pins
from lstm_spec.versions.sides import FIXED, Side

BACKEND_SIDES = {"tensorflow": "locked", "jax": "jax", "torch": "torch"}


def _locked_version(side: str, package: str) -> str | None:
    pin = lock_pins(FIXED[side].lock.read_text()).get(package)
    return pin.split("==")[1] if pin else None


def writer_of(model_file: ModelFile, named: str | None = None) -> tuple[Side, str]:
    """The writer's side and a note on how it was chosen."""
    if named:
        return environments.side_named(named), f"named with --from {named}"
    version = model_file.keras_version
    if model_file.kind == "code":
        return environments.side_named("locked"), "code: built on the locked side (name another with --from)"
    if version is None:
        return environments.side_named("locked"), ("the file does not say which Keras wrote it: read on the locked "
                                                   "side (name the writer with --from)")
    era, minor = (int(part) for part in version.split(".")[:2])
    if era == 2:
        keras2 = _locked_version("keras2", "keras")
        if version == keras2:
            return environments.side_named("keras2"), f"Keras {version}: the keras2 side"
        if minor >= 16:
            side = "tf-keras"
            found = _locked_version("tf-keras", "tf-keras")
            if version == found:
                return environments.side_named(side), f"Keras {version}: the tf-keras side"
        else:
            side, found = "keras2", keras2
        return environments.side_named(side), (f"written by Keras {version}, read on the nearest side that reads it: "
                                               f"{side} (Keras {found}); name another with --from")
    backend = model_file.backend or "tensorflow"
    side = BACKEND_SIDES.get(backend, "locked")
    found = _locked_version(side, "keras")
    exact = "" if version == found else f"; written by Keras {version}, read on Keras {found} (--from {version} for it)"
    return environments.side_named(side), f"Keras {version} on {backend}: the {side} side{exact}"


def default_readers(model_file: ModelFile) -> list[str]:
    """``locked``, and ``tf-keras`` for a Keras 2 file (Keras 2 kept on today's TensorFlow)."""
    return ["locked", "tf-keras"] if model_file.era == 2 else ["locked"]


def model_arguments(model_file: ModelFile) -> tuple[str, list[str]]:
    """The probe's model argument, and the options that go with it (``--weights`` for code)."""
    return str(model_file.path or model_file.argument), (["--weights", str(model_file.weights)]
                                                         if model_file.weights else [])


def write(model_file: ModelFile, side: Side, work: Path, given: Path | None, progress) -> dict:
    """The writer's record (``probe write``): input, outputs, shapes, recurrent configs, weight counts."""
    python = environments.ensure(side, progress)
    progress(f"loading {model_file.argument} on the writer's side, {side.name} ...")
    model, options = model_arguments(model_file)
    arguments = ["write", model, str(work), *options]
    arguments += ["--input", str(given)] if given else []
    finished = environments.run_probe(side, python, arguments)
    if finished.returncode == 2:
        raise BadInput(finished.stdout.strip().splitlines()[-1].removeprefix("check: "))
    if finished.returncode != 0:
        raise BadInput(f"the writer's side ({side.name}) cannot load {model_file.argument}: "
                       f"{environments.failure(finished)}. Name the side that wrote it with --from SIDE")
    return {"side": side.name, **json.loads((work / "writer.json").read_text())}


def migrate(model_file: ModelFile, work: Path, keep_hard_sigmoid: bool, progress) -> dict:
    """``migrate.json`` of ``probe migrate`` on the locked side (Keras 3): the changes and file, or the refusal."""
    if model_file.era != 2 and model_file.kind not in ("savedmodel", "export"):
        return {"not_needed": "not a Keras 2 file: migrate brings Keras 2 files to Keras 3"}
    side = environments.side_named("locked")
    progress("migrating to Keras 3 on the locked side ...")
    finished = environments.run_probe(side, environments.ensure(side, progress),
                                      ["migrate", model_arguments(model_file)[0], str(work)]
                                      + (["--keep-hard-sigmoid"] if keep_hard_sigmoid else []))
    if finished.returncode != 0:
        return {"failed": environments.failure(finished)}
    return json.loads((work / "migrate.json").read_text())
