"""The upgrade report's reading of what one side's run left behind, from small hand-made files (no run, no Keras)."""

import io
import json
import os
import textwrap

import pytest

from lstm_spec.versions import side_results, side_run
from lstm_spec.versions.side_results import WHOLE_MODULE, Outcome, read_outcomes, read_packages, read_side
from lstm_spec.versions.sides import resolve
from test_upgrade_report import eager_calls_as_inference, fresh_keras_session, junit  # noqa: F401 (fixtures)

PIP_NOT_FOUND = """\
Collecting keras-nightly
  Downloading something
ERROR: Could not find a version that satisfies the requirement keras-nightly (from versions: none)
ERROR: No matching distribution found for keras-nightly
"""
JUNIT = """<testsuites><testsuite>
<testcase classname="specs.test_02_output" name="test_a"/>
<testcase classname="specs.test_02_output" name="test_b"><skipped message="Keras 2 only"/></testcase>
</testsuite></testsuites>"""
FREEZE = "Keras==3.15.1\nml_dtypes==0.5.4\ntensorflow==2.21.0 \n# a comment\n-e file:///home/mine\npytest==9.2.0\n"
AMBER = """\
# serializer version: 1
# name: test_one
  output: shape=(2,) dtype=float32
  [1. 2.]
# ---
# name: test_two
  'Model: "functional"'
# ---
"""


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def finished_run(root, **replaced):
    """The tree and collected folder of a side whose run finished (every file the nox session writes);
    ``replaced`` names a file of the collected folder to write instead (None: leave it out)."""
    tree, collected = root / "tree", root / "collected"
    write(tree / "specs" / "test_02_output.py", '"""2. default output `(batch, units)`\n\nMore."""\n')
    write(tree / "specs" / "test_31_errors.py", "import pytest\n")
    write(tree / "specs" / "conftest.py", '"""Not a spec."""\n')
    write(tree / "specs" / "__snapshots__" / "pinned" / "test_18.ambr", AMBER)
    write(tree / "specs" / "__snapshots__" / "seeded-jax" / "test_02.ambr", AMBER)
    files = {"junit.xml": JUNIT, "python.txt": "3.11.7\n", "packages.txt": FREEZE,
             "layer_defaults.json": json.dumps({"LSTM.units": 1, "LSTM.dtype": "float32"}),
             "dependencies.json": json.dumps({"pytest": ["pluggy"], "pluggy": [], "tensorflow": ["numpy"], "numpy": []}),
             **replaced}
    for name, text in files.items():
        if text is not None:
            write(collected / name, text)
    return tree, collected


def test_a_finished_run_is_read_whole(tmp_path):
    """Python, packages, outcomes, both snapshot kinds, defaults, behaviours and tools all come from the run's files."""
    tree, collected = finished_run(tmp_path)
    side = read_side("jax", "jax", tree, collected, tmp_path / "nox.log")
    assert (None, None, True) == (side.install_error, side.run_error, side.usable)
    assert ("jax", "jax", "3.11.7") == (side.name, side.session, side.python)
    assert {"keras": "3.15.1", "ml-dtypes": "0.5.4", "tensorflow": "2.21.0", "pytest": "9.2.0"} == side.packages
    assert ["test_02_output::test_a", "test_02_output::test_b"] == list(side.outcomes)
    text = "output: shape=(2,) dtype=float32\n[1. 2.]"
    assert {("pinned", "test_18", "test_one"): text, ("pinned", "test_18", "test_two"): "'Model: \"functional\"'",
            ("seeded", "test_02", "test_one"): text, ("seeded", "test_02", "test_two"): "'Model: \"functional\"'"} \
        == side.snapshots
    assert {"LSTM.units": 1, "LSTM.dtype": "float32"} == side.defaults
    assert {"test_02_output": "2. default output `(batch, units)`", "test_31_errors": "test_31_errors"} \
        == side.behaviours
    assert {"pytest", "pluggy"} == side.tools


def test_a_side_that_could_not_be_installed_keeps_the_message_and_pips_reason(tmp_path):
    """install-error.txt ends the reading: its message, then pip's lines from the log; nothing else is read."""
    tree, collected = finished_run(tmp_path, **{"install-error.txt": "  keras-nightly cannot be installed  \n"})
    log = write(tmp_path / "nox.log", PIP_NOT_FOUND)
    side = read_side("keras-nightly", "version", tree, collected, log)
    assert ("keras-nightly cannot be installed\n"
            "ERROR: Could not find a version that satisfies the requirement keras-nightly (from versions: none)\n"
            "ERROR: No matching distribution found for keras-nightly") == side.install_error
    assert (None, False, {}, {}, "?") == (side.run_error, side.usable, side.outcomes, side.packages, side.python)


