"""Handles a person can type for a behaviour and a configuration (a pytest plugin, registered in conftest.py).

pytest's ``-k`` rejects ``=``, and every test id is a configuration full of ``=``
(``LSTM(units=5,return_state=True)-batch=2-seq=9-features=3``); and a word such as
``return_state`` occurs in the ids of a dozen behaviours.  So:

- every spec in ``specs/test_NN_name.py`` carries two markers, its behaviour's number and its short
  name: ``-m b4`` or ``-m return_state`` select behaviour 4 and nothing else;
- ``--case units=5`` keeps the cases whose id has every part given (comma-separated, the option may
  repeat): ``--case units=5,batch=1``, ``--case GRU``, ``--case merge_mode=concat``.  A ``--case`` that keeps
  no case at all is a usage error (exit 2) naming the part no case has and what the ids hold instead; with
  pytest-xdist the workers collect, so the finding travels to the controller in ``workeroutput``.

``selection_reason`` says whether a run selected part of the suite; the snapshot cleanup and the
shape page act only on runs that did not.
"""

from __future__ import annotations

import difflib
import re

import pytest

from lstm_spec.living_docs.behaviours import behaviour_handles, spec_files

# An id's parts: a layer name, or one name=value, between the delimiters pytest and configs.py use.
ID_PART = re.compile(r"[^(),\-\[\]\s]+")
LAYER_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
MOST_LISTED = 10
# A run whose --case kept no case exits with this, as suite.py does for a behaviour that does not exist.
USAGE_ERROR = 2
UNMATCHED = pytest.StashKey[str]()
WORKER_KEY = "lstm_spec_case_unmatched"
FILTERS = (("keyword", "-k"), ("markexpr", "-m"), ("case", "--case"), ("deselect", "--deselect"),
           ("lf", "--lf"), ("stepwise", "--sw"))


def behaviour_markers(path) -> tuple[str, str] | None:
    """The two markers of a spec file's specs: ``("b4", "return_state")``."""
    handles = behaviour_handles(path)
    return (f"b{handles[0]}", handles[1]) if handles else None


def id_parts(text: str) -> set[str]:
    """``{"LSTM", "units=5", "return_state=True", "batch=2", ...}``: quotes dropped, so 'concat' is concat."""
    return {part.replace("'", "").replace('"', "") for part in ID_PART.findall(text)}


def wanted_parts(values: list[str]) -> list[str]:
    """The parts of every ``--case`` given, in the order typed, each once: ``["units=5", "batch=1"]``."""
    parts = (part.strip().replace("'", "").replace('"', "") for value in values for part in value.split(","))
    return list(dict.fromkeys(part for part in parts if part))


def listed(values, most: int = MOST_LISTED) -> str:
    """``1, 5, 64``: numbers by value, then words alphabetically; past ``most``, ``... (N values)``."""
    def key(value: str):
        try:
            return 0, float(value), value
        except ValueError:
            return 1, 0.0, value
    ordered = sorted(values, key=key)
    shown = ", ".join(ordered[:most])
    return f"{shown}, ... ({len(ordered)} values)" if len(ordered) > most else shown or "none"


def nearest(word: str, choices) -> str:
    """`` (nearest: units)`` for a likely typo, else nothing."""
    close = difflib.get_close_matches(word, sorted(choices), n=3)
    return f" (nearest: {', '.join(close)})" if close else ""


