"""The version matrix's names and the upgrade report's reading, comparing and writing (no environment is run)."""

import os
import subprocess
import sys
import textwrap
import types

import numpy as np
import pytest

from lstm_spec.checks import arrays_text
from lstm_spec.versions import upgrade_report
from lstm_spec.checks.layer_defaults import ABSENT, flatten, group_differences
from lstm_spec.versions.sides import resolve
from lstm_spec.versions.dependencies import installed_requires, tool_packages
from lstm_spec.versions import side_results, side_run
from lstm_spec.versions.comparison import classify_defaults, compare, compare_values
from lstm_spec.versions.side_results import Outcome, SideResult, read_outcomes
from lstm_spec.versions.upgrade_report import render_markdown, summary_lines
from lstm_spec.versions.pins import VersionSpecError, install_plan, requirement, requirements



# No test here builds a Keras model: the suite's autouse fixtures that import Keras (TensorFlow, ~8 s) are
# replaced by nothing, so mutation testing, which runs these tests once per mutant, spends no time on it.
@pytest.fixture(scope="session")
def eager_calls_as_inference():
    """No Keras: nothing here is called eagerly."""
    yield


@pytest.fixture
def fresh_keras_session():
    """No Keras session to clear: these tests build no layer."""


LOCK = "keras==3.15.1\ntensorflow==2.21.0\npytest==9.2.0\nsyrupy==7.0.2\npytest-benchmark==5.3.1\n" \
       "pytest-xdist==3.8.0\npytest-reverse==1.9.0\npytest-timeout==2.4.0\nmatplotlib==3.11.2\n"


@pytest.mark.parametrize("name, expected", [
    ("2.15.1", "tensorflow==2.15.1"),
    ("tensorflow==2.20.0", "tensorflow==2.20.0"),
    ("3.14.0", "keras==3.14.0"),
    ("keras-nightly", "keras-nightly"),
    ("keras-nightly==3.16.0.dev2026112803", "keras-nightly==3.16.0.dev2026112803"),
], ids=str)
def test_a_version_name_stands_for_one_requirement(name, expected):
    """A bare 2.x is a TensorFlow release, a bare 3.x a Keras 3 release, keras-nightly itself."""
    assert expected == requirement(name)


@pytest.mark.parametrize("name", ["banana", "1.15.0", "keras==2.15.0", "tensorflow==3.0"], ids=str)
def test_a_name_nothing_can_install_says_how_to_name_one(name):
    """A name that is no TensorFlow 2.x, Keras 3.x or keras-nightly is refused with the forms that work."""
    with pytest.raises(VersionSpecError) as raised:
        requirement(name)
    assert "keras-nightly" in str(raised.value) and repr(name) in str(raised.value)


def test_install_plans():
    """TensorFlow comes with the locked test tools; Keras 3 and keras-nightly go on top of the lock."""
    assert [["install", "tensorflow==2.20.0", "pytest==9.2.0", "syrupy==7.0.2", "pytest-benchmark==5.3.1",
             "pytest-xdist==3.8.0", "pytest-reverse==1.9.0", "pytest-timeout==2.4.0", "matplotlib==3.11.2"]] \
        == install_plan("2.20.0", LOCK)
    assert [["install", "-r", "lock.txt"], ["install", "keras==3.14.0"]] == install_plan("3.14.0", LOCK, "lock.txt")
    assert [["install", "-r", "lock.txt"], ["uninstall", "--yes", "keras", "keras-nightly"],
            ["install", "--pre", "keras-nightly"]] == install_plan("keras-nightly", LOCK, "lock.txt")


@pytest.mark.parametrize("name, session", [
    ("keras2", "keras2"), ("2.15.1", "keras2"), ("locked", "locked"), ("2.21.0", "locked"),
    ("keras==3.15.1", "locked"), ("2.20.0", "version"), ("keras-nightly", "version"),
    ("jax", "jax"), ("torch", "torch"),
], ids=str)
def test_a_locked_version_runs_its_locks_session(name, session):
    """The versions the two locks pin run those sessions (their environments are reused); others run 'version'."""
    assert session == resolve(name).session


def test_flatten_keeps_nested_names_but_not_the_layer_name():
    """Nested configs become dotted keys; a layer's own counter name is left out, a dtype policy's name kept."""
    config = {"name": "lstm_3", "trainable": True, "dtype": {"class_name": "DTypePolicy", "config": {"name": "float32"}}}
    assert {"L.trainable": True, "L.dtype.class_name": "DTypePolicy", "L.dtype.config.name": "float32"} \
        == flatten(config, "L")


