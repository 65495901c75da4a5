"""``python3 suite.py check MODEL``: your own saved model across releases, every way in, against the writer's outputs.

    python3 suite.py check model.h5                          writer read from the file; read on locked (+ tf-keras)
    python3 suite.py check model.h5 --to locked 2.18.0 jax   any side matrix, report and history accept
    python3 suite.py check saved_model_dir --from keras2     a folder, the writer's side named
    python3 suite.py check pkg.mod:build --weights w.h5      code that builds the model, and its weights
    python3 suite.py check model.h5 --input x.npz --out report.md --json report.json

The writer's side loads the model and calls it on a seeded input built from its input specs (or ``--input``);
each ``--to`` side tries every way in (``probe.WAYS_IN``) on that input, ``migrate``'s output among them.  Exit
0 when plain ``load_model`` gives the writer's outputs on every ``--to`` side, 1 otherwise, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lstm_spec.own_model import environments, writer_side
from lstm_spec.own_model.model_file import BadInput, identify
from lstm_spec.own_model.report import CheckResult, SideReading, markdown, terminal
from lstm_spec.saving.read_files import MATCH_TOLERANCE

EXIT_BAD_INPUT = 2


def arguments_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The options ``check`` and ``migrate`` share: the model, its weights and input, the writer's side."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("model", help="a .h5 or .keras file, a SavedModel folder, or module:function (with --weights)")
    parser.add_argument("--weights", help="the weights file, with module:function")
    parser.add_argument("--from", dest="writer", metavar="SIDE",
                        help="the side that wrote it (default: read from the file; the nearest side that reads it)")
    parser.add_argument("--input", type=Path, help="your input as .npz (one array per model input, in order)")
    parser.add_argument("--keep-hard-sigmoid", action="store_true",
                        help="migrate Keras 2's hard_sigmoid as the registered function lstm_spec>keras_2_hard_sigmoid")
    return parser


def caller_path(path: Path | None) -> Path | None:
    """A path the user gave, read from the folder they ran ``suite.py`` in (it runs tools from the checkout)."""
    if path is None or path.is_absolute():
        return path
    return Path(os.environ.get("LSTM_SPEC_CALLER_CWD", os.getcwd())) / path


def prefixed(command: str, say=print):
    """A progress printer whose lines start with the command's name."""
    return lambda line: say("\n".join(f"{command}: {part}" if part else part for part in line.split("\n")))


def main(argv=None, progress=prefixed("check")) -> int:
    parser = arguments_parser("suite.py check", "Your saved model on each side, every way in, against the writer's "
                                                "outputs.")
    parser.add_argument("--to", nargs="+", metavar="SIDE", help="the reading sides (default: locked, and tf-keras "
                                                                "for a Keras 2 file)")
    parser.add_argument("--out", type=Path, help="write the report as Markdown here")
    parser.add_argument("--json", type=Path, help="write the result as JSON here (for CI)")
    arguments = parser.parse_args(argv)
    cwd = Path(os.environ.get("LSTM_SPEC_CALLER_CWD", os.getcwd()))
    try:
        model_file = identify(arguments.model, arguments.weights, cwd)
        given = caller_path(arguments.input)
        if given is not None and not given.is_file():
            raise BadInput(f"--input {arguments.input}: no such file")
        writer, note = writer_side.writer_of(model_file, arguments.writer)
        readers = [environments.side_named(name) for name in (arguments.to or writer_side.default_readers(model_file))]
    except (BadInput, environments.SideError) as error:
        print(f"suite.py check: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    with tempfile.TemporaryDirectory(prefix="lstm-spec-check-") as scratch:
        work = Path(scratch)
        try:
            result = run_check(model_file, writer, note, readers, work, given, arguments.keep_hard_sigmoid, progress)
        except (BadInput, environments.SideError) as error:
            print(f"suite.py check: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
    print(terminal(result))
    for target, text in ((caller_path(arguments.out), lambda: markdown(result)),
                         (caller_path(arguments.json), lambda: json.dumps(result.document(), indent=1) + "\n")):
        if target is not None:
            target.write_text(text())
            progress(f"wrote {target}")
    return 0 if result.plain_load_matches_everywhere else 1


def run_check(model_file, writer, note, readers, work: Path, given, keep_hard_sigmoid, progress) -> CheckResult:
    """The writer's side, ``migrate`` on the locked side, then every reading side (two at a time)."""
    pythons = {side.name: environments.ensure(side, progress) for side in readers}  # a side that cannot install: first
    written = writer_side.write(model_file, writer, work, given, progress)
    migration = writer_side.migrate(model_file, work, keep_hard_sigmoid, progress)
    migrated = work / migration["file"] if "file" in migration else None

    def reading(side) -> SideReading:
        progress(f"reading on {side.name} ...")
        out = f"read-{readers.index(side)}.json"
        model, options = writer_side.model_arguments(model_file)
        arguments = ["read", model, str(work), "--out", out, *options]
        arguments += ["--migrated", str(migrated)] if migrated else []
        finished = environments.run_probe(side, pythons[side.name], arguments)
        if finished.returncode != 0:
            return SideReading(side.name, error=environments.failure(finished))
        document = json.loads((work / out).read_text())
        return SideReading(side.name, document["versions"], document["outcomes"])

    with ThreadPoolExecutor(max_workers=2) as pool:
        readings = list(pool.map(reading, readers))
    return CheckResult(str(model_file), writer.name, note, written, migration, readings, MATCH_TOLERANCE)


if __name__ == "__main__":
    sys.exit(main())