def unmatched_case(wanted: list[str], ids: list[str]) -> str:
    """Why the ``--case`` parts ``wanted`` keep none of the cases ``ids``, naming what the ids hold instead."""
    present = set().union(*map(id_parts, ids))
    axes: dict[str, set[str]] = {}
    for part in present:
        axis, is_setting, value = part.partition("=")
        if is_setting:
            axes.setdefault(axis, set()).add(value)
    names = {part for part in present if "=" not in part}
    layers = {name for name in names if LAYER_NAME.fullmatch(name) and name not in ("True", "False", "None")}
    # Spec 17's ids name each layer class's defaults (LSTM.activation=tanh): a hundred axes of one kind.
    per_layer = sorted(axis for axis in axes if "." in axis)
    told = []
    for part in (part for part in wanted if part not in present):
        axis, is_setting, _ = part.partition("=")
        if not is_setting:
            told.append(f"no case names {part}{nearest(part, names)}; layer names in ids: {listed(layers, 30)}")
        elif axis in axes:
            told.append(f"{axis} is one of {listed(axes[axis])}")
        else:
            folded = f", and per-layer ones such as {per_layer[0]} ({len(per_layer)} of them)" if per_layer else ""
            plain = [name for name in axes if "." not in name]
            told.append(f"no case has the axis {axis}{nearest(axis, axes)}; the axes are "
                        f"{listed(plain, len(plain))}{folded}")
    reason = "; ".join(told) or "each part occurs, but no case has them all"
    return (f"--case {','.join(wanted)} matches no case: {reason}.\n"
            "`python3 suite.py list` shows every spec with its cases; a case's id is its parts, e.g. "
            "LSTM(units=5)-batch=2 is LSTM, units=5 and batch=2.")


def selection_reason(config: pytest.Config, deselected: int = 0) -> str | None:
    """How this run selected part of the suite ("was filtered by -k 'x'"), None when it ran all of it.

    Folders as arguments count as whole (``specs``); files and node ids do not."""
    option = config.option
    for name, flag in FILTERS:
        value = getattr(option, name, None)
        if value:
            shown = flag if value is True else f"{flag} {' '.join(value) if isinstance(value, list) else value!r}"
            return f"was filtered by {shown}"
    parts = [argument for argument in config.args
             if "::" in argument or not (config.invocation_params.dir / argument).is_dir()]
    if parts:
        return f"ran only {', '.join(parts)}"
    if deselected:
        return f"deselected {deselected} specs"
    return None


def pytest_addoption(parser):
    parser.getgroup("lstm_spec").addoption(
        "--case", action="append", default=[], metavar="PART[,PART...]",
        help="run only the cases whose id has every part given, e.g. --case units=5,batch=1 or --case GRU "
             "(-k cannot: pytest's -k rejects '=')",
    )


def pytest_configure(config):
    for path in spec_files(config.rootpath):
        number, name = behaviour_handles(path)
        for marker in behaviour_markers(path):
            config.addinivalue_line("markers", f"{marker}: behaviour {number} ({path.name})")


@pytest.hookimpl(tryfirst=True)  # before -m reads the markers
def pytest_collection_modifyitems(config, items):
    specs = config.rootpath / "specs"
    for item in items:
        markers = behaviour_markers(item.path)
        if markers and item.path.parent == specs:
            for marker in markers:
                item.add_marker(marker)
    wanted = wanted_parts(config.getoption("case"))
    if not wanted:
        return
    kept, dropped = [], []
    ids = [item.callspec.id for item in items if hasattr(item, "callspec")]
    for item in items:
        callspec = getattr(item, "callspec", None)
        (kept if callspec and set(wanted) <= id_parts(callspec.id) else dropped).append(item)
    if items and not kept:
        # Raising here would crash an xdist worker; the reporting process says it at the end and exits 2.
        message = unmatched_case(wanted, ids)
        if hasattr(config, "workerinput"):
            config.workeroutput[WORKER_KEY] = message
        else:
            config.stash[UNMATCHED] = message
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The xdist controller keeps a worker's finding that ``--case`` matched no case."""
    message = getattr(node, "workeroutput", {}).get(WORKER_KEY)
    if message:
        node.config.stash[UNMATCHED] = message


def pytest_terminal_summary(terminalreporter, config):
    message = config.stash.get(UNMATCHED, None)
    if message:
        terminalreporter.write_sep("=", "usage error: --case", red=True, bold=True)
        for line in message.splitlines():
            terminalreporter.write_line(line)


@pytest.hookimpl(trylast=True)  # after syrupy's, which ORs its own status into the run's
def pytest_sessionfinish(session):
    if session.config.stash.get(UNMATCHED, None):
        session.exitstatus = USAGE_ERROR