def test_default_differences_group_a_subtree_one_side_lacks():
    """A changed value is one row; a subtree only one side has is one row holding it as a dict."""
    before = {"L.dtype": "float32", "L.units": 1, "L.time_major": False}
    after = {"L.dtype.class_name": "DTypePolicy", "L.dtype.module": "keras", "L.units": 2}
    assert [("L.dtype", "float32", {"class_name": "DTypePolicy", "module": "keras"}),
            ("L.time_major", False, ABSENT), ("L.units", 1, 2)] == group_differences(before, after)


def test_junit_outcomes_carry_the_message(tmp_path):
    """Each test case of pytest's JUnit XML reads as module, test, outcome and message."""
    junit = tmp_path / "junit.xml"
    junit.write_text(textwrap.dedent("""\
        <testsuites><testsuite>
        <testcase classname="specs.test_06_time_major" name="test_a[True]"/>
        <testcase classname="specs.test_06_time_major" name="test_b">
          <skipped type="pytest.skip" message="Keras 3 has no time_major argument">...</skipped></testcase>
        <testcase classname="specs.test_02_output" name="test_c">
          <failure message="AssertionError: out.shape=(2, 9, 5), but should be (2, 5)">trace</failure></testcase>
        </testsuite></testsuites>"""))
    assert {
        "test_06_time_major::test_a[True]": Outcome("test_06_time_major", "test_a[True]", "passed"),
        "test_06_time_major::test_b": Outcome("test_06_time_major", "test_b", "skipped",
                                              "Keras 3 has no time_major argument"),
        "test_02_output::test_c": Outcome("test_02_output", "test_c", "failed",
                                          "AssertionError: out.shape=(2, 9, 5), but should be (2, 5)"),
    } == read_outcomes(junit)


def arrays(*values, shape=None) -> str:
    array = np.array(values, np.float32)
    return arrays_text.format_arrays({"output": array.reshape(shape) if shape else array})


def test_value_comparison_gives_largest_differences_and_whether_they_moved():
    """Within tolerance is not moved; beyond it is, with the largest absolute and relative difference."""
    assert (0.0, 0.0, False, "") == compare_values(arrays(1.0, 2.0), arrays(1.0, 2.0))
    absolute, relative, moved, _ = compare_values(arrays(1.0, 2.0), arrays(1.0, 2.5))
    assert (0.5, 0.25, True) == (absolute, relative, moved)
    assert not compare_values(arrays(1.0, 2.0), arrays(1.0, 2.000001))[2]
    _, _, moved, problem = compare_values(arrays(1.0, 2.0), arrays(1.0, 2.0, shape=(2, 1)))
    assert moved and "shape is (2, 1), snapshot has (2,)" in problem


def side(name, *, outcomes=(), snapshots=None, defaults=None, packages=None, tools=()) -> SideResult:
    return SideResult(name, "test", python="3.11.7", packages=packages or {"tensorflow": name, "keras": "3.0.0"},
                outcomes={f"{o.module}::{o.test}": o for o in outcomes}, snapshots=snapshots or {},
                defaults=defaults or {}, behaviours={"test_06_time_major": "6. time_major"}, tools=set(tools))


def test_report_names_each_difference():
    """Outcomes by behaviour with messages, moved values by kind, changed defaults and packages all appear."""
    before = side("2.15.1", outcomes=[Outcome("test_06_time_major", "test_t", "passed")],
                  snapshots={("pinned", "test_18", "e"): arrays(1.0), ("seeded", "test_02", "s"): arrays(1.0)},
                  defaults={"LSTM.time_major": False, "LSTM.units": 1})
    after = side("2.21.0", outcomes=[Outcome("test_06_time_major", "test_t", "skipped", "Keras 3 has no time_major")],
                 snapshots={("pinned", "test_18", "e"): arrays(1.0), ("seeded", "test_02", "s"): arrays(3.0)},
                 defaults={"LSTM.units": 1})
    comparison = compare(before, after)
    markdown = render_markdown(comparison, "python3 suite.py report 2.15.1 2.21.0")
    assert ["test_06_time_major"] == list(comparison.outcomes)
    assert "### 6. time_major" in markdown and "**2.21.0**: skipped: Keras 3 has no time_major" in markdown
    assert "| `test_02`: `s` | seeded weights (Keras' random stream) | 2 | 2 |" in markdown
    assert 1 == comparison.identical_values
    assert "| `LSTM.time_major` | false | (absent) | argument gone |" in markdown
    assert "| tensorflow | 2.15.1 | 2.21.0 |" in markdown