def test_an_install_error_without_a_log_is_the_message_alone(tmp_path):
    """No log (the session never started) leaves pip's reason empty."""
    tree, collected = finished_run(tmp_path, **{"install-error.txt": "cannot be installed\n"})
    assert "cannot be installed\n" == read_side("x", "version", tree, collected, tmp_path / "nox.log").install_error


def test_a_run_without_results_says_so_with_the_logs_last_lines(tmp_path):
    """No junit.xml: the run error quotes the last 15 lines of the log, and nothing else is read."""
    tree, collected = finished_run(tmp_path, **{"junit.xml": None})
    log = write(tmp_path / "nox.log", "".join(f"line {number}\n" for number in range(1, 21)))
    side = read_side("2.20.0", "version", tree, collected, log)
    assert ("the run ended before pytest wrote its results; the log ends:\n"
            + "\n".join(f"line {number}" for number in range(6, 21))) == side.run_error
    assert (None, False, {}, "?") == (side.install_error, side.usable, side.packages, side.python)


def test_a_run_without_results_or_log_says_there_was_no_log(tmp_path):
    """Without a log, the run error says so."""
    tree, collected = finished_run(tmp_path, **{"junit.xml": None})
    assert ("the run ended before pytest wrote its results; the log ends:\n(no log)"
            == read_side("x", "version", tree, collected, tmp_path / "nox.log").run_error)


def test_a_log_with_bytes_that_are_no_text_is_read_with_each_replaced(tmp_path):
    """A log with a byte that is no text still gives pip's reason and the log's last lines, the byte as U+FFFD."""
    log = tmp_path / "nox.log"
    log.write_bytes(b"ERROR: No matching distribution found for caf\xff\nKilled \xff\n")
    tree, collected = finished_run(tmp_path / "install", **{"install-error.txt": "cannot be installed\n"})
    assert ("cannot be installed\nERROR: No matching distribution found for caf\ufffd"
            == read_side("x", "version", tree, collected, log).install_error)
    tree, collected = finished_run(tmp_path / "run", **{"junit.xml": None})
    assert ("the run ended before pytest wrote its results; the log ends:\n"
            "ERROR: No matching distribution found for caf\ufffd\nKilled \ufffd"
            == read_side("x", "version", tree, collected, log).run_error)


def test_a_freeze_reads_as_normalized_names_and_exact_versions():
    """Names compare as the index does (ml_dtypes is ml-dtypes, Keras is keras); lines without == are not packages."""
    assert {"keras": "3.15.1", "ml-dtypes": "0.5.4", "tensorflow": "2.21.0", "pytest": "9.2.0"} == read_packages(FREEZE)
    assert {"odd-name": "1.0==2"} == read_packages("Odd.__Name==1.0==2\nno version\n")


