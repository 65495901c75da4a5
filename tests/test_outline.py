"""The ``--outline`` plugin: cases grouped by axis, behaviours in file order, failures as documentation."""

import textwrap
from pathlib import Path

import pytest

from lstm_spec.living_docs.behaviours import behaviour_title
from lstm_spec.living_docs.outline import Case, compact_axis, group_cases, render_outline

ROOT = Path(__file__).resolve().parents[1]


def case(module="specs/test_01_x.py", spec="test_a", line=10, case_ids=(), order=(), outcome="passed",
         detail="", sentence="It does a.", behaviour="1. The first behaviour."):
    return Case({"module": module, "behaviour": behaviour, "spec": spec, "line": line,
                 "sentence": sentence, "case": list(case_ids), "order": list(order)}, outcome, detail)


def grid_cases(**overrides):
    units, dims = ("LSTM(units=5)", "LSTM(units=1)"), ("batch=2-seq=9-features=3", "batch=1-seq=9-features=3")
    return [case(case_ids=(config, shape), order=(i, j), **overrides)
            for i, config in enumerate(units) for j, shape in enumerate(dims)]


def test_cases_forming_a_product_print_once_per_axis():
    """Four cases over two axes print as each axis' values joined by ×, numbers folded into one configuration."""
    assert "LSTM(units=5|1) × batch=2|1-seq=9-features=3" == group_cases(grid_cases())


def test_cases_in_reverse_arrival_order_print_in_parametrization_order():
    """The grouping follows the parametrization indices, not the order reports arrived in (xdist, -p reverse)."""
    assert group_cases(grid_cases()) == group_cases(list(reversed(grid_cases())))


def test_cases_not_forming_a_product_are_listed():
    """Three of four grid points are not a product: each case's id is listed."""
    expected = "LSTM(units=5)-batch=2-seq=9-features=3, LSTM(units=5)-batch=1-seq=9-features=3, " \
               "LSTM(units=1)-batch=2-seq=9-features=3"
    assert expected == group_cases(grid_cases()[:3])


@pytest.mark.parametrize("values, expected", [
    (["merge_mode=concat", "merge_mode=sum"], "merge_mode=concat|sum"),
    (["LSTM(units=5,return_state=True)", "LSTM(units=64,return_state=True)"], "LSTM(units=5|64,return_state=True)"),
    (["LSTM(units=5)", "LSTM(units=5,return_state=True)"], "LSTM(units=5), LSTM(units=5,return_state=True)"),
    (["x=ab", "x=cb"], "x=ab, x=cb"),  # folding would cut a value in two
    (["batch=2-seq=9", "batch=1-seq=9"], "batch=2|1-seq=9"),
    (["batch=2-seq=9", "batch=1-seq=4"], "batch=2-seq=9, batch=1-seq=4"),
    (["LSTM", "GRU"], "LSTM, GRU"),
], ids=str)
def test_axis_values_fold_only_when_they_differ_in_one_whole_value(values, expected):
    """Values differing in one whole value after '=' fold into one with '|'; anything else stays a list."""
    assert expected == compact_axis(values)


def test_outline_orders_behaviours_by_file_and_specs_by_line():
    """Behaviours by spec file, specs by source line, whatever order the cases came in."""
    cases = [case(module="specs/test_02_y.py", behaviour="2. Second.", sentence="It does b."),
             case(spec="test_late", line=30, sentence="It does c."),
             case(spec="test_early", line=5, sentence="It does a.")]
    text = [line.strip() for _, line in render_outline(cases)]
    assert ["1. The first behaviour.", "(specs/test_01_x.py, -m x)", "It does a.", "It does c.",
            "2. Second.", "(specs/test_02_y.py, -m y)", "It does b."] == [line for line in text if line]


def test_failing_case_says_documented_observed_and_repro():
    """A failing case prints the spec sentence, the assertion message and the repro note under its id."""
    failure = "AssertionError: out.shape=(2, 5), but should be (2, 9, 5)\nReproduce with:\n    import keras"
    cases = grid_cases(sentence="The output is (batch, units).")
    cases[0] = case(case_ids=cases[0].facts["case"], order=(0, 0), outcome="failed", detail=failure,
                    sentence="The output is (batch, units).")
    lines = render_outline(cases, width=200)
    assert "failed" == lines[3][0]
    body = "\n".join(text for _, text in lines[4:])
    assert "4 cases (3 passed, 1 failed): LSTM(units=5|1) × batch=2|1-seq=9-features=3" in body
    assert textwrap.dedent("""\
        FAILED on LSTM(units=5)-batch=2-seq=9-features=3
          documented: The output is (batch, units).
          observed:   AssertionError: out.shape=(2, 5), but should be (2, 9, 5)
                      Reproduce with:
                          import keras""") == textwrap.dedent("\n".join(body.splitlines()[1:]))


SPEC = '''
"""7. A behaviour title.

More text that is not the title.
"""
import pytest


@pytest.mark.parametrize("units", [5, 1], ids="units={}".format)
def test_width(units):
    """The width is what was asked for."""
    assert 99 != units, "documented width"


def test_fails():
    """Two is not one."""
    error = AssertionError("2 != 1 [context]")
    error.add_note("Reproduce with:\\n    print(1)")
    raise error
'''


