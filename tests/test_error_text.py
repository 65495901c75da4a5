"""An error's text cut to what a reader needs: the config Keras prints when it refuses a ``.keras`` file is said by its
size, on the texts of the committed upgrade reports."""

import re

import pytest

from lstm_spec.versions.error_text import gist, without_config
from lstm_spec.versions.report_saved_models import read_line
from lstm_spec.versions.sides import ROOT

REPORTS = sorted((ROOT / "docs" / "upgrade-reports").glob("*.md"))
PRINTED_CONFIG = "Full object config: {"


def committed_config_errors():
    """Every failure text of the committed reports' Saved models sections that prints a model's config."""
    found = []
    for report in REPORTS:
        for line in report.read_text().splitlines():
            text = line.strip()
            if PRINTED_CONFIG in text and re.match(r"^[A-Za-z]\w*(Error|Exception): ", text):
                found.append((report.name, text))
    return found


ERRORS = committed_config_errors()


def test_the_committed_reports_hold_long_config_errors_to_cut():
    """The Keras 2 ``.keras`` read by Keras 3 (and Keras 3's by tf-keras) prints 1,900 characters or more."""
    assert {"tf-2.15.1-to-locked.md", "locked-to-tf-keras.md"} <= {name for name, _ in ERRORS}
    assert min(len(text) for _, text in ERRORS) > 1900


@pytest.mark.parametrize("text", [text for _, text in ERRORS[:3]] + [ERRORS[-1][1]], ids=lambda text: text[:60])
def test_a_printed_config_is_said_by_its_size_and_the_sentence_before_it_kept(text):
    """What could not be deserialized, and why, stays whole; the config becomes its length and where it is."""
    head, _, config = text.partition("Full object config: ")
    cut = without_config(text)
    assert cut == f"{head}Full object config: {{…}} ({len(config)} characters, whole in side B's read.json)"
    assert len(cut) < 250


def test_a_message_without_a_config_is_left_as_it_is():
    """Keras 2's refusal of time_major in a Keras 3 file prints no config: unchanged, as is a config never closed."""
    assert "Unrecognized keyword arguments passed to LSTM: {'time_major': False}" == without_config(
        "Unrecognized keyword arguments passed to LSTM: {'time_major': False}")
    config = "{'a': {'b': 1"
    assert without_config(f"Could not deserialize. Full object config: {config}").endswith(
        f"{{…}} ({len(config)} characters, whole in side B's read.json)")


def test_a_brace_inside_a_quoted_name_does_not_end_the_config():
    """Quotes are respected: a '}' inside a name is part of the config."""
    config = "{'name': 'odd}name', 'x': 1}"
    assert without_config(f"Refused. Full object config: {config} and then more") == (
        f"Refused. Full object config: {{…}} ({len(config)} characters, whole in side B's read.json) and then more")


def test_the_reports_failure_block_says_the_config_by_its_size():
    """The report's line for a failed read: the error's type, its sentence, the config's size; not the config."""
    _, text = ERRORS[0]
    kind, _, message = text.partition(": ")
    lines = read_line({"format": "keras2-keras", "loader": "load_model", "status": "fails",
                       "error": {"type": kind, "message": message}})
    block = "\n".join(lines)
    assert "Could not deserialize class 'Functional'" in block and "'inbound_nodes'" not in block
    assert "characters, whole in side B's read.json)" in block


def test_a_gist_is_one_short_line_without_the_assertion_or_the_case():
    """The history page's words for a failure: no AssertionError prefix, no ``[case ...]``, no config, one line."""
    assert "get_config() differences (path, read back, saved) differs" == gist(
        "AssertionError: get_config() differences (path, read back, saved) differs [page_lstm: Input(9, 3)]:\n"
        "    value: [('layers[0].module', 'keras.layers', '<missing>')]")
    assert "TypeError: Could not deserialize class 'Functional'." == gist(
        "TypeError: Could not deserialize class 'Functional'. Full object config: {'module': 'keras'}")
    assert "TypeError: can only concatenate list" == gist("TypeError: #x1B[1mcan only concatenate list#x1B[0m")
    assert len(gist("x" * 500)) == 162