def test_the_side_runs_its_nox_session_in_the_copy_with_its_snapshots_emptied(tmp_path, monkeypatch):
    """The copy leaves environments and history out and its snapshot folders empty, so the run writes every
    value; nox runs there, collecting into the side's folder, its output in the log."""
    source = tmp_path / "checkout"
    write(source / "specs" / "test_02_output.py", '"""2. default output"""\n')
    write(source / "specs" / "__snapshots__" / "pinned" / "test_18.ambr", AMBER)
    for left_out in (".venv", ".nox", ".git", ".benchmarks", ".pytest_cache", "specs/__pycache__"):
        write(source / left_out / "kept.txt", "not copied")
    calls, events = [], []

    def fake_nox(command, **options):
        calls.append((command, options, (options["cwd"] / "specs" / "__snapshots__").exists()))
        events.append("nox")
        finished_run(tmp_path / "side")  # the files the session writes
        print("nox ran", file=options["stdout"], flush=True)

    monkeypatch.setattr(side_run.subprocess, "run", fake_nox)
    monkeypatch.setenv("HB_PROBE", "kept")
    log = FlushRecorder(events)
    side = side_run.run_side(resolve("jax"), tmp_path / "side", source=source, log=log)
    tree = tmp_path / "side" / "tree"
    [(command, options, snapshots_at_start)] = calls
    assert not snapshots_at_start
    record = f"--deployment-record={tmp_path / 'side' / 'collected' / 'deployment-record.json'}"
    assert ["--sessions", "jax", "--", *side_run.PYTEST_ARGUMENTS, record, "--deployment-page=off"] == command[
        -len(side_run.PYTEST_ARGUMENTS) - 5:]
    assert str(tree / "noxfile.py") == command[command.index("--noxfile") + 1]
    assert tree == options["cwd"] and side_run.subprocess.STDOUT == options["stderr"]
    assert (str(tmp_path / "side" / "collected"), "kept") == (options["env"]["LSTM_SPEC_COLLECT"], options["env"]["HB_PROBE"])
    assert ["specs"] == sorted(os.listdir(tree))
    assert not (tree / "specs" / "__pycache__").exists() and (tree / "specs" / "test_02_output.py").exists()
    said = f"report: running the specs on jax (nox session jax); log: {tmp_path / 'side' / 'nox.log'}\n"
    assert [("flushed", said), "nox"] == events  # said before the minutes nox takes
    assert "nox ran\n" == (tmp_path / "side" / "nox.log").read_text()
    assert ("jax", "jax", True, "3.11.7") == (side.name, side.session, side.usable, side.python)
    assert {"pinned", "seeded"} == {kind for kind, _, _ in side.snapshots}


class FlushRecorder(io.StringIO):
    """A log that records what it held each time it was flushed."""

    def __init__(self, events):
        super().__init__()
        self.events = events

    def flush(self):
        self.events.append(("flushed", self.getvalue()))


def test_a_side_that_cannot_be_installed_gets_pips_reason_from_its_nox_log(tmp_path, monkeypatch):
    """The session writes install-error.txt and pip's output goes to the side's nox.log, where the reason is read."""
    def fake_nox(command, **options):
        write(tmp_path / "side" / "collected" / "install-error.txt", "2.20.0 cannot be installed\n")
        print(PIP_NOT_FOUND, file=options["stdout"], flush=True)

    monkeypatch.setattr(side_run.subprocess, "run", fake_nox)
    (tmp_path / "checkout").mkdir()
    side = side_run.run_side(resolve("2.20.0"), tmp_path / "side", source=tmp_path / "checkout", log=io.StringIO())
    assert ("2.20.0", "version") == (side.name, side.session)
    assert side.install_error.endswith("\nERROR: No matching distribution found for keras-nightly")


def test_only_ambr_files_of_the_kinds_named_are_read(tmp_path):
    """Other files, and folders of kinds not named, are not snapshots."""
    write(tmp_path / "pinned" / "test_18.ambr", AMBER)
    write(tmp_path / "pinned" / "notes.txt", "# name: not_an_entry\n  1\n")
    write(tmp_path / "seeded-keras2" / "test_02.ambr", AMBER)
    entries = side_results.read_snapshots(tmp_path, {"pinned": "pinned"})
    assert [("pinned", "test_18", "test_one"), ("pinned", "test_18", "test_two")] == sorted(entries)


def test_the_seeded_folders_are_kinds_in_order_and_other_folders_are_not(tmp_path):
    """Every seeded-* folder is seeded, listed in name order after pinned; a folder of another name is no kind."""
    for folder in ("seeded-torch", "pinned", "seeded-jax", "other"):
        (tmp_path / folder).mkdir()
    kinds = side_results.snapshot_kinds(tmp_path)
    assert [("pinned", "pinned"), ("seeded-jax", "seeded"), ("seeded-torch", "seeded")] == list(kinds.items())


# ---- JUnit: outcomes and their messages -----------------------------------------------------------

def test_a_module_skipped_at_collection_is_named_by_its_path_with_the_skips_reason(tmp_path):
    """A case without a class is the module as a whole; its skip reason comes from the text, not 'collection skipped'."""
    outcomes = junit(tmp_path, """
        <testcase classname="" name="specs.test_32_torch_shapes">
          <skipped message="collection skipped">('/x/specs/test_32_torch_shapes.py', 12, 'Skipped: needs PyTorch')</skipped>
        </testcase>""")
    assert {f"test_32_torch_shapes::{WHOLE_MODULE}": Outcome("test_32_torch_shapes", WHOLE_MODULE, "skipped",
                                                             "needs PyTorch")} == outcomes


