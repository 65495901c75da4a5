"""``docs/saved-models.md``, the saved-models page, generated from the saving specs' own tables (a pytest plugin).

The page states what the specs assert, as data: the outcome of each (writer, reader, format) of
``specs/test_43_saved_across_versions.py`` (its ``OUTCOMES``), the Keras 2 -> Keras 3 findings and every
migration recipe's rows of ``specs/test_44_saved_migrations.py`` (its ``WHY`` and ``MIGRATIONS``), each row
with the spec that states it, and each recipe's source (``lstm_spec.saving.migrations``, by ``inspect``).
A spec that passes has checked its row, so a full passing run keeps the page true.

It is kept like ``docs/shapes.md`` (``lstm_spec.living_docs.shapes_page``), on the same option and the
same conditions: after a run of every spec that passed, on the versions ``requirements/lock.txt`` pins and
the TensorFlow backend, ``--shapes-page=write`` (what ``python3 suite.py docs`` passes) writes the page, the
default ``check`` fails the run when the committed page differs, saying how to refresh it; a partial run,
or a run on other versions, leaves it alone.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from lstm_spec.living_docs import shapes_page
from lstm_spec.living_docs.shapes_page import REFRESH, cell

PAGE = Path("docs") / "saved-models.md"
ACROSS = "specs/test_43_saved_across_versions.py"
MIGRATIONS = "specs/test_44_saved_migrations.py"
ACROSS_SPEC = "test_a_file_another_version_wrote"  # the across spec's test, one case per writer-format-loader-case
SHOWN_ERROR_CHARS = 300


@dataclass(frozen=True)
class OutcomeRow:
    """One (writer, reader, format) of the across-versions spec and what reading gives."""

    writer: str
    reader: str
    saved: str
    outcome: str
    spec: str  # a node id in ACROSS


@dataclass(frozen=True)
class RecipeRow:
    """One migration recipe on one Keras 2 file, and what it gives."""

    recipe: str
    case: str
    saved: str
    gives: str
    detail: str
    spec: str  # a node id in MIGRATIONS


@dataclass(frozen=True)
class PageData:
    """Everything the page shows."""

    why: tuple[tuple[str, tuple[str, ...]], ...]
    outcomes: tuple[OutcomeRow, ...]
    recipes: tuple[RecipeRow, ...]
    sources: dict  # recipe name -> its source (with the module's helpers it uses)


def error_text(error) -> str:
    """``(ValueError, "message")`` as ``ValueError: message`` (a long message cut, saying so)."""
    error_type, message = error
    if len(message) > SHOWN_ERROR_CHARS:
        message = message[:SHOWN_ERROR_CHARS] + " ..."
    return f"{error_type.__name__}: {message}"


def recipe_rows(migrations_table) -> tuple[RecipeRow, ...]:
    """The page's rows from the migrations spec's ``MIGRATIONS`` rows."""
    rows = []
    for row in migrations_table:
        detail = f"`{error_text(row.error)}`" if row.error is not None else ""
        detail = "; ".join(part for part in (detail, row.why) if part)
        rows.append(RecipeRow(row.recipe.__name__, row.case, row.saved, row.gives, detail, row.spec))
    return tuple(rows)


def outcome_rows(outcomes: dict) -> tuple[OutcomeRow, ...]:
    """The page's rows from the across-versions spec's ``OUTCOMES``: ``{(writer, reader, format): cell}``, a cell
    with its ``outcome`` and the ``cases`` and ``loaders`` where it differs (``lstm_spec.saving.outcomes.Cell``)."""
    rows = []
    for (writer, reader, saved), found in outcomes.items():
        exceptions = [f"{kind} {name}: {outcome}" for kind, table in (("case", found.cases), ("loader", found.loaders))
                      for name, outcome in table.items()]
        text = "; ".join([str(found.outcome), *exceptions])
        rows.append(OutcomeRow(writer, reader, saved, text, f"{ACROSS_SPEC}[{writer}-{saved}-*]"))
    return tuple(rows)


def recipe_source(function) -> str:
    """A recipe's source, after the source of the module's own classes and functions it uses (``TimeMajorLSTM``)."""
    module = inspect.getmodule(function)
    used = [getattr(module, name) for name in function.__code__.co_names if name in vars(module)]
    helpers = [item for item in used if (inspect.isclass(item) or inspect.isfunction(item))
               and getattr(item, "__module__", None) == module.__name__ and item is not function]
    return "\n\n\n".join(inspect.getsource(item).rstrip() for item in (*helpers, function))


def page_data(migrations_module, across_module=None) -> PageData:
    """The page's data from the two spec modules (the across one may be absent: its table then is empty)."""
    recipes = recipe_rows(migrations_module.MIGRATIONS)
    functions = {row.recipe.__name__: row.recipe for row in migrations_module.MIGRATIONS}
    outcomes = outcome_rows(across_module.OUTCOMES) if across_module is not None else ()
    return PageData(tuple(migrations_module.WHY), outcomes, recipes,
                    {name: recipe_source(function) for name, function in functions.items()})


