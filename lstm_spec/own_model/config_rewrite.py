"""A Keras 2 model config rewritten for Keras 3, as plain data: every change said, or the reason it cannot be.

``rewrite(config)`` takes the config a Keras 2 file holds (an ``.h5``'s ``model_config`` attribute, a ``.keras``
archive's ``config.json``) and returns a ``Rewrite``: the config Keras 3's own loader reads, and one ``Change`` per
kind of edit with how many places it touched.  No Keras is imported: the edits are the differences between the
two eras' configs that ``specs/test_44`` and the committed files show.

- ``time_major=False`` is dropped wherever it occurs (wrappers, cells, nested models): it is Keras 3's only reading.
- ``time_major=True`` is kept as a contract: in a functional model the layer gets Keras' own ``transpose`` before
  it (and after it for a sequence output), so the model still takes (time, batch, features).
- A wrapper's inner layer (``Bidirectional``, ``TimeDistributed``, ``RNN(cell)``) gets the module Keras 3 needs to
  find its class; the model class gets Keras 3's module.
- A recurrent layer called on ``[x, h0, c0]`` (Keras 2's record of ``initial_state``) is called on ``x`` with
  ``initial_state=[h0, c0]``.
- Names TensorFlow rejects as op names are made safe, every reference with them.
- Keras 2's ``hard_sigmoid`` (slope 0.2) has no plain Keras 3 form (Keras 3's has slope 1/6): ``Refused``, with the
  function that is needed, unless ``keep_hard_sigmoid`` names the registered function to use.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field

RECURRENT = ("LSTM", "GRU", "SimpleRNN", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "CuDNNLSTM", "CuDNNGRU")
WRAPPED = ("layer", "backward_layer", "cell")  # config keys that hold a nested layer's config
MODEL_MODULES = {"Functional": "keras.src.models.functional", "Sequential": "keras.src.models.sequential",
                 "Model": "keras.src.models.model"}
KERAS_2_MODULES = ("keras.engine", "keras.src.engine", "keras.models", "keras.src.models")
# TensorFlow's pattern for an op name (tensorflow/core/framework/node_def_util.cc), which a layer's name becomes.
SAFE_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$")
KERAS_2_HARD_SIGMOID = "Keras 2's hard_sigmoid: clip(0.2 * x + 0.5, 0, 1)"
HOW_TO_REGISTER = (
    "Keras 3 has no function of that shape built in ('hard_sigmoid' there is relu6(x + 3) / 6, slope 1/6), so no plain "
    "Keras 3 file computes this model. Run migrate again with --keep-hard-sigmoid: the file then names the registered "
    "function 'lstm_spec>keras_2_hard_sigmoid', and loads after `import lstm_spec.own_model.registered` or with "
    "custom_objects={'keras_2_hard_sigmoid': keras_2_hard_sigmoid} (lstm_spec/saving/migrations.py has its source)")


class Refused(ValueError):
    """The config has no faithful Keras 3 form; the message says why and what would make one."""


@dataclass(frozen=True)
class Change:
    """One kind of edit: what, why, and where (the layers it touched)."""

    what: str
    why: str
    where: tuple[str, ...] = ()

    def __str__(self) -> str:
        places = Counter(self.where)
        listed = ", ".join(f"{name} (x{count})" if count > 1 else name for name, count in places.items())
        return f"{self.what} ({len(self.where)}: {listed}): {self.why}" if self.where else f"{self.what}: {self.why}"


@dataclass
class Rewrite:
    """The rewritten config and the changes made to it."""

    config: dict
    changes: list[Change] = field(default_factory=list)


def layer_name(layer: dict) -> str:
    return layer.get("config", {}).get("name") or layer.get("name") or layer.get("class_name", "?")


def rewrite(config: dict, *, keep_hard_sigmoid: str | None = None) -> Rewrite:
    """``config`` (a Keras 2 model config, not changed) as Keras 3 reads it; raises Refused."""
    config = copy.deepcopy(config)
    found: dict[str, list[str]] = {key: [] for key in REASONS}
    _walk(config, found, keep_hard_sigmoid, owner=layer_name(config))
    if found["hard_sigmoid"] and not keep_hard_sigmoid:
        raise Refused(f"{', '.join(found['hard_sigmoid'])} use(s) {KERAS_2_HARD_SIGMOID}. {HOW_TO_REGISTER}")
    if _class(config) in MODEL_MODULES and "module" in config:
        found["model_module"].append(layer_name(config))
        config["module"] = MODEL_MODULES[_class(config)]
    _model_level(config, found)
    return Rewrite(config, [Change(what, REASONS[key][1], tuple(found[key]))
                            for key, (what, _) in REASONS.items() if found[key]])


REASONS = {
    "time_major_false": ("time_major=False dropped", "Keras 3 has no time_major; batch-major is its only reading"),
    "time_major_true": ("time_major=True kept as transposes",
                        "Keras 3 reads axis 0 as the batch; Keras' own transpose before the layer (and after a "
                        "sequence output) keeps the model taking (time, batch, features) as Keras 2 did"),
    "nested_module": ("module added to a wrapper's inner layer",
                      "Keras 3 finds a nested layer's class by its module; Keras 2's .h5 config names none"),
    "model_module": ("model class module set to Keras 3's", "Keras 2 recorded keras.src.engine, which Keras 3 lacks"),
    "initial_state": ("call on [x, h0, c0] made x with initial_state=[h0, c0]",
                      "Keras 2 recorded initial_state as extra inputs; Keras 3 takes it as an argument"),
    "renamed": ("names TensorFlow rejects made safe", "TensorFlow refuses them as op names when the model is called"),
    "hard_sigmoid": ("Keras 2's hard_sigmoid kept as a registered function", KERAS_2_HARD_SIGMOID),
    "input_layer": ("InputLayer added from the first layer's batch_input_shape",
                    "Keras 2 kept a Sequential model's input shape on its first layer; Keras 3's reader takes it "
                    "whole as that layer's input_shape (a batch axis too many)"),
}


def _class(config: dict) -> str:
    return config.get("class_name", "")


def _walk(node, found, keep_hard_sigmoid, owner: str) -> None:
    """Edits every layer config inside ``node`` in place: time_major, nested modules, hard_sigmoid."""
    if isinstance(node, list):
        for item in node:
            _walk(item, found, keep_hard_sigmoid, owner)
        return
    if not isinstance(node, dict):
        return
    inner = node.get("config") if isinstance(node.get("config"), dict) else None
    if inner is not None and "class_name" in node:
        owner = inner.get("name", owner)
        if inner.get("time_major") is False:
            del inner["time_major"]
            found["time_major_false"].append(owner)
        for key in ("activation", "recurrent_activation"):
            if inner.get(key) == "hard_sigmoid":
                found["hard_sigmoid"].append(f"{owner} ({key})")
                if keep_hard_sigmoid:  # a registered function, as Keras 3 serializes one
                    inner[key] = {"module": "builtins", "class_name": "function", "config": keep_hard_sigmoid,
                                  "registered_name": "function"}
        for key in WRAPPED:
            nested = inner.get(key)
            if isinstance(nested, dict) and "class_name" in nested and "module" not in nested:
                nested["module"] = "keras.layers"
                nested.setdefault("registered_name", None)
                found["nested_module"].append(owner)
    for value in node.values():
        _walk(value, found, keep_hard_sigmoid, owner)


def _model_level(config: dict, found) -> None:
    """The edits that need the model's graph: initial_state calls, time_major=True, unsafe names."""
    body = config.get("config", {})
    layers = body.get("layers")
    if not isinstance(layers, list):
        return
    _rename(config, found)
    if _class(config) != "Sequential":
        for layer in list(layers):
            _initial_state(layer, found)
        for layer in list(layers):
            if layer.get("config", {}).get("time_major") is True and _class(layer) in RECURRENT:
                _time_major(body, layer, found)
    else:
        _input_layer(layers, found)
    if _class(config) == "Sequential" and any(layer.get("config", {}).get("time_major") is True for layer in layers):
        raise Refused("a Sequential model with time_major=True: Keras 3's Sequential has no place for the transposes "
                      "that keep the time-major contract; rebuild it as a functional model in Keras 2 and save again")
    for layer in layers:
        _model_level(layer, found)  # a nested model


