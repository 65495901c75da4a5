"""``get_config()`` of the layers the suite documents, built with default arguments, as flat JSON.

    python -m lstm_spec.checks.layer_defaults OUT.json

Each environment of the version matrix writes this file (``LSTM_SPEC_COLLECT``) and the upgrade
report diffs two of them: a default that changed between versions shows as one changed key.
Nested configs are flattened to dotted keys (``Bidirectional.layer.config.units``); a layer's
counter-numbered ``name`` is left out, since it says nothing about the defaults.
"""

from __future__ import annotations

import json
import sys

from lstm_spec.models.era import for_this_era
from lstm_spec.models.quiet_start import filtered_stderr

ABSENT = "(absent)"
# How InputLayer is told its shape: Keras 3 renamed ``input_shape``.
INPUT_SHAPE_ARGUMENT = {2: {"input_shape": (1,)}, 3: {"shape": (1,)}}
# Every layer class a spec builds (``keras.Input`` builds an InputLayer), made with only the
# arguments it cannot be built without; everything else is left at its default.  A spec run fails
# naming any class it built that is missing here (``lstm_spec.checks.defaults_coverage``), and
# ``specs/test_17_layer_defaults.py`` pins the documented defaults of each.
LAYERS = {
    "LSTM": lambda layers: layers.LSTM(1),
    "GRU": lambda layers: layers.GRU(1),
    "SimpleRNN": lambda layers: layers.SimpleRNN(1),
    "Bidirectional": lambda layers: layers.Bidirectional(layers.LSTM(1)),
    "Conv1D": lambda layers: layers.Conv1D(1, 1),
    "MaxPooling1D": lambda layers: layers.MaxPooling1D(),
    "TimeDistributed": lambda layers: layers.TimeDistributed(layers.Dense(1)),
    "Reshape": lambda layers: layers.Reshape((1,)),
    "Flatten": lambda layers: layers.Flatten(),
    "Dense": lambda layers: layers.Dense(1),
    "Masking": lambda layers: layers.Masking(),
    "Embedding": lambda layers: layers.Embedding(1, 1),
    "ConvLSTM1D": lambda layers: layers.ConvLSTM1D(1, 1),
    "InputLayer": lambda layers: layers.InputLayer(**for_this_era(INPUT_SHAPE_ARGUMENT)),
}


def flatten(config, prefix: str = "") -> dict[str, object]:
    """``{"a": {"b": 1}}`` as ``{"a.b": 1}``; lists by index; values JSON can hold, others as repr."""
    if isinstance(config, dict):
        items = config.items()
    elif isinstance(config, (list, tuple)):
        items = ((str(index), value) for index, value in enumerate(config))
        if not config:
            return {prefix: []}
    else:
        is_plain = config is None or isinstance(config, (bool, int, float, str))
        return {prefix: config if is_plain else repr(config)}
    is_layer = isinstance(config, dict) and "trainable" in config
    flat = {}
    for key, value in items:
        if key == "name" and is_layer:
            continue
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def group_differences(before: dict, after: dict) -> list[tuple[str, object, object]]:
    """The keys whose values differ, as (key, before, after), ``ABSENT`` where a side lacks the key.

    A subtree that only one side has is one row, its key the subtree's root and its value the
    subtree as a dict (``LSTM.dtype``: ``"float32"`` before, ``{"class_name": "DTypePolicy", ...}`` after).
    """
    rows, subtrees = [], {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, ABSENT), after.get(key, ABSENT)
        if old == new:
            continue
        if ABSENT not in (old, new):
            rows.append((key, old, new))
            continue
        side = 0 if new is ABSENT else 1
        root = _subtree_root(key, after if side == 0 else before)
        subtrees.setdefault(root, ({}, {}))[side][key[len(root) + 1:] or root] = (old, new)[side]
    for root, pair in subtrees.items():
        old, new = (_as_value(subtree, root) for subtree in pair)
        rows.append((root, old, new))
    return sorted(rows, key=lambda row: row[0])


def _as_value(subtree: dict, root: str):
    """A subtree's keys as one value: the plain value of the root itself, a dict, or ABSENT."""
    if not subtree:
        return ABSENT
    return subtree[root] if list(subtree) == [root] else subtree


def _subtree_root(key: str, other: dict) -> str:
    """The shortest dotted prefix of ``key`` under which ``other`` has no key."""
    parts = key.split(".")
    for length in range(1, len(parts) + 1):
        prefix = ".".join(parts[:length])
        if not any(name.startswith(prefix + ".") for name in other):
            return prefix
    return key


def layer_defaults() -> dict[str, object]:
    """Every documented layer's default config, flattened, keyed ``Layer.key``."""
    from lstm_spec.models.keras_under_test import keras

    defaults = {}
    for name, build in LAYERS.items():
        config = build(keras.layers).get_config()
        config.pop("name", None)  # counter-numbered ("input_1"): says nothing about the defaults
        defaults.update(flatten(config, name))
    return defaults


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m lstm_spec.checks.layer_defaults OUT.json", file=sys.stderr)
        return 2
    with filtered_stderr():  # TensorFlow's C++ start-up lines
        defaults = layer_defaults()
    with open(argv[0], "w") as out:
        json.dump(defaults, out, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