def test_a_version_that_cannot_be_installed_is_reported_not_raised():
    """A side whose install failed makes a report that says so, with pip's reason, and compares nothing."""
    before = side("2.21.0")
    after = SideResult("keras-nightly", "version", install_error="keras-nightly cannot be installed from the package index\n"
                 "ERROR: No matching distribution found for keras-nightly")
    markdown = render_markdown(compare(before, after), "python3 suite.py report locked keras-nightly")
    assert "## keras-nightly cannot be installed" in markdown
    assert "No matching distribution found for keras-nightly" in markdown
    assert "## Specs whose outcome differs" not in markdown


@pytest.mark.parametrize("before, after, name", [
    ("2.15.1", "2.21.0", "tf-2.15.1-to-tf-2.21.0.md"),
    ("locked", "keras-nightly", "locked-to-keras-nightly.md"),
    ("2.21.0", "keras==3.14.0", "tf-2.21.0-to-keras-3.14.0.md"),
], ids=str)
def test_default_report_file_names_both_versions(before, after, name):
    """The report goes to docs/upgrade-reports/<before>-to-<after>.md."""
    assert name == upgrade_report.default_report_path(before, after).name


def test_report_command_refuses_a_bad_name_before_running_anything(capsys):
    """A name nothing can install stops the command at once, saying how to name a version."""
    with pytest.raises(SystemExit) as exited:
        upgrade_report.main(["2.15.1", "banana"])
    assert 2 == exited.value.code
    assert "'banana' is not a version this suite can install" in capsys.readouterr().err


@pytest.mark.parametrize("seeded", ["seeded-keras3", "seeded-keras2", "seeded-jax", "seeded-torch"], ids=str)
def test_a_side_reads_the_seeded_folder_its_run_wrote(tmp_path, seeded):
    """A run's seeded values are read from the folder its era or backend wrote, beside pinned/."""
    for folder in ("pinned", seeded):
        (tmp_path / folder).mkdir()
    assert {"pinned": "pinned", seeded: "seeded"} == side_results.snapshot_kinds(tmp_path)


# ---- sides as users have them: combinations and requirements files ------------------------------

TOOL_PINS = ["pytest==9.2.0", "syrupy==7.0.2", "pytest-benchmark==5.3.1", "pytest-xdist==3.8.0",
             "pytest-reverse==1.9.0", "pytest-timeout==2.4.0", "matplotlib==3.11.2"]


def test_a_combination_is_resolved_together_with_the_test_tools():
    """tensorflow==2.18.0,keras==3.8.0 is one pip install of both pins and the locked test tools."""
    assert ["tensorflow==2.18.0", "keras==3.8.0"] == requirements("tensorflow==2.18.0, keras==3.8.0")
    assert [["install", "tensorflow==2.18.0", "keras==3.8.0", *TOOL_PINS]] \
        == install_plan("tensorflow==2.18.0,keras==3.8.0", LOCK)
    assert "version" == resolve("tensorflow==2.18.0,keras==3.8.0").session


@pytest.mark.parametrize("name, told", [
    ("keras==3.8.0,numpy==2.0.2", "names no TensorFlow"),
    ("tensorflow>=2.18,keras==3.8.0", "'tensorflow>=2.18' is not an exact pin"),
    ("tensorflow==2.18.0,keras==3.8.0,keras==3.9.0", "pins keras more than once"),
    ("tensorflow==2.18.0,pytest==8.0.0", "pins pytest, one of the suite's test tools"),
    ("tensorflow==2.18.0,", "'' is not an exact pin"),
], ids=str)
def test_a_combination_that_says_nothing_installable_is_refused(name, told):
    """A combination of other than exact pins, without TensorFlow, or pinning a test tool is refused saying why."""
    with pytest.raises(VersionSpecError) as raised:
        requirements(name)
    assert told in str(raised.value)


FREEZE = """\
# my project's environment
absl-py==2.1.0
keras==3.8.0
numpy==2.0.2
pytest==7.4.0   # the suite brings its own
pluggy==1.5.0
tensorflow==2.18.0

"""