def _input_layer(layers: list, found) -> None:
    """A Sequential model whose first layer carries ``batch_input_shape`` gets an InputLayer of that shape first."""
    first = layers[0] if layers else {}
    shape = first.get("config", {}).get("batch_input_shape")
    if _class(first) == "InputLayer" or shape is None:
        return
    del first["config"]["batch_input_shape"]
    name = f"{layer_name(first)}_input"
    layers.insert(0, {"class_name": "InputLayer", "config": {"batch_input_shape": shape, "name": name,
                                                             "dtype": first["config"].get("dtype", "float32")}})
    found["input_layer"].append(layer_name(first))


def _safe(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.\-/]", "_", name)
    return cleaned if cleaned and cleaned[0] not in "_-/" else f"x{cleaned}"


def _rename(config: dict, found) -> None:
    """Unsafe layer and model names made safe, with every reference to them (inbound nodes, inputs, outputs)."""
    body = config["config"]
    names = [layer_name(layer) for layer in body["layers"]]
    taken = set(names)
    renames = {}
    for name in names:
        if not SAFE_NAME.match(name):
            new = _safe(name)
            while new in taken:
                new += "_"
            taken.add(new)
            renames[name] = new
    if isinstance(body.get("name"), str) and not SAFE_NAME.match(body["name"]):
        found["renamed"].append(f"model {body['name']!r} -> {_safe(body['name'])!r}")
        body["name"] = _safe(body["name"])
    if not renames:
        return
    for layer in body["layers"]:
        if layer_name(layer) in renames:
            found["renamed"].append(f"{layer_name(layer)!r} -> {renames[layer_name(layer)]!r}")
            layer["config"]["name"] = renames[layer_name(layer)]
            if "name" in layer:
                layer["name"] = renames[layer["name"]]
        layer["inbound_nodes"] = _renamed(layer.get("inbound_nodes", []), renames)
    for key in ("input_layers", "output_layers"):
        if key in body:
            body[key] = _renamed(body[key], renames)


