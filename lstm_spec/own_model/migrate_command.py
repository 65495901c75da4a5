"""``python3 suite.py migrate MODEL OUT.keras``: a Keras 2 model file as a Keras 3 ``.keras``, kept only once verified.

    python3 suite.py migrate model.h5 model.keras                 writer from the file, verified on locked
    python3 suite.py migrate model.keras migrated.keras --to jax  verified on another Keras 3 side
    python3 suite.py migrate conv.h5 conv.keras --keep-hard-sigmoid   Keras 2's hard_sigmoid as a registered function

The writer's side gives the outputs on a seeded input (as ``check`` does); the locked side rewrites the file's
config (``config_rewrite``) and builds the model with the weights as saved; then a fresh Python on the ``--to``
side, started isolated (``python -I``: no PYTHONPATH, so not this project), loads the file with plain
``keras.models.load_model(OUT)`` and calls it.  Only when its outputs have the writer's shapes exactly and values
within ``MATCH_TOLERANCE`` is the file written to OUT.  Exit 0 written, 1 refused or not verified (nothing
written), 2 bad input (OUT exists without ``--force``, not ``.keras``, ...).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lstm_spec.own_model import environments, writer_side
from lstm_spec.own_model.arrays import read_arrays
from lstm_spec.own_model.check import EXIT_BAD_INPUT, arguments_parser, caller_path, prefixed
from lstm_spec.own_model.model_file import BadInput, identify
from lstm_spec.own_model.report import migration_lines
from lstm_spec.saving.read_files import MATCH_TOLERANCE, max_abs_diff

# Run by `python -I -c`: plain Keras, nothing of this project (unless the file needs the registered function).
PLAIN_LOAD = """
import sys, numpy as np
{register}import keras
model = keras.models.load_model(sys.argv[1])
with np.load(sys.argv[2]) as archive:
    arrays = [archive[name] for name in archive.files]
outputs = model(arrays[0] if len(arrays) == 1 else arrays, training=False)
outputs = list(outputs.values()) if isinstance(outputs, dict) else outputs
outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
np.savez(sys.argv[3], *[keras.ops.convert_to_numpy(output) for output in outputs])
"""
REGISTER = "sys.path.insert(0, {root!r}); import lstm_spec.own_model.registered\n"


def verify(migrated: Path, work: Path, side, registered: bool) -> tuple[bool, str]:
    """``migrated`` loaded by plain Keras in a fresh, isolated Python on ``side`` and called on the writer's input:
    (whether it gives the writer's outputs, what was found)."""
    python = environments.ensure(side)
    source = PLAIN_LOAD.format(register=REGISTER.format(root=str(environments.ROOT)) if registered else "")
    variables = {key: value for key, value in environments.environment(side).items() if key != "PYTHONPATH"}
    finished = subprocess.run([str(python), "-I", "-c", source, str(migrated), str(work / "input.npz"),
                               str(work / "verified.npz")], cwd=work, env=variables, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    if finished.returncode != 0:
        return False, f"plain keras.models.load_model on {side.name} fails: {environments.failure(finished)}"
    found = read_arrays(work / "verified.npz")
    expected = read_arrays(work / "outputs.npz")
    difference = max_abs_diff(found, expected)
    if difference is None:
        return False, (f"on {side.name} it gives outputs of shapes {[list(a.shape) for a in found]}, the writer's are "
                       f"{[list(a.shape) for a in expected]}")
    if difference > MATCH_TOLERANCE:
        return False, f"on {side.name} its outputs differ from the writer's by {difference:.3g} (> {MATCH_TOLERANCE:g})"
    how = ("load_model after `import lstm_spec.own_model.registered` (the one function it needs)" if registered
           else "plain load_model, without this project,")
    return True, (f"verified on {side.name}: {how} gives the writer's outputs (largest difference {difference:.3g}, "
                  f"shapes {[list(a.shape) for a in found]})")


def main(argv=None, progress=prefixed("migrate")) -> int:
    parser = arguments_parser("suite.py migrate", "A Keras 2 model file as a Keras 3 .keras file, verified.")
    parser.add_argument("out", type=Path, help="the .keras file to write")
    parser.add_argument("--to", default="locked", metavar="SIDE", help="the Keras 3 side that verifies it (locked)")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    arguments = parser.parse_args(argv)
    out = caller_path(arguments.out)
    try:
        if out.suffix != ".keras":
            raise BadInput(f"{arguments.out}: the migrated file is a Keras 3 archive; name it with .keras")
        if out.exists() and not arguments.force:
            raise BadInput(f"{arguments.out} exists; choose another name, or --force to replace it")
        model_file = identify(arguments.model, arguments.weights, caller_path(Path(".")))
        if model_file.era != 2 and model_file.kind not in ("savedmodel", "export"):
            raise BadInput(f"{model_file}: migrate brings Keras 2 files to Keras 3; this one needs no migration "
                           "(check it with `suite.py check`)")
        writer, note = writer_side.writer_of(model_file, arguments.writer)
        target = environments.side_named(arguments.to)
        given = caller_path(arguments.input)
        with tempfile.TemporaryDirectory(prefix="lstm-spec-migrate-") as scratch:
            work = Path(scratch)
            if model_file.kind not in ("savedmodel", "export"):  # a folder is refused before any writer runs
                writer_side.write(model_file, writer, work, given, progress)
                progress(f"writer {writer.name} ({note})")
            migration = writer_side.migrate(model_file, work, arguments.keep_hard_sigmoid, progress)
            print("\n".join(migration_lines(migration)))
            if "file" not in migration:
                progress("nothing written")
                return 1
            progress(f"verifying on {target.name} in a fresh Python ...")
            verified, found = verify(work / migration["file"], work, target, bool(migration.get("registered")))
            progress(f"{found}")
            if not verified:
                progress("nothing written")
                return 1
            shutil.copyfile(work / migration["file"], out)
            (work / "migrate.json").write_text(json.dumps({**migration, "verified": found}))
    except (BadInput, environments.SideError) as error:
        print(f"suite.py migrate: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    progress(f"wrote {out}" + (" (load it after `import lstm_spec.own_model.registered`)"
                                        if migration.get("registered") else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