def spec_link(module: str, spec: str) -> str:
    return f"[`{cell(spec)}`](../{module})"


def spec_list(module: str, specs: tuple[str, ...]) -> str:
    """``test_a (3 cases); test_b``: a bullet's specs by test function (the rows below name each case)."""
    counts: dict[str, int] = {}
    for spec in specs:
        name, bracket, _ = spec.partition("[")
        counts[name] = counts.get(name, 0) + bool(bracket)
    parts = [f"`{name}`" + (f" ({count} case{'s' if count > 1 else ''})" if count else "")
             for name, count in counts.items()]
    return f"[{Path(module).name}](../{module}): " + "; ".join(parts)


def render_page(data: PageData, versions: dict[str, str]) -> str:
    """The page: the findings, the writer x reader x format table, then each migration recipe with its rows."""
    version_text = ", ".join(f"{name} {version}" for name, version in versions.items())
    lines = [
        "# Saved models across versions",
        "",
        f"Generated by `{REFRESH}` from the saving specs' tables, checked on {version_text}.",
        "Do not edit by hand: a full spec run fails when this page differs from what the specs state.",
        "",
        "The files are committed under `specs/saved_models/<writer>/`, each folder with a `manifest.json` of the",
        "versions that wrote it and each model's input and outputs. Every row below is a spec case: it loads the",
        "file on the reader's versions, calls it on the writer's input, and compares with the writer's outputs",
        "(shapes exactly, values within float32 tolerance: rtol 1e-5, atol 1e-6), or pins the error.",
        "",
        "## Keras 2 files on Keras 3 (TensorFlow 2.15.1 / Keras 2.15 writing, TensorFlow 2.21 / Keras 3.15 reading)",
        "",
    ]
    for text, specs in data.why:
        lines += [f"- {text}", f"  Specs: {spec_list(MIGRATIONS, specs)}"]
    lines += ["", "## Writer x reader x format", "",
              f"Each row: the outcome of reading the writer's files of that format on the reader's versions, for every",
              "model and loader but those named after it; its spec runs in the reader's environment",
              "(`python3 suite.py matrix READER`; `locked` is `python3 suite.py test`).", ""]
    if data.outcomes:
        lines += ["| writer | reader | format | outcome | spec |", "|---|---|---|---|---|"]
        for row in sorted(data.outcomes, key=lambda row: (row.writer, row.reader, row.saved)):
            lines.append(f"| {row.writer} | {row.reader} | {row.saved} | {cell(row.outcome)} "
                         f"| {spec_link(ACROSS, row.spec)} |")
    else:
        lines.append(f"No outcomes recorded ({ACROSS} did not run).")
    lines += ["", "## Migrating Keras 2 files: the recipes", "",
              f"Each recipe is a function of `lstm_spec/saving/migrations.py`; {Path(MIGRATIONS).name} runs it on the",
              "keras2 writer's files. The rows say what it gives on each model and format.", ""]
    for name, source in data.sources.items():
        lines += [f"### `{name}`", "", "```python", source, "```", "", _with_your_own_file(name), "",
                  "| model | format | gives | detail | spec |", "|---|---|---|---|---|"]
        for row in (row for row in data.recipes if row.recipe == name):
            lines.append(f"| {row.case} | {row.saved} | {row.gives} | {cell(row.detail)} "
                         f"| {spec_link(MIGRATIONS, row.spec)} |")
        lines.append("")
    return "\n".join(lines)