def test_a_requirements_file_is_resolved_as_it_is_with_the_test_tools_at_their_pins(tmp_path):
    """A pip freeze installs each of its lines but the suite's test tools, which come at the locked pins."""
    freeze = tmp_path / "freeze.txt"
    freeze.write_text(FREEZE)
    wanted = ["absl-py==2.1.0", "keras==3.8.0", "numpy==2.0.2", "pluggy==1.5.0", "tensorflow==2.18.0"]
    assert wanted == requirements(str(freeze))
    assert [["install", *wanted, *TOOL_PINS]] == install_plan(str(freeze), LOCK)


def test_a_requirements_file_runs_in_the_version_session_by_its_absolute_path(tmp_path, monkeypatch):
    """The session runs in another folder, so a relative path to a requirements file travels absolute."""
    (tmp_path / "freeze.txt").write_text(FREEZE)
    monkeypatch.chdir(tmp_path)
    target = resolve("./freeze.txt")
    assert ("./freeze.txt", "version", str(tmp_path / "freeze.txt")) == (target.name, target.session, target.version)


@pytest.mark.parametrize("text, told", [
    ("tensorflow==2.18.0\n-e git+https://example.org/mine.git#egg=mine\n", "line 2: '-e git+https"),
    ("tensorflow==2.18.0\nnumpy @ file:///home/conda/numpy.whl\n", "line 2: 'numpy @ file://"),
    ("keras==3.8.0\nnumpy==2.0.2\n", "names no TensorFlow"),
    ("# nothing\n\n", "names no package"),
], ids=["editable", "direct-reference", "no-tensorflow", "empty"])
def test_a_requirements_file_pip_cannot_reproduce_is_refused_naming_the_line(tmp_path, text, told):
    """Options, editable installs and file references cannot come from the index: refused with the line and the fix."""
    freeze = tmp_path / "freeze.txt"
    freeze.write_text(text)
    with pytest.raises(VersionSpecError) as raised:
        requirements(str(freeze))
    assert told in str(raised.value)


def test_a_missing_requirements_file_is_refused():
    """A name that reads as a file but is none says so."""
    with pytest.raises(VersionSpecError, match="no such requirements file"):
        requirements("no/such/freeze.txt")


PIP_CONFLICT = """\
Collecting tensorflow==2.18.0
ERROR: Cannot install keras==2.15.0 and tensorflow==2.18.0 because these package versions have conflicting dependencies.

The conflict is caused by:
    The user requested keras==2.15.0
    tensorflow 2.18.0 depends on keras>=3.5.0

To fix this you could try to:
1. loosen the range of package versions you've specified

ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/
"""


def test_pips_reason_keeps_its_errors_and_the_conflict_it_names():
    """From pip's output: the ERROR lines and the lines under "The conflict is caused by", nothing else."""
    assert ("ERROR: Cannot install keras==2.15.0 and tensorflow==2.18.0 because these package versions have "
            "conflicting dependencies.\nThe conflict is caused by:\n    The user requested keras==2.15.0\n"
            "    tensorflow 2.18.0 depends on keras>=3.5.0\nERROR: ResolutionImpossible: for help visit "
            "https://pip.pypa.io/en/latest/topics/dependency-resolution/") == side_results.pip_reason(PIP_CONFLICT)


def test_pips_reason_when_pip_itself_fails_ends_with_the_exception():
    """A crash inside pip shows its ERROR line and the exception that ended the traceback."""
    crash = ("ERROR: Exception:\nTraceback (most recent call last):\n  File \"pip/_internal/cli/base.py\", line 1\n"
             "TypeError: expected string or bytes-like object, got 'NoneType'\n")
    assert "ERROR: Exception:\nTypeError: expected string or bytes-like object, got 'NoneType'" \
        == side_results.pip_reason(crash)


class FakePip:
    """Stands in for subprocess.run: records the command, answers with pip's exit status and output."""

    def __init__(self, returncode, output=""):
        self.returncode, self.output, self.commands = returncode, output, []

    def __call__(self, command, **_):
        self.commands.append(command)
        return subprocess.CompletedProcess(command, self.returncode, stdout=self.output, stderr="")


def test_an_unresolvable_combination_is_found_by_a_dry_run_with_pips_reason():
    """The combination's one pip install is asked with --dry-run; a failure gives pip's reason."""
    pip = FakePip(1, PIP_CONFLICT)
    reason = side_run.unresolvable(resolve("tensorflow==2.18.0,keras==2.15.0"), run=pip)
    assert "tensorflow 2.18.0 depends on keras>=3.5.0" in reason
    [command] = pip.commands
    assert ["install", "--dry-run", "--ignore-installed", "tensorflow==2.18.0", "keras==2.15.0"] == command[3:8]
    assert side_run.unresolvable(resolve("tensorflow==2.18.0,keras==3.8.0"), run=FakePip(0)) is None