REAL_RUN_OUTLINE = [
    "*= specification outline =*",
    "7. A behaviour title.",
    "  (test_spec.py)",
    "  passed  The width is what was asked for.",
    "            2 cases: units=5|1",
    "  failed  Two is not one.",
    "              observed:   AssertionError: 2 != 1 [context]",
    "                          Reproduce with:",
    "                              print(1)",
]


def test_outline_of_a_real_run(pytester):
    """A real run prints the title, each spec's sentence with its cases, and the failure's note (in-process, so a
    mutation run reaches the plugin's hooks)."""
    pytester.makepyfile(test_spec=SPEC)
    run = pytester.runpytest_inprocess("-p", "lstm_spec.living_docs.outline", "--outline", "-p", "no:cacheprovider")
    run.assert_outcomes(passed=2, failed=1)
    run.stdout.fnmatch_lines(REAL_RUN_OUTLINE)


def test_outline_of_an_xdist_run(pytester, monkeypatch):
    """With ``-n 2`` the workers' reports give the controller the same outline."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the subprocess and its xdist workers import lstm_spec
    pytester.makepyfile(test_spec=SPEC)
    run = pytester.runpytest_subprocess("-p", "lstm_spec.living_docs.outline", "--outline", "-p", "no:cacheprovider",
                                        "-n", "2")
    run.assert_outcomes(passed=2, failed=1)
    run.stdout.fnmatch_lines(REAL_RUN_OUTLINE)


OUTCOMES = '''
"""8. Every outcome."""
import pytest


@pytest.fixture
def broken():
    raise RuntimeError("no data")


def test_skipped():
    """It is skipped."""
    pytest.skip("not on this backend")


@pytest.mark.xfail(reason="known gap")
def test_expected_failure():
    """It fails as expected."""
    assert False


@pytest.mark.xfail(reason="known gap", strict=True)
def test_unexpected_pass():
    """It passes though it should not."""


def test_set_up_fails(broken):
    """Its set-up fails."""


def test_passes():
    """It passes."""
'''


def test_outline_names_each_outcome_and_its_reason(pytester):
    """Skipped, xfailed, a strict xfail that passed and a set-up error each print their word and reason."""
    pytester.makepyfile(test_outcomes=OUTCOMES)
    run = pytester.runpytest_inprocess("-p", "lstm_spec.living_docs.outline", "--outline", "-p", "no:cacheprovider")
    run.assert_outcomes(passed=1, skipped=1, xfailed=1, failed=1, errors=1)
    after_heading = run.stdout.str().split("specification outline")[1].splitlines()[2:]
    outline = after_heading[:next(i for i, line in enumerate(after_heading) if line.startswith("="))]
    assert ["8. Every outcome.",
            "  (test_outcomes.py)",
            "  skipped It is skipped.",
            "            skipped: not on this backend",
            "  xfailed It fails as expected.",
            "            xfailed: known gap",
            "  failed  It passes though it should not.",
            "            FAILED",
            "              documented: It passes though it should not.",
            "              observed:   [XPASS(strict)] known gap",
            "  error   Its set-up fails.",
            "            ERROR",
            "              documented: Its set-up fails.",
            "              observed:   RuntimeError: no data",
            "  passed  It passes."] == outline


def test_no_outline_without_the_option(pytester):
    """Without ``--outline`` the plugin prints no outline."""
    pytester.makepyfile(test_spec=SPEC)
    run = pytester.runpytest_inprocess("-p", "lstm_spec.living_docs.outline", "-p", "no:cacheprovider")
    run.assert_outcomes(passed=2, failed=1)
    assert "specification outline" not in run.stdout.str()


@pytest.mark.parametrize(
    "path, docstring_title, expected",
    [
        ("specs/test_20_gru_outputs.py", "GRU outputs: [output, h].", "20. GRU outputs: [output, h]."),
        ("specs/test_04_return_state.py", "4. return_state=True: three arrays.", "4. return_state=True: three arrays."),
        ("specs/test_19_page_output.py", "18. A stale number.", "19. A stale number."),
        ("tests/helpers.py", "Not a behaviour.", "Not a behaviour."),
    ],
    ids=["unnumbered", "numbered", "misnumbered", "not-a-spec"],
)
def test_behaviour_titles_are_numbered_from_their_file(path, docstring_title, expected):
    """A behaviour's title carries its file's number, once, whatever its docstring says."""
    assert expected == behaviour_title(path, docstring_title)


def test_collect_only_outline_lists_without_running(pytester):
    """``--collect-only --outline`` lists each behaviour, its specs and their cases, and runs none of them."""
    pytester.makepyfile(test_spec=SPEC)
    run = pytester.runpytest("-p", "lstm_spec.living_docs.outline", "--outline", "-p", "no:cacheprovider",
                             "--collect-only", "-q")
    assert pytest.ExitCode.OK == run.ret
    run.assert_outcomes()
    run.stdout.fnmatch_lines([
        "*= specification outline: collected, not run =*",
        "7. A behaviour title.",
        "  listed  The width is what was asked for.",
        "            2 cases: units=5|1",
        "  listed  Two is not one.",
    ])
    assert "observed" not in run.stdout.str()
