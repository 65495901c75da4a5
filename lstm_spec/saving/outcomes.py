"""What reading another version's saved file gives, as data: the cells of ``specs/test_43``'s ``OUTCOMES``.

``OUTCOMES[(writer, reader, format)]`` is a ``Cell``: one outcome for every case and loader of that
(writer, reader, format), with ``cases`` where a case differs and ``loaders`` where a loader of a folder
format (a SavedModel) differs.  An outcome is ``Matches()`` (loads and gives the writer's outputs within
``MATCH_TOLERANCE``), ``Moved(by, within)`` (loads and gives the writer's shapes with values moved by
``by``), or ``Fails(type, fragment)`` (raises exactly that type, with the fragment in its message).
``assert_outcome`` checks an observation (``lstm_spec.saving.read_files.read``) against one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_spec.checks.assertions import fail
from lstm_spec.saving.read_files import MATCH_TOLERANCE, Observation, loaders
from lstm_spec.saving.writers import READING, WRITERS


@dataclass(frozen=True)
class Matches:
    within: float = MATCH_TOLERANCE

    def __str__(self) -> str:
        return f"loads and gives the writer's outputs within {self.within:g}"


@dataclass(frozen=True)
class Moved:
    by: float  # the largest difference from the writer's outputs
    within: float = 1e-4  # how far from ``by`` it may be: readers' engines differ by ~1e-7
    why: str = ""

    def __str__(self) -> str:
        return f"loads and gives values moved by {self.by:g} (+-{self.within:g}){': ' + self.why if self.why else ''}"


@dataclass(frozen=True)
class Fails:
    type: str  # the exception's class name, exactly
    fragment: str  # part of its message

    def __str__(self) -> str:
        return f"fails with {self.type} saying {self.fragment!r}"


Outcome = Matches | Moved | Fails


@dataclass(frozen=True)
class Cell:
    """One (writer, reader, format) of the table: ``outcome`` unless ``loaders`` or ``cases`` say otherwise
    (a case's entry wins over a loader's)."""

    outcome: Outcome
    cases: dict = field(default_factory=dict)  # case name -> Outcome
    loaders: dict = field(default_factory=dict)  # loader name -> Outcome (folder formats)

    def expected(self, case: str, loader: str) -> Outcome:
        return self.cases.get(case) or self.loaders.get(loader) or self.outcome


def expected_cells() -> list[tuple[str, str, str]]:
    """Every (writer, reader, format) the table must state: each reading environment's reads of every
    other writer's formats (a writer reading its own files is the round trip, ``specs/test_41``)."""
    return [(writer.name, reader, saved) for writer in WRITERS.values() for reader in READING
            if reader != writer.name for saved in dict.fromkeys(saved for _, saved in writer.files())]


def table_problems(table: dict) -> list[str]:
    """What is wrong with an outcomes table: cells it lacks, cells no writer writes, cases or loaders
    named that the cell's writer does not write or the format does not have."""
    expected = expected_cells()
    problems = [f"no entry for writer {writer!r}, reader {reader!r}, format {saved!r}"
                for writer, reader, saved in expected if (writer, reader, saved) not in table]
    problems += [f"an entry for {key} that no writer writes and no environment reads" for key in table
                 if key not in expected]
    for (writer, reader, saved), cell in table.items():
        if (writer, reader, saved) not in expected:
            continue
        written = {case for case, each in WRITERS[writer].files() if each == saved}
        problems += [f"{(writer, reader, saved)} names case {case!r}, which {writer} does not write in {saved}"
                     for case in cell.cases if case not in written]
        ways = loaders(saved)
        problems += [f"{(writer, reader, saved)} names loader {loader!r}; {saved} is read with {', '.join(ways)}"
                     for loader in cell.loaders if loader not in ways]
    return problems


def assert_outcome(observation: Observation, expected: Outcome, context: str, repro: str) -> None:
    """``observation`` is what ``expected`` states."""
    __tracebackhide__ = True
    message = f"{observation}\nbut should be: {expected} [{context}]"
    if isinstance(expected, Fails):
        error = observation.error or {}
        if observation.status != "fails" or error.get("type") != expected.type or expected.fragment not in error.get(
                "message", ""):
            fail(message, repro)
    elif isinstance(expected, Matches):
        if observation.status not in ("matches", "moved") or observation.max_abs_diff > expected.within:
            fail(message, repro)
    elif observation.status != "moved" or abs(observation.max_abs_diff - expected.by) > expected.within:
        fail(message, repro)