@pytest.mark.parametrize("name", ["locked", "keras2", "3.14.0", "keras-nightly"], ids=str)
def test_environments_made_from_a_lock_are_not_dry_run(name):
    """A lock session, or a Keras release on top of the lock, is no single resolution: pip is not asked."""
    pip = FakePip(1, PIP_CONFLICT)
    assert side_run.unresolvable(resolve(name), run=pip) is None
    assert [] == pip.commands


def test_report_refuses_an_unresolvable_side_before_running_anything(monkeypatch, capsys):
    """A side pip cannot resolve ends the command with exit 2 and pip's reason; no side runs."""
    monkeypatch.setattr(upgrade_report, "unresolvable",
                        lambda target: side_results.pip_reason(PIP_CONFLICT) if "keras==2.15.0" in target.name else None)
    monkeypatch.setattr(upgrade_report, "run_side", lambda *_, **__: pytest.fail("a side ran"))
    assert 2 == upgrade_report.main(["tensorflow==2.18.0,keras==2.15.0", "locked"])
    err = capsys.readouterr().err
    assert "tensorflow==2.18.0,keras==2.15.0 cannot be installed from the package index; pip's reason:" in err
    assert "tensorflow 2.18.0 depends on keras>=3.5.0" in err


@pytest.mark.parametrize("before, after", [("2.15.1", "2.15.1"), ("locked", "2.21.0"), ("2.15.1", "keras2"),
                                           ("tensorflow==2.18.0,keras==3.8.0", "keras==3.8.0, tensorflow==2.18.0")],
                         ids=str)
def test_report_refuses_the_same_environment_twice_at_once(monkeypatch, capsys, before, after):
    """Two names for one environment stop the command before pip or any run is asked."""
    monkeypatch.setattr(upgrade_report, "unresolvable", lambda target: pytest.fail("pip was asked"))
    with pytest.raises(SystemExit) as exited:
        upgrade_report.main([before, after])
    assert 2 == exited.value.code
    assert f"{before!r} and {after!r} are the same environment" in capsys.readouterr().err


def test_the_report_of_a_requirements_file_is_named_after_it():
    """report my-freeze.txt locked writes my-freeze-to-locked.md; a combination names both pins."""
    assert "my-freeze-to-locked.md" == upgrade_report.default_report_path("envs/my-freeze.txt", "locked").name
    assert "tf-2.18.0-keras-3.8.0-to-locked.md" \
        == upgrade_report.default_report_path("tensorflow==2.18.0,keras==3.8.0", "locked").name


# ---- the summary and its counts ---------------------------------------------------------------

def test_the_packages_line_names_what_differs_not_tensorflow_always():
    """Only Keras changed: one package differs, named with both versions; TensorFlow is not claimed to differ."""
    lock = {"tensorflow": "2.21.0", "numpy": "2.4.6"}
    comparison = compare(side("3.3.3", packages={**lock, "keras": "3.3.3"}),
                         side("locked", packages={**lock, "keras": "3.15.1"}))
    assert "- 1 package differs (keras 3.3.3 -> 3.15.1)" == summary_lines(comparison)[-1]


def test_the_suites_own_tools_are_listed_apart_from_the_upgrade():
    """nox and pytest, installed only for the suite, differ apart; numpy, which TensorFlow needs too, stays in."""
    before = side("2.15.1", packages={"tensorflow": "2.15.1", "keras": "2.15.0", "numpy": "1.26.4", "pytest": "9.2.0"},
                  tools={"pytest"})
    after = side("2.21.0", packages={"tensorflow": "2.21.0", "keras": "3.15.1", "numpy": "2.4.6", "pytest": "9.2.0",
                                     "nox": "2026.10.20", "virtualenv": "21.15.11"}, tools={"pytest", "nox", "virtualenv"})
    comparison = compare(before, after)
    assert [("nox", ABSENT, "2026.10.20"), ("virtualenv", ABSENT, "21.15.11")] == comparison.tools
    assert ["keras", "numpy", "tensorflow"] == [package for package, _, _ in comparison.packages]
    assert ("- 3 packages differ (keras 2.15.0 -> 3.15.1, numpy 1.26.4 -> 2.4.6, tensorflow 2.15.1 -> 2.21.0); "
            "apart from them, 2 packages of the suite's own tools (nox, virtualenv)") == summary_lines(comparison)[-1]
    tools_table = render_markdown(comparison, "report").split("### The suite's own tools")[1]
    assert "| nox | (absent) | 2026.10.20 |" in tools_table and "numpy" not in tools_table


