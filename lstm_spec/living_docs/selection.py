"""Handles a person can type for a behaviour and a configuration (a pytest plugin, registered in conftest.py).

pytest's ``-k`` rejects ``=``, and every test id is a configuration full of ``=``
(``LSTM(units=5,return_state=True)-batch=2-seq=9-features=3``); and a word such as
``return_state`` occurs in the ids of a dozen behaviours.  So:

- every spec in ``specs/test_NN_name.py`` carries two markers, its behaviour's number and its short
  name: ``-m b4`` or ``-m return_state`` select behaviour 4 and nothing else;
- ``--case units=5`` keeps the cases whose id has every part given (comma-separated, the option may
  repeat): ``--case units=5,batch=1``, ``--case GRU``, ``--case merge_mode=concat``.

``selection_reason`` says whether a run selected part of the suite; the snapshot cleanup and the
shape page act only on runs that did not.
"""

from __future__ import annotations

import re

import pytest

from lstm_spec.living_docs.behaviours import behaviour_handles, spec_files

# An id's parts: a layer name, or one name=value, between the delimiters pytest and configs.py use.
ID_PART = re.compile(r"[^(),\-\[\]\s]+")
FILTERS = (("keyword", "-k"), ("markexpr", "-m"), ("case", "--case"), ("deselect", "--deselect"),
           ("lf", "--lf"), ("stepwise", "--sw"))


def behaviour_markers(path) -> tuple[str, str] | None:
    """The two markers of a spec file's specs: ``("b4", "return_state")``."""
    handles = behaviour_handles(path)
    return (f"b{handles[0]}", handles[1]) if handles else None


def id_parts(text: str) -> set[str]:
    """``{"LSTM", "units=5", "return_state=True", "batch=2", ...}``: quotes dropped, so 'concat' is concat."""
    return {part.replace("'", "").replace('"', "") for part in ID_PART.findall(text)}


def wanted_parts(values: list[str]) -> set[str]:
    return {part.strip().replace("'", "").replace('"', "") for value in values for part in value.split(",")
            if part.strip()}


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
    for item in items:
        callspec = getattr(item, "callspec", None)
        (kept if callspec and wanted <= id_parts(callspec.id) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
