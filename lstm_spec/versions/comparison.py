"""Two sides' results compared: outcomes, snapshot values, layer defaults, packages.

- spec outcomes (pytest's JUnit XML), grouped by behaviour (spec module);
- snapshot values entry by entry (``arrays_text``): the largest absolute and relative difference,
  pinned-weight (the math) or seeded (Keras' random stream), moved when beyond the suite's tolerance;
  text snapshots (``model.summary()`` tables) as a unified diff;
- ``get_config()`` of the documented layers built with default arguments (``layer_defaults``), split
  into what can change numbers or shapes and what is representation only;
- the exact package versions of both sides, the suite's own tools (``dependencies``) listed apart.

``report`` writes one comparison; ``history`` compares each release with the one before it.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field

import numpy as np

from lstm_spec.checks import arrays_text
from lstm_spec.checks.layer_defaults import ABSENT, group_differences
from lstm_spec.versions.side_results import WHOLE_MODULE, Outcome, SideResult

KEY_PACKAGES = ("tensorflow", "keras", "keras-nightly", "tf-keras", "numpy", "ml-dtypes", "h5py", "protobuf",
                "jax", "jaxlib", "torch")
DIFF_LINES = 40


@dataclass(frozen=True)
class ValueChange:
    """One snapshot entry compared across the two sides."""

    kind: str
    module: str
    entry: str
    largest_absolute: float
    largest_relative: float
    moved: bool  # beyond the suite's tolerance (or another shape, dtype or structure)
    problem: str = ""  # a structural difference, in words


def compare_values(before: str, after: str) -> tuple[float, float, bool, str]:
    """(largest absolute difference, largest relative difference, moved, structural problem) of two array texts."""
    expected, actual = arrays_text.parse_arrays(before), arrays_text.parse_arrays(after)
    differences = arrays_text.compare_arrays(expected, actual)
    structural = [d for d in differences if "elements differ" not in d.problem]
    if structural:
        return float("nan"), float("nan"), True, "; ".join(f"{d.label}: {d.problem}" for d in structural)
    largest_absolute = largest_relative = 0.0
    for (_, want), (_, got) in zip(expected, actual):
        if want.dtype.kind not in "fc" or want.size == 0:
            continue
        absolute = np.abs(got.astype(np.float64) - want.astype(np.float64))
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(absolute == 0, 0.0, absolute / np.abs(want.astype(np.float64)))
        largest_absolute = max(largest_absolute, float(np.nanmax(absolute)))
        largest_relative = max(largest_relative, float(np.nanmax(relative)))
    return largest_absolute, largest_relative, bool(differences), ""


@dataclass
class Comparison:
    before: SideResult
    after: SideResult
    outcomes: dict[str, list[tuple[str, Outcome | None, Outcome | None]]] = field(default_factory=dict)
    values: list[ValueChange] = field(default_factory=list)
    texts: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, module, entry, unified diff
    only_one_side: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, module, entry, side name
    identical_values: int = 0
    defaults: list[DefaultChange] = field(default_factory=list)
    packages: list[tuple[str, str, str]] = field(default_factory=list)  # the upgrade's: key ones and all that differ
    tools: list[tuple[str, str, str]] = field(default_factory=list)  # the suite's own tools that differ


def compare(before: SideResult, after: SideResult) -> Comparison:
    comparison = Comparison(before, after)
    if not (before.usable and after.usable):
        return comparison
    old_outcomes = _fold_whole_modules(before.outcomes, after)
    new_outcomes = _fold_whole_modules(after.outcomes, before)
    for key in sorted(set(old_outcomes) | set(new_outcomes)):
        old, new = old_outcomes.get(key), new_outcomes.get(key)
        if (old and old.outcome) != (new and new.outcome):
            module = (old or new).module
            comparison.outcomes.setdefault(module, []).append(((old or new).test, old, new))
    for key in sorted(set(before.snapshots) | set(after.snapshots)):
        kind, module, entry = key
        if key not in before.snapshots or key not in after.snapshots:
            where = after.name if key in after.snapshots else before.name
            comparison.only_one_side.append((kind, module, entry, where))
            continue
        old, new = before.snapshots[key], after.snapshots[key]
        if old == new:
            comparison.identical_values += 1
        elif arrays_text.looks_like_arrays(old) and arrays_text.looks_like_arrays(new):
            comparison.values.append(ValueChange(kind, module, entry, *compare_values(old, new)))
        else:
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), before.name, after.name, lineterm="")
            comparison.texts.append((kind, module, entry, "\n".join(list(diff)[:DIFF_LINES])))
    comparison.defaults = classify_defaults(before.defaults, after.defaults)
    for package in sorted(set(before.packages) | set(after.packages)):
        old, new = before.packages.get(package, ABSENT), after.packages.get(package, ABSENT)
        if _is_a_tool(package, before) and _is_a_tool(package, after):
            if old != new:
                comparison.tools.append((package, old, new))
        elif old != new or package in KEY_PACKAGES:
            comparison.packages.append((package, old, new))
    return comparison


def _fold_whole_modules(outcomes: dict[str, Outcome], other: SideResult) -> dict[str, Outcome]:
    """``outcomes`` with the tests of each module that ``other`` skipped or broke whole at collection
    folded into one outcome of that module, counted (failed if any failed, else passed if any passed)."""
    whole = {outcome.module for outcome in other.outcomes.values() if outcome.test == WHOLE_MODULE}
    folded = {key: outcome for key, outcome in outcomes.items() if outcome.module not in whole}
    for module in sorted(whole):
        tests = [outcome for outcome in outcomes.values() if outcome.module == module]
        if not tests or any(outcome.test == WHOLE_MODULE for outcome in tests):
            folded.update({f"{module}::{outcome.test}": outcome for outcome in tests})
            continue
        words = [outcome.outcome for outcome in tests]
        overall = "failed" if "failed" in words else "passed" if "passed" in words else "skipped"
        counts = ", ".join(f"{words.count(word)} {word}" for word in ("passed", "skipped", "failed"))
        folded[f"{module}::{WHOLE_MODULE}"] = Outcome(module, WHOLE_MODULE, overall,
                                                      f"its {len(tests)} tests: {counts}")
    return folded


def _is_a_tool(package: str, side: SideResult) -> bool:
    """Whether ``side`` has ``package`` only for the suite's own tools (or has it not at all)."""
    return package in side.tools or package not in side.packages