def test_tool_packages_are_those_only_the_tools_need():
    """Reachable from pytest, matplotlib or nox and from nothing else: numpy and packaging serve TensorFlow too."""
    requires = {"pytest": ["pluggy", "packaging"], "pluggy": [], "packaging": [], "matplotlib": ["numpy", "pillow"],
                "pillow": [], "numpy": [], "nox": ["virtualenv"], "virtualenv": ["filelock"], "filelock": [],
                "tensorflow": ["numpy", "packaging", "keras"], "keras": ["rich"], "rich": [], "pip": [],
                "scipy": ["numpy"]}
    assert {"pytest", "pluggy", "matplotlib", "pillow", "nox", "virtualenv", "filelock", "scipy", "pip"} \
        == tool_packages(requires)


def test_installed_requires_reads_this_environment_without_extras_or_other_platforms():
    """pytest needs pluggy; its tomli (Python < 3.11), colorama (Windows) and dev extras are left out
    (pytest is in every environment of the matrix, so this holds in each)."""
    requires = installed_requires()
    assert {"iniconfig", "packaging", "pluggy", "pygments"} <= set(requires["pytest"])
    assert not {"tomli", "exceptiongroup", "colorama", "hypothesis", "xmlschema"} & set(requires["pytest"])


def junit(tmp_path, cases: str):
    path = tmp_path / "junit.xml"
    path.write_text(f"<testsuites><testsuite>{cases}</testsuite></testsuites>")
    return read_outcomes(path)


def test_a_junit_error_is_a_failure_and_every_outcome_is_counted(tmp_path):
    """An <error> (set-up or tear-down) counts as failed, saying so; the outcomes line counts each side."""
    outcomes = junit(tmp_path, """
        <testcase classname="specs.test_02_output" name="test_a"/>
        <testcase classname="specs.test_02_output" name="test_b"><skipped message="Keras 2 only"/></testcase>
        <testcase classname="specs.test_02_output" name="test_c"><failure message="AssertionError: x"/></testcase>
        <testcase classname="specs.test_02_output" name="test_d"><error message="failed on setup with 'E'"/></testcase>""")
    assert Outcome("test_02_output", "test_d", "failed", "error in set-up or tear-down: failed on setup with 'E'") \
        == outcomes["test_02_output::test_d"]
    before = side("2.15.1", outcomes=outcomes.values())
    after = side("2.21.0", outcomes=[Outcome("test_02_output", "test_a", "passed")])
    assert "- outcomes: 2.15.1 1 passed, 1 skipped, 2 failed; 2.21.0 1 passed, 0 skipped, 0 failed" \
        == summary_lines(compare(before, after))[1]


def test_values_are_classified_by_kind_and_counted():
    """A moved pinned value is the math, a moved seeded one the random stream; within tolerance, identical,
    text and one-sided entries are counted, and a model.summary() text is not called a random stream."""
    before = side("2.15.1", snapshots={
        ("pinned", "test_18", "p"): arrays(1.0, 2.0), ("seeded", "test_02", "s"): arrays(1.0),
        ("seeded", "test_04", "w"): arrays(1.0), ("pinned", "test_14", "i"): arrays(5.0),
        ("seeded", "test_12", "summary"): "Model: \"model\"\n", ("seeded", "test_25", "gone"): arrays(1.0)})
    after = side("2.21.0", snapshots={
        ("pinned", "test_18", "p"): arrays(1.0, 2.5), ("seeded", "test_02", "s"): arrays(3.0),
        ("seeded", "test_04", "w"): arrays(1.0000001), ("pinned", "test_14", "i"): arrays(5.0),
        ("seeded", "test_12", "summary"): "Model: \"functional\"\n"})
    comparison = compare(before, after)
    assert ("- snapshot values moved beyond tolerance: 1 pinned (math), 1 seeded (random stream); 1 within "
            "tolerance, 1 identical, 1 text snapshots differ, 1 entries on one side only") == summary_lines(comparison)[3]
    markdown = render_markdown(comparison, "report")
    assert "| `test_18`: `p` | pinned weights (the math) | 0.5 | 0.25 |" in markdown
    assert "| `test_02`: `s` | seeded weights (Keras' random stream) | 2 | 2 |" in markdown
    assert "- seeded weights (Keras' random stream): 1 within tolerance" in markdown
    assert "<code>test_12</code>: <code>summary</code> (text, stored per Keras era)" in markdown


