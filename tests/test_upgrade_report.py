"""The version matrix's names and the upgrade report's reading, comparing and writing (no environment is run)."""

import textwrap

import numpy as np
import pytest

from lstm_spec.checks import arrays_text
from lstm_spec.versions import upgrade_report
from lstm_spec.checks.layer_defaults import ABSENT, flatten, group_differences
from lstm_spec.versions.matrix import resolve
from lstm_spec.versions.upgrade_report import Outcome, Side, compare, compare_values, read_outcomes, render_markdown
from lstm_spec.versions.pins import VersionSpecError, install_plan, requirement

LOCK = "keras==3.15.1\ntensorflow==2.21.0\npytest==9.2.0\nsyrupy==7.0.2\npytest-benchmark==5.3.1\n" \
       "pytest-xdist==3.8.0\npytest-reverse==1.9.0\nmatplotlib==3.11.2\n"


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
             "pytest-xdist==3.8.0", "pytest-reverse==1.9.0", "matplotlib==3.11.2"]] == install_plan("2.20.0", LOCK)
    assert [["install", "-r", "lock.txt"], ["install", "keras==3.14.0"]] == install_plan("3.14.0", LOCK, "lock.txt")
    assert [["install", "-r", "lock.txt"], ["uninstall", "--yes", "keras"], ["install", "--pre", "keras-nightly"]] \
        == install_plan("keras-nightly", LOCK, "lock.txt")


@pytest.mark.parametrize("name, session", [
    ("keras2", "keras2"), ("2.15.1", "keras2"), ("locked", "locked"), ("2.21.0", "locked"),
    ("keras==3.15.1", "locked"), ("2.20.0", "version"), ("keras-nightly", "version"),
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


def side(name, *, outcomes=(), snapshots=None, defaults=None, packages=None) -> Side:
    return Side(name, "test", python="3.11.7", packages=packages or {"tensorflow": name, "keras": "3.0.0"},
                outcomes={f"{o.module}::{o.test}": o for o in outcomes}, snapshots=snapshots or {},
                defaults=defaults or {}, behaviours={"test_06_time_major": "6. time_major"})


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
    assert "| `LSTM.time_major` | false | (absent) |" in markdown
    assert "| tensorflow | 2.15.1 | 2.21.0 |" in markdown


def test_a_version_that_cannot_be_installed_is_reported_not_raised():
    """A side whose install failed makes a report that says so, with pip's reason, and compares nothing."""
    before = side("2.21.0")
    after = Side("keras-nightly", "version", install_error="keras-nightly cannot be installed from the package index\n"
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
