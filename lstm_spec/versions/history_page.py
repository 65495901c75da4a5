"""``docs/history.md``: along each release line, where each behaviour changed and what it changed to.

Each release is compared with the one before it on its line (``lstm_spec.versions.comparison``); a
change is a spec's outcome (or its failure message), a pinned or seeded snapshot value moved beyond
tolerance, a text snapshot (a ``model.summary()`` table, an error text) or a layer default that can
change numbers or shapes.  The page's first screen is the picture (releases x behaviours, coloured by
the kind of change) and what an upgrade to each release brings, the changes that need action first
(``history_brings``); below them, per line, one line for a release where nothing changed and the
changes grouped by behaviour otherwise; then, per behaviour and spec, the first release at which each
changed; the saved-model matrix (``history_saved_models``); and where each deployed format started to
work or broke (``history_deployment``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lstm_spec.versions.comparison import Comparison, compare
from lstm_spec.versions.history_brings import section as brings_section
from lstm_spec.versions.history_deployment import section as deployment_section
from lstm_spec.versions.history_saved_models import section as saved_models_section
from lstm_spec.versions.release_lines import FOLLOWS, LINES, Release
from lstm_spec.versions.report_sections.summary import summary_lines
from lstm_spec.versions.report_sections.text import cell
from lstm_spec.versions.side_results import SideResult

# The kinds of change, most telling first (a behaviour's cell in the picture shows its most telling one).
KINDS = {"outcome": "outcome", "message": "failure message", "pinned": "pinned value (the math)",
         "default": "layer default", "text": "text (summary table, error text)",
         "seeded": "seeded value (random stream)"}
COLOURS = {"outcome": "#d62728", "message": "#ff7f0e", "pinned": "#9467bd", "default": "#1f77b4",
           "text": "#2ca02c", "seeded": "#bcbd22"}
# The packages a release line is about, as the line's table names them.
INSTALLED = (("tensorflow", "TensorFlow"), ("keras", "Keras"), ("tf-keras", "tf-keras"),
             ("keras-nightly", "keras-nightly"), ("numpy", "NumPy"))
SHOWN_PER_BEHAVIOUR = 12  # changes listed per behaviour and release; the rest counted


@dataclass(frozen=True)
class Change:
    """One thing that changed at a release: in which behaviour (spec module), which spec or entry, of what kind."""

    module: str
    item: str
    kind: str
    to: str  # what it changed to, in words


@dataclass
class Step:
    """A release compared with the one before it on its line."""

    before: Release
    after: Release
    changes: list[Change]
    comparison: Comparison
    between: int = 0  # releases of the line between the two that have not run: a change came at one of them or at after

    @property
    def at(self) -> str:
        """Where its changes came: the release, or the span when releases between have not run."""
        if not self.between:
            return self.after.release
        return f"{self.after.release} or one of the {self.between} before it not run (after {self.before.release})"


def changes_of(comparison: Comparison) -> list[Change]:
    """What changed from ``comparison.before`` to ``comparison.after``, as Changes."""
    found = []
    for module, tests in comparison.outcomes.items():
        for test, old, new in tests:
            to = new.describe() if new else "not collected"
            found.append(Change(module, test, "outcome", f"{old.outcome if old else 'not collected'} → {to}"))
    before, after = comparison.before.outcomes, comparison.after.outcomes
    for key in sorted(set(before) & set(after)):
        old, new = before[key], after[key]
        if old.outcome == new.outcome == "failed" and old.message != new.message:
            found.append(Change(new.module, new.test, "message", new.message))
    for value in comparison.values:
        if value.moved:
            size = value.problem or f"largest abs diff {value.largest_absolute:.3g}"
            found.append(Change(value.module, value.entry, value.kind, f"moved ({size})"))
    for kind, module, entry, diff in comparison.texts:
        added = [line[1:] for line in diff.splitlines()[2:] if line.startswith("+")][:3]
        found.append(Change(module, entry, "text", "now: " + " / ".join(line.strip() for line in added)))
    # One change of a setting in many layers (``module`` written out in every initializer) is one line.
    alike: dict[tuple[str, str], list[str]] = {}
    for default in comparison.defaults:
        if not default.representation:
            to = f"{cell(default.before)} → {cell(default.after)} ({default.what})"
            alike.setdefault((default.key.rsplit(".", 1)[-1], to), []).append(default.key)
    for (setting, to), keys in alike.items():
        item = keys[0] if len(keys) == 1 else f"{setting} in {len(keys)} layer settings ({keys[0]}, ...)"
        found.append(Change("layer defaults", item, "default", to))
    return found


def steps(line: list[tuple[Release, SideResult]], order: list[Release]) -> list[Step]:
    """Each usable release of a line compared with the usable release before it; ``order`` is the whole line,
    to count the releases between two that have not run (or did not run usably)."""
    usable = [(release, result) for release, result in line if result.usable]
    position = {release: index for index, release in enumerate(order)}
    return [Step(old, new, changes_of(comparison), comparison, max(0, position[new] - position[old] - 1))
            for (old, before), (new, after) in zip(usable, usable[1:])
            for comparison in [compare(before, after)]]


def render(results: dict[Release, SideResult], command: str, seconds: dict[Release, float],
           picture: Path | None = None) -> str:
    """The page from every release's results (those not run yet are named as such): at its top the picture and
    what an upgrade to each release brings (``history_brings``), then each line's steps in detail, the first
    release at which each spec changed, and the saved-model matrix."""
    ran = [release for line in LINES.values() for release in line if release in results]
    missing = [release for line in LINES.values() for release in line if release not in results]
    all_steps, members_of = {}, {}
    for name, line in LINES.items():
        members = [(release, results[release]) for release in line if release in results]
        if not members:
            continue
        follows = FOLLOWS.get(name)
        start = [(follows, results[follows])] if follows in results else []
        all_steps[name], members_of[name] = steps(start + members, [follows, *line] if start else line), members
    out = ["# History: the suite on each release, and where each behaviour changed", "",
           f"Generated by `{command}` from the results of {len(ran)} of the default history's "
           f"{len(ran) + len(missing)} sides (`lstm_spec/versions/history.py`): each release is compared with the "
           "one before it on its line.", ""]
    if picture is not None and any(step.changes for line_steps in all_steps.values() for step in line_steps):
        draw(all_steps, picture)
        out += [f"![releases x behaviours, coloured by what changed]({picture.name})", "",
                "Colours: " + ", ".join(f"{KINDS[kind]} {colour}" for kind, colour in COLOURS.items())
                + " (a cell shows the most telling change of its behaviour at that release).", ""]
    out += brings_section(results, all_steps)
    out += ["## The sides", "",
            "Each side ran the specs with every value written, in its own environment.", "",
            f"- ran ({len(ran)}): " + (", ".join(f"{r.line} {r.release}" for r in ran) or "none"),
            f"- not run yet ({len(missing)}): " + (", ".join(f"{r.line} {r.release}" for r in missing) or "none"),
            "", "A later `python3 suite.py history` runs only the sides not in its cache. The lines "
            "(`lstm_spec/versions/release_lines.py`): each TensorFlow 2.12-2.21 (newest patch) with the Keras it "
            "brings, Keras 2 through 2.15 and from 2.16 on the Keras 3 release current when that TensorFlow was "
            "uploaded to PyPI; each Keras 3.0-3.15 on the locked TensorFlow; each tf-keras on the TensorFlow of "
            "its minor; keras-nightly after the newest Keras.", ""]
    for name, members in members_of.items():
        out += _line_section(name, members, all_steps[name], seconds)
    broken = [(release, result) for release, result in results.items() if not result.usable]
    if broken:
        out += ["## Sides that did not run", ""]
        for release, result in broken:
            why = result.install_error or result.run_error
            out += [f"### {release.line} {release.release} (`{release.name}`)", "", "```text", why, "```", ""]
    out += _behaviour_index(all_steps)
    out += saved_models_section(results)
    out += deployment_section(results, LINES)
    return "\n".join(out) + "\n"


def _line_section(name: str, members: list[tuple[Release, SideResult]], line_steps: list[Step],
                  seconds: dict[Release, float]) -> list[str]:
    out = [f"## The {name} line", "", "| release | installed | outcomes | wall time (install and run) |",
           "|---|---|---|---|"]
    for release, result in members:
        if result.usable:
            words = [outcome.outcome for outcome in result.outcomes.values()]
            counts = ", ".join(f"{words.count(word)} {word}" for word in ("passed", "skipped", "failed"))
            installed = ", ".join(f"{title} {result.packages[package]}" for package, title in INSTALLED
                                  if package in result.packages)
        else:
            counts = "did not run: " + cell((result.install_error or result.run_error).splitlines()[0])
            installed = "—"
        out.append(f"| {release.release} | {installed} | {counts} | {_duration(seconds.get(release))} |")
    out.append("")
    for step in line_steps:
        title = f"{step.before.release} → {step.after.release}" + (
            f" ({step.between} releases between not run)" if step.between else "")
        if not step.changes:
            out += [f"- **{title}**: nothing changed", ""]
            continue
        summary = summary_lines(step.comparison)[2:]
        out += [f"### {title}", "", *summary, ""]
        by_module = {}
        for change in step.changes:
            by_module.setdefault(change.module, []).append(change)
        for module, changes in sorted(by_module.items()):
            behaviour = step.comparison.after.behaviours.get(module) or module
            out.append(f"- {behaviour} (`{module}`): {len(changes)} change{'s' if len(changes) != 1 else ''}")
            out += [f"  - `{change.item}` ({KINDS[change.kind]}): {_short(change.to)}"
                    for change in changes[:SHOWN_PER_BEHAVIOUR]]
            if len(changes) > SHOWN_PER_BEHAVIOUR:
                out.append(f"  - and {len(changes) - SHOWN_PER_BEHAVIOUR} more")
        out.append("")
    return out


def _behaviour_index(all_steps: dict[str, list[Step]]) -> list[str]:
    """Per behaviour and spec, the first release on each line at which it changed, and to what."""
    first: dict[tuple[str, str], dict[str, tuple[Step, Change, int]]] = {}
    for name, line_steps in all_steps.items():
        for step in line_steps:
            for change in step.changes:
                seen = first.setdefault((change.module, change.item), {})
                if name in seen:
                    release, earliest, times = seen[name]
                    seen[name] = (release, earliest, times + 1)
                else:
                    seen[name] = (step, change, 1)
    out = ["## Per behaviour: the first release at which each spec changed", ""]
    if not first:
        return out + ["Nothing changed along any line that ran.", ""]
    out += ["| behaviour | spec or entry | line | first changed at | what | changed again |",
            "|---|---|---|---|---|---|"]
    for (module, item), lines in sorted(first.items()):
        for name, (step, change, times) in sorted(lines.items()):
            out.append(f"| `{module}` | `{cell(item)}` | {name} | {step.at} | {KINDS[change.kind]}: "
                       f"{cell(_short(change.to))} | {times - 1 or ''} |")
    return out + [""]


def draw(all_steps: dict[str, list[Step]], path: Path) -> Path:
    """The picture: one column per release compared (line by line), one row per behaviour, coloured by kind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb

    columns = [(name, step) for name, line_steps in all_steps.items() for step in line_steps]
    modules = sorted({change.module for _, step in columns for change in step.changes})
    order = list(KINDS)
    grid = [[(1.0, 1.0, 1.0)] * len(columns) for _ in modules]
    for x, (_, step) in enumerate(columns):
        for y, module in enumerate(modules):
            kinds = [change.kind for change in step.changes if change.module == module]
            if kinds:
                grid[y][x] = to_rgb(COLOURS[min(kinds, key=order.index)])
    figure, axes = plt.subplots(figsize=(max(6.0, 0.45 * len(columns) + 3) + 2.5, max(3.0, 0.3 * len(modules) + 1.5)))
    axes.imshow(grid, aspect="auto", interpolation="nearest")
    axes.set_xticks(range(len(columns)), [f"{name} {step.after.release}" for name, step in columns],
                    rotation=60, ha="right", fontsize=7)
    axes.set_yticks(range(len(modules)), modules, fontsize=7)
    axes.set_title("What changed at each release (against the one before it on its line)", fontsize=9)
    from matplotlib.patches import Patch

    axes.legend(handles=[Patch(color=COLOURS[kind], label=label) for kind, label in KINDS.items()], fontsize=7,
                loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " …"


def _duration(seconds: float | None) -> str:
    return "—" if seconds is None else f"{int(seconds) // 60} min {int(seconds) % 60:02d} s"