@pytest.mark.parametrize("text", ["not a tuple(", "12", "()", ""], ids=["unparsable", "no-tuple", "empty-tuple", "empty"])
def test_a_collection_skip_whose_text_cannot_be_read_keeps_its_message(tmp_path, text):
    """A collection skip whose text is no (path, line, reason) tuple gives its message instead of failing."""
    [outcome] = junit(tmp_path, f'<testcase classname="specs.t" name="n"><skipped message="collection skipped">'
                                f'{text}</skipped></testcase>').values()
    assert Outcome("t", "n", "skipped", "collection skipped") == outcome


def test_a_failure_without_a_message_attribute_gives_its_text_and_other_tags_are_not_outcomes(tmp_path):
    """The message attribute first, else the element's text; output captured beside it changes nothing."""
    outcomes = junit(tmp_path, """
        <testcase classname="specs.test_02_output" name="a"><system-out>printed</system-out></testcase>
        <testcase classname="specs.test_02_output" name="b"><system-out>x</system-out><failure>  the text  </failure></testcase>
        <testcase classname="specs.test_02_output" name="c"><skipped message="Skipped: why">text</skipped></testcase>
        <testcase classname="specs.test_02_output" name="d"><error/></testcase>
        <testcase classname="specs.test_02_output" name="e"><failure message="first"/><error message="second"/></testcase>""")
    assert {"a": ("passed", ""), "b": ("failed", "the text"), "c": ("skipped", "why"),
            "d": ("failed", "error in set-up or tear-down: "), "e": ("failed", "first")} \
        == {outcome.test: (outcome.outcome, outcome.message) for outcome in outcomes.values()}


def test_a_module_is_the_last_part_of_its_dotted_class(tmp_path):
    """A spec in a package deeper than specs/ is still named by its module alone."""
    [outcome] = junit(tmp_path, '<testcase classname="specs.deeper.test_02_output" name="t"/>').values()
    assert ("test_02_output", "t") == (outcome.module, outcome.test)


def test_a_case_without_class_or_name_is_read_not_refused(tmp_path):
    """Attributes JUnit may leave out read as empty."""
    assert {f"::{WHOLE_MODULE}": Outcome("", WHOLE_MODULE, "passed")} == junit(tmp_path, "<testcase/>")


@pytest.mark.parametrize("length", [side_results.MESSAGE_CHARS, side_results.MESSAGE_CHARS + 1], ids=str)
def test_a_message_is_cut_only_past_the_limit_keeping_two_thirds_before_and_one_third_after(length):
    """At the limit a message is whole; one character more and its middle goes: 1000 characters kept before, 500 after."""
    text = "".join(chr(ord("a") + number % 26) for number in range(length))
    message = side_results._one_message(f"  Skipped: {text}\n")
    if length == side_results.MESSAGE_CHARS:
        assert text == message
    else:
        assert f"{text[:1000]} [... 1 characters left out ...] {text[-500:]}" == message


def test_skipped_is_dropped_only_at_the_start_of_a_message():
    """'Skipped: ' inside a message is the message's own."""
    assert "why: Skipped: inner" == side_results._one_message("why: Skipped: inner")


# ---- pip's reason -----------------------------------------------------------------------------

def test_pips_reason_keeps_indented_lines_only_under_the_conflict():
    """Indented lines before "The conflict is caused by:" or after the first line that ends it are pip's talk."""
    output = ("    Downloading tensorflow\nThe conflict is caused by:\n    a depends on b\nTo fix this you could try to:\n"
              "    loosen the range\n")
    assert "The conflict is caused by:\n    a depends on b" == side_results.pip_reason(output)


def test_pips_reason_keeps_versions_found_and_the_last_twelve_lines():
    """'from versions:' lines count; the conflict ends at the first line not indented by four; only the last 12 remain."""
    output = "\n".join([*(f"ERROR: {number}" for number in range(12)), "The conflict is caused by:",
                        "    a depends on b", "   three spaces", "  Could not find x (from versions: 1.0)",
                        "pip._vendor.Error: no", "ValueError: done", "KeyError(x): not an exception line"])
    assert ("ERROR: 5\nERROR: 6\nERROR: 7\nERROR: 8\nERROR: 9\nERROR: 10\nERROR: 11\nThe conflict is caused by:\n    a depends on b\n"
            "Could not find x (from versions: 1.0)\npip._vendor.Error: no\nValueError: done") \
        == side_results.pip_reason(output)
