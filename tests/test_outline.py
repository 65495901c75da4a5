"""The ``--outline`` plugin: cases grouped by axis, behaviours in file order, failures as documentation."""

import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from lstm_spec.living_docs import outline as outline_plugin
from lstm_spec.living_docs.behaviours import behaviour_title
from lstm_spec.living_docs.outline import (Case, compact_axis, docstring_summary, failure_message, group_cases,
                                           module_handles, render_outline, spec_facts)

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
    (["x=", "x=1"], "x=, x=1"),  # an empty value does not fold
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
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the xdist workers import lstm_spec
    pytester.makepyfile(test_spec=SPEC)
    run = pytester.runpytest_inprocess("-p", "lstm_spec.living_docs.outline", "--outline", "-p", "no:cacheprovider",
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


@pytest.mark.xfail(reason="maybe fixed", strict=False)
def test_tolerated_pass():
    """It may pass."""


def test_set_up_fails(broken):
    """Its set-up fails."""


def test_passes():
    """It passes."""
'''


def test_outline_names_each_outcome_and_its_reason(pytester):
    """Skipped, xfailed, a strict xfail that passed (failed), a non-strict one that passed (xpassed, as pytest
    counts it) and a set-up error each print their word and reason."""
    pytester.makepyfile(test_outcomes=OUTCOMES)
    run = pytester.runpytest_inprocess("-p", "lstm_spec.living_docs.outline", "--outline", "-p", "no:cacheprovider")
    run.assert_outcomes(passed=1, skipped=1, xfailed=1, xpassed=1, failed=1, errors=1)
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
            "  xpassed It may pass.",
            "            xpassed: passed, though marked xfail (not strict): maybe fixed",
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


def run_outline(pytester, *arguments, source=SPEC):
    """A run of ``source`` (the title, a parametrized spec and a failing one) with the outline plugin, in-process."""
    pytester.makepyfile(test_spec=source)
    return pytester.runpytest_inprocess("-p", "lstm_spec.living_docs.outline", "-p", "no:cacheprovider", *arguments)


def outline_lines(run) -> list[str]:
    """The lines between the outline's heading and the next ``=`` separator."""
    after_heading = run.stdout.str().split("specification outline")[1].splitlines()[1:]
    return after_heading[:next(i for i, line in enumerate(after_heading) if line.startswith("="))]


TWO_ERRORS = '''"""9. Two errors."""

import pytest


@pytest.fixture
def cleaned_badly():
    yield
    raise RuntimeError("teardown broke too")


@pytest.fixture
def broken(cleaned_badly):
    raise RuntimeError("set-up broke first")


def test_errs_twice(broken):
    """It errs in set-up and in teardown."""
'''


def test_of_two_errors_in_one_case_the_first_is_shown(pytester):
    """A set-up error followed by a teardown error (two reports of one rank) shows the set-up's message, the cause."""
    run = run_outline(pytester, "--outline", source=TWO_ERRORS)
    run.assert_outcomes(errors=2)
    assert ["9. Two errors.",
            "  (test_spec.py)",
            "  error   It errs in set-up and in teardown.",
            "            ERROR",
            "              documented: It errs in set-up and in teardown.",
            "              observed:   RuntimeError: set-up broke first"] == outline_lines(run)[1:]


def test_help_names_the_option_in_the_suite_group(pytester):
    """``--help`` lists ``--outline`` with its sentence under the suite's ``lstm_spec`` options."""
    run = pytester.runpytest_inprocess("-p", "lstm_spec.living_docs.outline", "--help")
    help_text = " ".join(run.stdout.str().split())
    assert "lstm_spec: --outline print the specs as a documentation outline (behaviour, spec sentence, cases, " \
           "outcome) after the run" in help_text


# Trailing spaces on its first line; cleandoc keeps them.
DOCUMENTED = SimpleNamespace(__doc__="Its title line.   \n    continues here.\n\n    A second paragraph.\n")


@pytest.mark.parametrize("obj, options, expected", [
    (DOCUMENTED, {}, "Its title line. continues here."),
    (DOCUMENTED, {"first_line": True}, "Its title line."),
    (None, {}, ""),
    (None, {"first_line": True}, ""),
], ids=["paragraph", "first-line", "none", "none-first-line"])
def test_docstring_summary_is_the_first_paragraph_or_its_first_line(obj, options, expected):
    """The first paragraph joined into one line (or only its first line, stripped); '' without a docstring."""
    assert expected == docstring_summary(obj, **options)


UNDOCUMENTED = '''def test_plain():
    """A plain spec on the file's first line."""


import pytest


@pytest.mark.parametrize("depth", [1, 2], ids="depth={}".format)
@pytest.mark.parametrize("units", [5, 64], ids="units={}".format)
def test_grid(units, depth):
    pass
'''


def test_spec_facts_name_module_spec_line_and_each_axis(pytester):
    """A spec's facts: its file, its title (the file without a docstring), its name, line, sentence (its name
    without a docstring), one id per axis and the parametrization indices."""
    items, _ = pytester.inline_genitems(pytester.makepyfile(test_facts=UNDOCUMENTED))
    facts = {item.name: spec_facts(item) for item in items}
    grid = next(item for item in items if item.name == "test_grid[units=64-depth=2]")
    assert {"module": "test_facts.py", "behaviour": "test_facts.py", "spec": "test_grid", "line": 7,
            "sentence": "test_grid[units=64-depth=2]", "case": ["units=64", "depth=2"],
            "order": list(grid.callspec.indices.values())} == facts[grid.name]
    assert {"module": "test_facts.py", "behaviour": "test_facts.py", "spec": "test_plain", "line": 0,
            "sentence": "A plain spec on the file's first line.", "case": [], "order": []} == facts["test_plain"]


DOCTESTS = '''
def double(x):
    """Doubles.

    >>> double(2)
    4
    """
    return 2 * x


def triple(x):
    """
    >>> triple(2)
    6
    """
    return 3 * x
'''
TITLED = '''
"""Its title,
on two lines.

More.
"""


def test_it():
    """It runs."""
'''


def test_doctests_are_specs_named_by_their_items(pytester):
    """Items that are not Python functions (doctests) are listed by their names under their file; a spec file's
    title is the first line of its docstring."""
    pytester.makepyfile(test_doc=DOCTESTS, test_titled=TITLED)
    run = pytester.runpytest_inprocess("-p", "lstm_spec.living_docs.outline", "-p", "no:cacheprovider", "--outline",
                                       "--doctest-modules")
    run.assert_outcomes(passed=3)
    assert ["test_doc.py", "  (test_doc.py)", "  passed  test_doc.double", "  passed  test_doc.triple",
            "Its title,", "  (test_titled.py)", "  passed  It runs."] == [line for line in outline_lines(run) if line]


def test_failure_message_without_a_crash_is_the_last_line_of_the_report():
    """A report without a crash (a strict XPASS) gives the last line of its text stripped at both ends; one with no
    text 'failed'."""
    assert "  last line" == failure_message(SimpleNamespace(longrepr="first line\n  last line  \n"))
    assert "failed" == failure_message(SimpleNamespace(longrepr=None))


def test_cases_with_different_numbers_of_axes_are_listed():
    """Cases whose ids have different numbers of axes are no product, even when the counts would match."""
    cases = [case(case_ids=("a", "x"), order=(0, 0)), case(case_ids=("b",), order=(1,))]
    assert "a-x, b" == group_cases(cases)


def test_no_cases_group_to_nothing():
    """No cases, or a spec without parametrization, have no grouped ids."""
    assert "" == group_cases([])
    assert "" == group_cases([case()])


def test_a_single_parametrized_case_is_one_case():
    """A spec that ran one parametrized case says '1 case', in the singular."""
    lines = [text.strip() for _, text in render_outline([case(case_ids=("units=5",), order=(0,))])]
    assert "1 case: units=5" in lines


def test_long_lines_wrap_at_spaces_keeping_ids_whole():
    """Sentences and case lists wrap at the width, at spaces only, continuing under their own indent."""
    long_id = "LSTM(units=5,return_sequences=True)-keeps-state-across-batches-when-stateful"
    cases = [case(case_ids=(f"{long_id}-{index}",), order=(index,), sentence="word " * 14 + "end.")
             for index in range(3)]
    lines = "\n".join(text for _, text in render_outline(cases, width=60)).splitlines()[3:]
    assert ["          word word word word word word word word word word",
            "          word word word word end.",
            "            3 cases:",
            f"              {long_id}-0,",
            f"              {long_id}-1,",
            f"              {long_id}-2"] == lines


def test_default_width_is_100_characters():
    """Without a width, lines wrap at 100 characters."""
    sentence = "x" * 89 + " y"  # 10 characters of indent: 99 with the 'x's, 101 with ' y'
    lines = "\n".join(text for _, text in render_outline([case(sentence=sentence)])).splitlines()
    assert [" " * 10 + "x" * 89, " " * 10 + "y"] == lines[3:]


def test_the_outline_wraps_at_the_terminal_width_but_not_below_60(pytester, monkeypatch):
    """The outline wraps at the terminal's width less 2, and at 60 on a narrower terminal."""
    for columns, xs, width in ((90, 75, 88), (40, 46, 59)):
        sentence = "x" * xs + " yy z"  # after the 10 characters of indent: xs + 13 wide, with ' z' xs + 15
        source = f'"""9. Wide."""\n\n\ndef test_wide():\n    """{sentence}"""\n'
        monkeypatch.setenv("COLUMNS", str(columns))
        lines = outline_lines(run_outline(pytester, "--outline", source=source))
        assert ["  passed  " + "x" * xs + " yy", " " * 10 + "z"] == lines[3:5], columns


def test_module_handles_name_the_marker_of_spec_files_only():
    """A spec file shows its marker; a numbered file outside specs/ and an unnumbered one show the path alone."""
    assert "specs/test_04_return_state.py, -m return_state" == module_handles("specs/test_04_return_state.py")
    assert "tests/test_04_return_state.py" == module_handles("tests/test_04_return_state.py")
    assert "specs/helpers.py" == module_handles("specs/helpers.py")


def test_outcome_words_are_coloured_and_titles_bold(pytester):
    """With colour, each outcome word has its colour (passed green, skipped and xfailed yellow, failed and error
    bold red) and a behaviour's title is bold."""
    run = run_outline(pytester, "--outline", "--color=yes", source=OUTCOMES)
    text = run.stdout.str()
    for word, codes in (("passed ", "32"), ("skipped", "33"), ("xfailed", "33"), ("failed ", "31;1"),
                        ("error  ", "31;1")):
        escapes = "".join(f"\x1b[{code}m" for code in codes.split(";"))
        assert f"{escapes}  {word}\x1b[0m" in text, word
    assert "\x1b[1m8. Every outcome.\x1b[0m" in text
    assert "\x1b[1m  (test_spec.py)" not in text


def test_progress_names_no_file_with_the_outline(pytester):
    """With ``--outline`` the progress line is dots alone (the outline names the files); without, the file is named."""
    assert not any(line.startswith("test_spec.py ") for line in run_outline(pytester, "--outline").outlines)
    assert any(line.startswith("test_spec.py ") for line in run_outline(pytester).outlines)


def test_facts_travel_only_with_the_option(pytester):
    """Without ``--outline`` the reports carry no outline facts (a JUnit report shows none)."""
    run_outline(pytester, "--junitxml=report.xml")
    assert "lstm_spec.living_docs.outline" not in (pytester.path / "report.xml").read_text()
    run_outline(pytester, "--outline", "--junitxml=report.xml")
    assert "lstm_spec.living_docs.outline" in (pytester.path / "report.xml").read_text()


def test_an_xdist_worker_registers_no_printer():
    """Only the process that reports prints: an xdist worker (a config with ``workerinput``) registers no printer."""
    registered = []
    manager = SimpleNamespace(register=lambda plugin, name: registered.append(name))
    outline_plugin.pytest_configure(SimpleNamespace(getoption=lambda name: True, workerinput={},
                                                    pluginmanager=manager))
    assert [] == registered
    outline_plugin.pytest_configure(SimpleNamespace(getoption=lambda name: True, pluginmanager=manager))
    assert ["lstm_spec-outline-printer"] == registered