def _with_your_own_file(recipe: str) -> str:
    """Where ``check`` and ``migrate`` meet the recipe, for a user with a file of their own."""
    from lstm_spec.own_model.report import WAY_OF_RECIPE

    way = WAY_OF_RECIPE.get(recipe)
    tried = f"`python3 suite.py check FILE` tries it as the way in {way}" if way else "`python3 suite.py check FILE`"
    return (f"With your own file: {tried}; `python3 suite.py migrate FILE OUT.keras` writes a Keras 3 file checked "
            "to give your model's outputs ([check your own model](guides/check-your-own-model.md)).")


def load_spec_module(root: Path, relative: str):
    """A spec file's module, imported by path under a name of its own (the tables are its top-level data; an
    xdist controller, which collects nothing, reads them too); None when the file is absent."""
    path = Path(root) / relative
    if not path.is_file():
        return None
    name = f"lstm_spec_saved_models_page_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def pytest_configure(config):
    if config.getoption("shapes_page") != "off" and not hasattr(config, "workerinput"):
        config.pluginmanager.register(SavedModelsPageKeeper(config), "lstm_spec-saved-models-page")


class SavedModelsPageKeeper(shapes_page.PageKeeper):
    """Keeps the page on the process that reports (the xdist controller), after a full passing run; the shape
    page's keeper, but for the failures it counts and its summary, reading the spec files instead of records."""

    records_key = "lstm_spec.saved_models"  # nothing reports it: the page reads the specs' tables
    title = "saved-models page"

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session):
        reason = shapes_page.partial_run_reason(self.config)
        if reason is None and (self.failed or session.exitstatus != pytest.ExitCode.OK):
            reason = "not every spec passed"
        if reason is None:
            lock = self.config.rootpath / shapes_page.LOCK
            locked = shapes_page.locked_versions(lock.read_text() if lock.exists() else "")
            mismatch = (shapes_page.versions_reason(shapes_page.installed_versions(), locked)
                        or shapes_page._backend_reason())
            if mismatch:
                self.verdict = ("yellow", f"{PAGE} left as it is: {mismatch}.")
                return
        write = self.config.getoption("shapes_page") == "write"
        if reason is not None:
            if write:
                self.verdict = ("yellow", f"{PAGE} not regenerated: {reason}. Run `{REFRESH}` with no selection.")
            return
        root = self.config.rootpath
        data = page_data(load_spec_module(root, MIGRATIONS), load_spec_module(root, ACROSS))
        rendered = render_page(data, shapes_page.installed_versions())
        self.keep(session, rendered, write)

    def keep(self, session, rendered: str, write: bool) -> None:
        path = self.config.rootpath / PAGE
        committed = path.read_text() if path.exists() else None
        if write:
            if committed != rendered:
                path.write_text(rendered)
            state = "unchanged" if committed == rendered else f"regenerated (read `git diff {PAGE}`)"
            self.verdict = ("green", f"{PAGE} {state}.")
            return
        message = shapes_page.stale_message(committed, rendered, PAGE)
        if message:
            self.verdict = ("red", message.replace("what the specs observe", "what the specs state"))
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.stats.setdefault("stale saved-models page", []).append(PAGE)