# ---- failure messages: whole, or their beginning and end ---------------------------------------

SHAPE_ERROR = ('raised ValueError: Input 0 of layer "lstm" is incompatible with the layer: expected ndim=3, found '
               'ndim=2. Full shape received: (2, 9)\nbut should raise ValueError matching "expected ndim=3" '
               '[LSTM(units=5) on input (2, 9)]')


def test_a_failure_message_is_shown_whole_in_a_text_block():
    """Both what happened and what was expected are in the report, the message's lines kept."""
    before = side("2.15.1", outcomes=[Outcome("test_31_errors", "test_e", "passed")])
    after = side("2.21.0", outcomes=[Outcome("test_31_errors", "test_e", "failed", SHAPE_ERROR)])
    markdown = render_markdown(compare(before, after), "report")
    indented = "\n".join(f"    {line}" for line in SHAPE_ERROR.splitlines())
    assert f"  - **2.21.0**: failed\n\n    ```text\n{indented}\n    ```\n" in markdown


def test_an_overlong_message_keeps_its_beginning_and_its_end(tmp_path):
    """Past the limit the middle goes, never the end, where "but should raise ..." is."""
    long = "raised ValueError: " + "x" * 3000 + "\nbut should raise ValueError [LSTM(units=5)]"
    [outcome] = junit(tmp_path, f'<testcase classname="specs.t" name="n"><failure message="{long}"/></testcase>').values()
    assert outcome.message.startswith("raised ValueError: xxx")
    assert outcome.message.endswith("but should raise ValueError [LSTM(units=5)]")
    assert "characters left out" in outcome.message and len(outcome.message) < side_results.MESSAGE_CHARS + 60


# ---- layer defaults: numbers or shapes, or representation only ----------------------------------

FORWARD = {"class_name": "LSTM", "config.units": 1, "config.go_backwards": False}
BEFORE_DEFAULTS = {
    "LSTM.dtype": "float32", "GRU.dtype": "float32", "LSTM.implementation": 2, "LSTM.time_major": False,
    "GRU.time_major": False,
    "LSTM.units": 1, "LSTM.kernel_initializer.config.seed": None,
    **{f"Bidirectional.layer.{key}": value for key, value in FORWARD.items()},
}
POLICY = {"class_name": "DTypePolicy", "module": "keras", "registered_name": None}
AFTER_DEFAULTS = {
    **{f"LSTM.dtype.{key}": value for key, value in {**POLICY, "config.name": "float32"}.items()},
    **{f"GRU.dtype.{key}": value for key, value in {**POLICY, "config.name": "float16"}.items()},
    "LSTM.units": 2, "LSTM.seed": None, "LSTM.zero_output_for_mask": False,
    "LSTM.kernel_initializer.config.input_axes": None,
    "LSTM.quantizer.config.mode": None, "LSTM.quantizer.config.axis": None, "Masking.mask_value": 0.0,
    **{f"Bidirectional.layer.{key}": value for key, value in FORWARD.items()},
    **{f"Bidirectional.backward_layer.{key}": value for key, value in {**FORWARD, "config.go_backwards": True}.items()},
}


def test_layer_defaults_are_split_into_numbers_and_representation():
    """A changed value or a non-None argument one side lacks can change numbers; a same-dtype policy, a None
    that was absent and Bidirectional's backward copy are representation only."""
    changes = {change.key: (change.what, change.representation)
               for change in classify_defaults(BEFORE_DEFAULTS, AFTER_DEFAULTS)}
    assert {
        "Bidirectional.backward_layer": ("the backward copy of `layer` (go_backwards flipped), now written out", True),
        "GRU.dtype": ("dtype changed", False),
        "GRU.time_major": ("argument gone", False),
        "Masking": ("new layer", False),
        "LSTM.dtype": ("same dtype, now a DTypePolicy", True),
        "LSTM.implementation": ("argument gone", False),
        "LSTM.kernel_initializer.config.input_axes": ("new setting, None: changes nothing unless set", True),
        "LSTM.kernel_initializer.config.seed": ("setting no longer written (it was None)", True),
        "LSTM.quantizer": ("new argument, None: changes nothing unless set", True),
        "LSTM.seed": ("new argument, None: changes nothing unless set", True),
        "LSTM.time_major": ("argument gone", False),
        "LSTM.units": ("value changed", False),
        "LSTM.zero_output_for_mask": ("new argument", False),
    } == changes