def _renamed(structure, renames):
    """``structure`` with every ``[name, node, tensor]`` history and ``keras_history`` naming a renamed layer fixed."""
    if isinstance(structure, dict):
        return {key: (_renamed_history(value, renames) if key == "keras_history" else _renamed(value, renames))
                for key, value in structure.items()}
    if isinstance(structure, list):
        if structure and isinstance(structure[0], str) and structure[0] in renames:
            return [renames[structure[0]], *structure[1:]]
        return [_renamed(item, renames) for item in structure]
    return structure


def _renamed_history(history, renames):
    return [renames.get(history[0], history[0]), *history[1:]] if history else history


def _reference(history: list) -> dict:
    """A Keras 3 node argument: the tensor ``history`` ([layer, node, tensor]) names.  Keras 3's loader replaces it
    by that layer's output, so its shape is a placeholder (the loader only needs one that is defined)."""
    return {"class_name": "__keras_tensor__", "config": {"shape": [None], "dtype": "float32",
                                                         "keras_history": list(history[:3])}}


def _initial_state(layer: dict, found) -> None:
    """A recurrent layer (or Bidirectional) Keras 2 recorded as called on [x, *states]: x with initial_state."""
    if _class(layer) not in (*RECURRENT, "Bidirectional"):
        return
    nodes = layer.get("inbound_nodes", [])
    changed = []
    for node in nodes:
        if isinstance(node, list) and len(node) > 1 and all(isinstance(item, list) for item in node):
            sequence, *states = node
            kwargs = dict(sequence[3]) if len(sequence) > 3 else {}
            kwargs["initial_state"] = [_reference(state) for state in states]
            changed.append({"args": [_reference(sequence)], "kwargs": kwargs})
        else:
            changed.append(_as_keras_3_node(node))
    if any(isinstance(node, list) and len(node) > 1 for node in nodes):
        layer["inbound_nodes"] = changed
        found["initial_state"].append(layer_name(layer))
        shapes = layer.get("build_config", {}).get("input_shape")
        if isinstance(shapes, list) and shapes and isinstance(shapes[0], list):
            layer["build_config"]["input_shape"] = shapes[0]  # the sequence's: Keras 3 builds on it alone


def _as_keras_3_node(node):
    """A Keras 2 node (a list of [layer, node, tensor, kwargs]) in Keras 3's form; a Keras 3 node as it is."""
    if isinstance(node, dict):
        return node
    arguments = [_reference(item) for item in node]
    kwargs = dict(node[0][3]) if node and len(node[0]) > 3 else {}
    return {"args": [arguments[0] if len(arguments) == 1 else arguments], "kwargs": kwargs}


def _time_major(body: dict, layer: dict, found) -> None:
    """Transposes around a time-major recurrent layer, from Keras' own ``transpose`` operation."""
    layers, name = body["layers"], layer_name(layer)
    inner = layer["config"]
    del inner["time_major"]
    nodes = [_as_keras_3_node(node) for node in layer.get("inbound_nodes", [])]
    if len(nodes) != 1:
        raise Refused(f"{name} (time_major=True) is called {len(nodes)} times; migrate handles a layer called once")
    before = f"{name}_to_batch_major"
    sequence = nodes[0]["args"][0]
    layers.insert(layers.index(layer), _transpose(before, sequence))
    nodes[0]["args"][0] = _reference([before, 0, 0])
    layer["inbound_nodes"] = nodes
    found["time_major_true"].append(name)
    if not inner.get("return_sequences"):
        return
    after = f"{name}_to_time_major"
    layers.insert(layers.index(layer) + 1, _transpose(after, _reference([name, 0, 0])))
    _redirect(layers, name, after)
    body["output_layers"] = _redirected(body.get("output_layers", []), name, after)


def _transpose(name: str, argument: dict) -> dict:
    return {"module": "keras.src.ops.numpy", "class_name": "Transpose", "registered_name": "Transpose",
            "name": name, "config": {"name": name, "axes": [1, 0, 2]},
            "inbound_nodes": [{"args": [argument], "kwargs": {}}]}


def _redirect(layers: list, name: str, to: str) -> None:
    """Every use of ``name``'s first output (other than by ``to``) now reads ``to``'s output instead."""
    for layer in layers:
        if layer_name(layer) == to:
            continue
        layer["inbound_nodes"] = [_redirected(node, name, to) for node in layer.get("inbound_nodes", [])]


def _redirected(structure, name, to):
    if isinstance(structure, dict):
        if structure.get("class_name") == "__keras_tensor__":
            history = structure["config"]["keras_history"]
            if history[0] == name and history[2] == 0:
                return _reference([to, 0, 0])
            return structure
        return {key: _redirected(value, name, to) for key, value in structure.items()}
    if isinstance(structure, list):
        if len(structure) >= 3 and structure[0] == name and structure[2] == 0 and isinstance(structure[1], int):
            return [to, 0, 0, *structure[3:]]
        return [_redirected(item, name, to) for item in structure]
    return structure
