"""The page run again: its cells' printed output laid out again, and the site's example of it read back.

The kept page (``docs/page/input_output_lstm.txt``) lost its line breaks; ``printed_output`` lays
out again what a cell printed under TensorFlow 2.7, from what ``lstm_spec.models.page`` reads
in it: each array re-printed by NumPy from its printed numbers (the page printed them with
``np.set_printoptions(suppress=True)``, NumPy's default precision), each ``model.summary()`` table
from its parsed rows, a new line before each of the cell's ``print`` labels.

The site's Sphinx-Gallery example (``docs/site/gallery/plot_input_output_lstm.py``) runs the page's
code block by block; the text after each block names the page cell it runs and the spec that states
it (``.. page-printed:: N`` with ``:spec:``).  ``gallery_blocks`` reads those pairs back, for the
tests that check every cell is run, verbatim unless marked ``:changed:``, and links a spec.
NumPy and the standard library only: it runs in .venv and at the site build alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lstm_spec.models.page import ARRAY_HEADER, SUMMARY, Cell, PageFormatError, parse_array, parse_summary

ROOT = Path(__file__).resolve().parents[2]
GALLERY_EXAMPLE = ROOT / "docs" / "site" / "gallery" / "plot_input_output_lstm.py"
# The first literal text of each print(...) call: 'output shape is ', 'h: shape {} values' -> 'h: shape'.
PRINT_LABEL = re.compile(r"""print\((?P<quote>['"])(?P<label>[^'"{\\]+)""")
SUMMARY_WIDTHS = (28, 26, 10)  # Keras 2's model.summary() columns: layer (type), output shape, param #
TABLE_WIDTH = 65


def _array_text(values: np.ndarray) -> str:
    with np.printoptions(suppress=True):
        return np.array2string(values, separator=" ")


def _summary_text(match: re.Match) -> str:
    table = parse_summary(match)
    rule = "_" * TABLE_WIDTH

    def row(*columns) -> str:
        return "".join(column.ljust(width - 1) + " " for column, width in zip(columns, SUMMARY_WIDTHS)).rstrip()

    lines = [f'Model: "{table.model_name}"', rule, row(" Layer (type)", "Output Shape", "Param #"), "=" * TABLE_WIDTH]
    for layer in table.rows:
        lines += [row(f" {layer.name} ({layer.layer_type})", layer.shape_text, str(layer.params))]
    lines += ["=" * TABLE_WIDTH, f"Total params: {table.total:,}", f"Trainable params: {table.trainable:,}",
              f"Non-trainable params: {table.non_trainable:,}", rule]
    return "\n".join(lines)


def _break_before_labels(text: str, code: str) -> str:
    for label in {match["label"].strip() for match in PRINT_LABEL.finditer(code)}:
        text = re.sub(rf"(?<=\S) (?={re.escape(label)})", "\n", text)
    return text


def printed_output(cell: Cell) -> str:
    """What ``cell`` printed under TensorFlow 2.7, its lines laid out again ('' when it printed nothing)."""
    output = cell.output
    summaries = list(SUMMARY.finditer(output))
    if summaries:
        return "\n".join(_summary_text(match) for match in summaries)
    pieces, position = [], 0
    for header in ARRAY_HEADER.finditer(output):
        if header.start() < position:
            continue
        values, _, length = parse_array(header["label"], output[header.end():])
        pieces += [output[position:header.end()].strip(), _array_text(values)]
        position = header.end() + length
    pieces.append(output[position:].strip())
    return _break_before_labels("\n".join(piece for piece in pieces if piece), cell.code)


def normalized(code: str) -> str:
    """``code`` with every run of whitespace one space: the page's flattened text and a laid-out block compare."""
    return " ".join(code.split())


@dataclass(frozen=True)
class GalleryBlock:
    """One code block of the site's example, with the page cell it runs and the spec that states it."""

    code: str  # as the reader sees it: without the lines Sphinx-Gallery hides
    cell: int  # the page cell's index, in lstm_spec.models.page.split_cells order
    spec: str  # a behaviour's number or short name, as ``suite.py`` takes it
    changed: str | None  # why the block is not the page's code verbatim, None when it is


PRINTED_DIRECTIVE = re.compile(r"^\.\. page-printed:: (?P<cell>\d+)$")
OPTION = re.compile(r"^   :(?P<name>[\w-]+):(?: (?P<value>.*))?$")
HIDDEN = re.compile(r"# sphinx_gallery_start_ignore\n.*?# sphinx_gallery_end_ignore\n", re.DOTALL)
BLOCK_SEPARATOR = re.compile(r"^# %%.*$", re.MULTILINE)


def _text_lines(block: str) -> list[str]:
    return [line[2:] if line.startswith("# ") else line.lstrip("#") for line in block.strip().splitlines()]


def _directive(lines: list[str]) -> tuple[int, dict] | None:
    for index, line in enumerate(lines):
        found = PRINTED_DIRECTIVE.match(line)
        if found:
            options = {}
            for option_line in lines[index + 1:]:
                option = OPTION.match(option_line)
                if option is None:
                    break
                options[option["name"]] = option["value"] or ""
            return int(found["cell"]), options
    return None


def gallery_blocks(path: Path = GALLERY_EXAMPLE) -> list[GalleryBlock]:
    """The example's code blocks, each with the ``page-printed`` directive of the text block after it."""
    source = path.read_text()
    source = source.split('"""', 2)[2] if source.startswith('"""') else source  # the example's title docstring
    chunks = BLOCK_SEPARATOR.split(source)
    blocks = []
    for position, chunk in enumerate(chunks):
        # After a `# %%` line, its text runs to the first blank line; the code follows.
        code = HIDDEN.sub("", (chunk.split("\n\n", 1) + [""])[1] if position else chunk).strip()
        if not code:
            continue
        following = chunks[position + 1] if position + 1 < len(chunks) else ""
        found = _directive(_text_lines(following.split("\n\n", 1)[0]))
        if found is None:
            raise PageFormatError(f"{path.name}: the code block ending {code[-60:]!r} is followed by no "
                                  "`.. page-printed:: N` (with `:spec:`) naming the page cell it runs")
        cell, options = found
        blocks.append(GalleryBlock(code, cell, options.get("spec", ""), options.get("changed")))
    return blocks


def terminal_text(text: str) -> str:
    """``text`` as a terminal would show it: a carriage return goes back to the line's start and a backspace
    one column, later characters overwriting earlier ones (Keras' progress bar redraws itself so)."""
    shown = []
    for line in text.split("\n"):
        if "\r" not in line and "\b" not in line:
            shown.append(line)
            continue
        columns: list[str] = []
        cursor = 0
        for character in line:
            if character == "\r":
                cursor = 0
            elif character == "\b":
                cursor = max(0, cursor - 1)
            else:
                columns[cursor:cursor + 1] = [character]
                cursor += 1
        shown.append("".join(columns).rstrip())
    return "\n".join(shown)