def test_a_backward_layer_that_differs_from_its_forward_layer_is_not_representation():
    """Bidirectional's backward_layer counts as a copy only when go_backwards is all that differs."""
    after = {**AFTER_DEFAULTS, "Bidirectional.backward_layer.config.units": 3}
    [change] = [change for change in classify_defaults(BEFORE_DEFAULTS, after)
                if change.key == "Bidirectional.backward_layer"]
    assert ("new argument", False) == (change.what, change.representation)


def test_the_defaults_summary_and_section_show_the_numbers_first():
    """The summary counts both groups, naming the arguments that can change numbers; the section tables them
    first and folds the representation-only rows away."""
    comparison = compare(side("2.15.1", defaults=BEFORE_DEFAULTS), side("2.21.0", defaults=AFTER_DEFAULTS))
    assert ("- 13 layer defaults differ: 7 can change numbers or shapes (Masking in 1, dtype in 1, implementation "
            "in 1, time_major in 2, units in 1, zero_output_for_mask in 1), 6 representation only (among them new "
            "arguments that are None by default: quantizer, seed)") == summary_lines(comparison)[4]
    section = render_markdown(comparison, "report").split("## Layer defaults that differ")[1]
    numbers, representation = section.split("### Representation only")
    assert "| `LSTM.implementation` | 2 | (absent) | argument gone |" in numbers and "LSTM.seed" not in numbers
    assert "<details><summary>6 keys</summary>" in representation
    assert "| `LSTM.seed` | (absent) | null | new argument, None: changes nothing unless set |" in representation


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A small checkout in place of this one, which the report command copies (this one takes a second)."""
    root = tmp_path / "checkout"
    for folder in ("specs", ".venv", ".git"):
        (root / folder).mkdir(parents=True)
    monkeypatch.setattr(upgrade_report, "ROOT", root)
    monkeypatch.setattr(upgrade_report, "REPORTS", root / "docs" / "upgrade-reports")
    return root


def test_both_sides_run_one_copy_of_the_checkout_taken_before_either(tmp_path, monkeypatch, checkout):
    """Both sides copy the same snapshot of the checkout, so edits made while the first side runs reach neither."""
    sources = []

    def fake_side(side, workdir, *, source, environment=None):
        sources.append(source)
        assert (source / "specs").is_dir() and not (source / ".venv").exists()
        return SideResult(side.name, "version", install_error=f"{side.name} stands in")

    monkeypatch.setattr(upgrade_report, "unresolvable", lambda target: None)
    monkeypatch.setattr(upgrade_report, "run_side", fake_side)
    no_speed = types.SimpleNamespace(markdown="", summary=[])  # the Speed section is tested on its own
    monkeypatch.setitem(sys.modules, "lstm_spec.bench.speed",
                        types.SimpleNamespace(report_section=lambda *_, **__: no_speed))
    out = tmp_path / "report.md"
    assert 1 == upgrade_report.main(["2.15.1", "2.21.0", "--out", str(out), "--keep", str(tmp_path / "keep")])
    assert [tmp_path / "keep" / "checkout"] * 2 == sources
    assert "## 2.15.1 cannot be installed" in out.read_text()


def test_a_keep_folder_inside_the_checkout_is_refused(capsys):
    """--keep inside the checkout would be copied into itself: refused at once, saying where to keep it instead."""
    with pytest.raises(SystemExit):
        upgrade_report.main(["2.15.1", "2.21.0", "--keep", "docs/keep-here"])
    assert ("--keep docs/keep-here: the folder is inside the checkout, which each side copies; name one outside it\n"
            in capsys.readouterr().err)


@pytest.mark.parametrize("name, private", [("tensorflow==2.18.0,keras==3.8.0", True), ("locked", False)], ids=str)
def test_a_version_side_makes_its_environment_in_its_own_folder(tmp_path, monkeypatch, name, private):
    """The version session, rebuilt every run, gets the side's own envdir; a lock's session reuses the checkout's .nox."""
    source = tmp_path / "checkout"
    (source / "specs").mkdir(parents=True)
    commands = []
    monkeypatch.setattr(side_run.subprocess, "run", lambda command, **_: commands.append(command))
    side = side_run.run_side(resolve(name), tmp_path / "side", source=source, log=open(os.devnull, "w"))
    [command] = commands
    envdir = command[command.index("--envdir") + 1]
    assert str(tmp_path / "side" / ".nox" if private else upgrade_report.ROOT / ".nox") == envdir
    assert side.run_error.startswith("the run ended before pytest wrote its results")