@dataclass(frozen=True)
class DefaultChange:
    """A ``get_config()`` key whose value differs, and whether only its representation did."""

    key: str
    before: object
    after: object
    what: str  # in words: "value changed", "argument gone", "same dtype, now a DTypePolicy", ...
    representation: bool  # True: the same numbers and shapes, only written differently


def classify_defaults(before: dict[str, object], after: dict[str, object]) -> list[DefaultChange]:
    """Every difference of two flat ``layer_defaults``, split into those that can change numbers or
    shapes (a value changed; an argument that holds a value appeared or went) and representation
    only (a dtype name written as a DTypePolicy of the same dtype; a key that is None on one side
    and absent on the other, which changes nothing unless set; Bidirectional's backward copy of
    its layer written out)."""
    return [DefaultChange(key, old, new, *_what_changed(key, old, new, before, after))
            for key, old, new in group_differences(before, after)]


def _what_changed(key: str, old, new, before: dict, after: dict) -> tuple[str, bool]:
    old_dtype, new_dtype = _dtype_name(key, old), _dtype_name(key, new)
    if old_dtype and new_dtype:
        return ("same dtype, now a DTypePolicy", True) if old_dtype == new_dtype else ("dtype changed", False)
    if ABSENT not in (old, new):
        return "value changed", False
    gone = new == ABSENT
    value, defaults = (old, before) if gone else (new, after)
    if _copies_the_forward_layer(key, value, defaults):
        return ("the backward copy of `layer` (go_backwards flipped), "
                + ("no longer written out" if gone else "now written out")), True
    name = "layer" if "." not in key else "argument" if _is_an_argument(key) else "setting"
    if value is None or (isinstance(value, dict) and all(leaf is None for leaf in value.values())):
        said = f"{name} no longer written (it was None)" if gone else f"new {name}, None: changes nothing unless set"
        return said, True
    return (f"{name} gone" if gone else f"new {name}"), False


def _dtype_name(key: str, value) -> str | None:
    """The dtype a ``dtype`` key names, as a plain name or as a DTypePolicy; None for anything else."""
    if key.rsplit(".", 1)[-1] != "dtype":
        return None
    if isinstance(value, str) and value != ABSENT:
        return value
    if isinstance(value, dict) and "DTypePolicy" in str(value.get("class_name")):
        return value.get("config.name")
    return None


def _copies_the_forward_layer(key: str, value, defaults: dict) -> bool:
    """Whether ``...backward_layer`` holds the config of the ``...layer`` beside it, go_backwards flipped."""
    if not (key.endswith("backward_layer") and isinstance(value, dict)):
        return False
    prefix = key[:-len("backward_layer")] + "layer."
    forward = {name[len(prefix):]: leaf for name, leaf in defaults.items() if name.startswith(prefix)}
    differing = {name for name in set(forward) | set(value) if forward.get(name, ABSENT) != value.get(name, ABSENT)}
    return bool(forward) and all(name.endswith("go_backwards") for name in differing)


def _is_an_argument(key: str) -> bool:
    """``LSTM.seed`` and ``Bidirectional.layer.config.seed`` name a layer's argument;
    ``LSTM.kernel_initializer.config.seed`` does not."""
    parts = key.split(".")[1:]
    while len(parts) > 2 and parts[0] in ("layer", "backward_layer") and parts[1] == "config":
        parts = parts[2:]
    return len(parts) == 1


@functools.lru_cache(maxsize=1)
def compared(before: SideResult, after: SideResult) -> Comparison:
    """``compare``, once for the same two results (compared by identity): the report's sections each ask."""
    return compare(before, after)
