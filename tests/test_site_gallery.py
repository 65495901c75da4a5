"""The page run again (docs/site/gallery/): every cell of the page, its code verbatim unless marked, a spec each."""

import re

import numpy as np
import pytest

from lstm_spec.living_docs.behaviours import find_spec_file
from lstm_spec.living_docs.page_again import (GalleryBlock, gallery_blocks, normalized, printed_output,
                                              terminal_text)
from lstm_spec.living_docs.site_sources import ROOT
from lstm_spec.models.page import SUMMARY, Cell, PageFormatError, find_arrays, load_page, split_cells
from lstm_spec.models.page import PAGE_FILE


@pytest.fixture(scope="module")
def cells() -> list[Cell]:
    """The page's cells, as lstm_spec.models.page splits its kept text."""
    return split_cells(PAGE_FILE.read_text())


@pytest.fixture(scope="module")
def blocks() -> list[GalleryBlock]:
    """The code blocks of the site's example, each with the page cell and spec its directive names."""
    return gallery_blocks()


def assert_block_runs_cell(block: GalleryBlock, cell: Cell) -> None:
    __tracebackhide__ = True
    if block.changed is None:
        assert normalized(block.code) == normalized(cell.code), (
            f"observed: the block of cell {block.cell}:\n{block.code}\nexpected: the page's code, whitespace aside:\n"
            f"{cell.code}\nfix: lay the page's code out again, or say why it differs with `:changed:`")


def test_every_cell_of_the_page_is_run_once_in_order(blocks, cells):
    """The example's blocks run the page's cells 0, 1, ..., the last, each once."""
    assert [block.cell for block in blocks] == list(range(len(cells)))


def test_each_block_is_the_pages_code_unless_it_says_why_not(blocks, cells):
    """A block's code is its cell's (whitespace aside), or its directive's ``:changed:`` says why not."""
    for block in blocks:
        assert_block_runs_cell(block, cells[block.cell])
    changed = [block.cell for block in blocks if block.changed is not None]
    assert all(block.changed.strip() for block in blocks if block.changed is not None)
    assert all("time_major" in cells[cell].code or "time_major_data" in cells[cell].code for cell in changed), changed


def test_each_block_links_a_spec_that_exists(blocks):
    """Every block names, by number or short name, a spec file that exists under specs/."""
    for block in blocks:
        assert find_spec_file(ROOT, block.spec) is not None, f"block of cell {block.cell}: no spec {block.spec!r}"


def test_the_time_major_blocks_show_the_keras_3_error_and_spec_6s_code(blocks, cells):
    """The time_major call is caught and its error printed; the prediction after it transposes, as spec 6 does."""
    time_major = [block for block in blocks if "time_major=True" in cells[block.cell].code]
    predicting = [block for block in blocks if cells[block.cell].code.startswith("h = model.predict(time_major_data)")]
    assert len(time_major) == len(predicting) == 1
    assert "except ValueError as error" in time_major[0].code and "print(" in time_major[0].code
    assert "np.transpose(time_major_data, (1, 0, 2))" in predicting[0].code
    assert {find_spec_file(ROOT, block.spec).name for block in (*time_major, *predicting)} == {"test_06_time_major.py"}


def test_printed_arrays_are_laid_out_again_with_the_pages_values(cells):
    """Laid out again, what a cell printed holds the same arrays (labels, shapes, values) as the page's text."""
    page = load_page()
    state_cell = next(cell for cell in cells if cell.output.startswith("_h: shape (2, 5)"))
    laid_out = printed_output(state_cell)
    assert laid_out.splitlines()[0] == "_h: shape (2, 5) values"
    assert len(laid_out.splitlines()) == 9  # a header line and two rows for each of _h, h, c
    again = find_arrays(normalized(laid_out))
    expected = page.cell(return_state=True).arrays
    assert sorted(again) == sorted(expected) == ["_h", "c", "h"]
    for label, array in expected.items():
        np.testing.assert_array_equal(again[label].values, array.values)


def test_summary_tables_are_laid_out_again_row_by_row(cells):
    """A printed model.summary() gets one line per layer, and reads back as the same table."""
    page = load_page()
    for cell, table in zip([cell for cell in cells if 'Model: "' in cell.output], page.summaries, strict=True):
        laid_out = printed_output(cell)
        rows = [line for line in laid_out.splitlines() if re.match(r"^ \w+ \(", line)]
        assert len(rows) == len(table.rows) + 1  # the header " Layer (type) ..." too
        again = SUMMARY.search(normalized(laid_out))
        assert again is not None and again["total"] == f"{table.total:,}"


def test_a_cell_that_printed_nothing_lays_out_as_nothing():
    """A cell with no output gives '' (the site says the block printed nothing)."""
    assert printed_output(Cell("reset_graph()", "")) == ""


def test_a_block_without_its_directive_is_refused(tmp_path):
    """A code block not followed by ``.. page-printed:: N`` is an error naming the block."""
    example = tmp_path / "plot_x.py"
    example.write_text('"""\nTitle\n=====\n"""\n\nx = 1\n\n# %%\n# .. page-printed:: 0\n#    :spec: 1\n\ny = 2\n')
    with pytest.raises(PageFormatError, match=r"the code block ending 'y = 2' is followed by no"):
        gallery_blocks(example)


@pytest.mark.parametrize("written, shown", [
    ("1/1 ━━ 0s 632ms/step" + "\b" * 20 + "\r1/1 ━━ 1s 704ms/step\nh: shape (2, 5)",
     "1/1 ━━ 1s 704ms/step\nh: shape (2, 5)"),
    ("long line\rshort", "shortline"),
    ("no control characters\n", "no control characters\n"),
], ids=["progress bar", "overwrite", "plain"])
def test_output_is_shown_as_a_terminal_shows_it(written, shown):
    """Carriage returns and backspaces move the cursor; what is written after overwrites what was there."""
    assert terminal_text(written) == shown
