"""Writes one writer's saved files and manifest: ``python -m lstm_spec.saving.write_files WRITER [--into DIR]``.

Run it through ``nox -s saved_files -- WRITER``, which installs the writer's environment first
(``lstm_spec/saving/writers.py``); it refuses to run in any other environment, so a committed folder is
always its writer's.  It writes into a new folder beside the target, then puts that in the target's place
(``specs/saved_models/WRITER/`` unless ``--into`` names another).  No spec or test run calls it.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tempfile
from pathlib import Path

from lstm_spec.saving.writers import (UnknownWriter, Writer, installed, installed_identity, report_side_writer,
                                      writer_named)

VERSIONED = ("tensorflow", "keras", "tf-keras", "numpy", "h5py", "jax", "jaxlib", "torch")


class WrongEnvironment(RuntimeError):
    """The writer tool runs in an environment that is not the writer's."""


def environment_versions(backend: str, keras_module) -> dict:
    """The exact versions a manifest records: Python, each installed distribution that matters (None when
    absent), the Keras backend, and the Keras under test (module and version)."""
    versions = {"python": platform.python_version()}
    versions.update((name, installed(name)) for name in VERSIONED)
    versions["backend"] = backend
    versions["keras_under_test"] = f"{keras_module.__name__} {keras_module.__version__}"
    return versions


def check_environment(writer: Writer, identity: tuple) -> None:
    """Refuses (WrongEnvironment) unless ``identity`` (``installed_identity``) is the writer's."""
    if identity != writer.identity():
        names = ("TensorFlow", "Keras under test", "its version", "backend")
        here = ", ".join(f"{name} {value}" for name, value in zip(names, identity))
        wanted = ", ".join(f"{name} {value}" for name, value in zip(names, writer.identity()))
        raise WrongEnvironment(f"writer {writer.name!r} writes in {wanted}; this environment has {here}. "
                               f"Run `{writer.command}`, which installs the writer's environment.")


def write_folder(writer: Writer, target: Path, catalog: dict | None = None) -> Path:
    """Writes every (case, format) of ``writer`` and the manifest into ``target`` (replaced whole); the cases are
    the saving catalog's unless ``catalog`` (name -> SavedCase) says (``lstm_spec.own_model.users_models``)."""
    from lstm_spec.models.backend import KERAS_BACKEND
    from lstm_spec.models.keras_under_test import keras
    from lstm_spec.saving.catalog import CASES
    from lstm_spec.saving.formats import FORMATS, flat_outputs
    from lstm_spec.saving.manifest import write_manifest
    from lstm_spec.saving.side import BUILDERS_BUILD_THE_KERAS_UNDER_TEST, NOT_UNDER_TEST

    if not BUILDERS_BUILD_THE_KERAS_UNDER_TEST:
        raise WrongEnvironment(NOT_UNDER_TEST)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        cases = {}
        for name in writer.cases + tuple(c for c in writer.folder_cases if c not in writer.cases):
            case = (catalog or CASES)[name]
            if not case.buildable:
                raise WrongEnvironment(f"writer {writer.name!r} lists case {name!r}, which this Keras cannot "
                                       "build (catalog eras); remove it from the writer's cases")
            formats = [saved for case_name, saved in writer.files() if case_name == name]
            folder = staging / name
            folder.mkdir()
            # Saved before the first call: a stateful case's file holds zero state, as its outputs assume.
            model, data = case.build(), case.data()
            paths = {saved: FORMATS[saved].write(model, folder) for saved in formats}
            outputs = flat_outputs(model(data, training=False))
            cases[name] = {"description": case.description,
                           "formats": {saved: path.relative_to(staging).as_posix() for saved, path in paths.items()},
                           "inputs": data if isinstance(data, (list, tuple)) else [data],
                           "outputs": outputs}
        write_manifest(staging, writer, environment_versions(KERAS_BACKEND, keras), cases)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_spec.saving.write_files", description=__doc__.split("\n")[0])
    parser.add_argument("writer", nargs="?", help="a writer of lstm_spec/saving/writers.py (keras2, locked, ...)")
    parser.add_argument("--into", type=Path, help="the folder to write (default: specs/saved_models/WRITER)")
    parser.add_argument("--report-side", action="store_true",
                        help="write as an upgrade report's side A, in whatever environment this is (needs --into)")
    arguments = parser.parse_args(argv)
    if arguments.report_side:
        if arguments.writer or not arguments.into:
            parser.error("--report-side takes no writer name and needs --into DIR")
        from lstm_spec.models.era import KERAS_ERA

        return _written(report_side_writer(KERAS_ERA), arguments.into)
    if not arguments.writer:
        parser.error("name a writer (keras2, locked, ...: lstm_spec/saving/writers.py), or give --report-side")
    try:
        writer = writer_named(arguments.writer)
        from lstm_spec.models.backend import KERAS_BACKEND
        from lstm_spec.models.keras_under_test import LEGACY_KERAS

        check_environment(writer, installed_identity(KERAS_BACKEND, LEGACY_KERAS))
    except (UnknownWriter, WrongEnvironment) as error:
        print(f"write_files: {error}", file=sys.stderr)
        return 2
    return _written(writer, arguments.into or writer.folder)


def _written(writer: Writer, target: Path) -> int:
    try:
        folder = write_folder(writer, target)
    except WrongEnvironment as error:
        print(f"write_files: {error}", file=sys.stderr)
        return 2
    print(f"wrote {folder} ({sum(p.stat().st_size for p in folder.rglob('*') if p.is_file())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
