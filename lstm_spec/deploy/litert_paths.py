"""Spec 48's conversion paths to TFLite: each a function ``(model, arrays, folder) -> the flatbuffer's bytes``.

``PATHS`` maps a path's name to the Keras eras that have it and its function.  They live here, not in the spec,
so that ``lstm_spec.deploy.in_child`` can run one in a process of its own where it aborts the process.
"""

from __future__ import annotations


def _tensorflow():
    import tensorflow

    return tensorflow


def _from_keras_model(model, arrays, folder):
    return _tensorflow().lite.TFLiteConverter.from_keras_model(model).convert()


def _from_saved_model(model, arrays, folder):
    from lstm_spec.models import compat

    compat.export(model, str(folder / "exported"))
    return _tensorflow().lite.TFLiteConverter.from_saved_model(str(folder / "exported")).convert()


def _export_litert(model, arrays, folder, input_signature=None):
    path = folder / "model.tflite"
    model.export(str(path), format="litert", verbose=False, input_signature=input_signature)
    return path.read_bytes()


def _export_litert_fixed(model, arrays, folder):
    from lstm_spec.deploy.artifacts import fixed_input_signature

    return _export_litert(model, arrays, folder, fixed_input_signature(arrays))


# path -> (the eras that have it, how it converts)
PATHS = {
    "from_keras_model": ((2, 3), _from_keras_model),
    "from_saved_model": ((3,), _from_saved_model),
    "export-litert": ((3,), _export_litert),
    "export-litert-fixed-batch": ((3,), _export_litert_fixed),
}
