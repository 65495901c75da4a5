"""The Keras calls the machinery makes whose spelling differs by era, one table per call.

Keras 3's ``clear_session`` collects garbage unless told not to (``free_memory=False``, ~0.15 s a
call saved; the argument exists from Keras 3.3) and converts tensors with ``keras.ops``; Keras 2
(TensorFlow <= 2.15) has neither the argument (its ``clear_session`` never collects) nor ``keras.ops``
(its eager tensors convert with NumPy).  Specs state era differences of *behaviour* in their own
tables; this module only keeps the machinery's spelling out of their way.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from lstm_spec.models.era import KERAS_ERA, KERAS_VERSION, TF_KERAS, era_key, release_of
from lstm_spec.models.keras_under_test import keras

# Keras 3 takes ``free_memory`` from 3.3.0 on (keras/src/backend/common/global_state.py); 3.0 to 3.2,
# like Keras 2, have no such argument and never collect garbage in ``clear_session``.
FREE_MEMORY_SINCE = (3, 3)
# Keras 3's Model.export prints what it wrote unless told ``verbose=False``, an argument it takes from 3.6.0 on
# (keras/src/models/model.py); 3.0 to 3.5 refuse it ("unexpected keyword argument 'verbose'") and print.
EXPORT_VERBOSE_SINCE = (3, 6)
KERAS_RELEASE = release_of(KERAS_VERSION)


def quiet_clear_arguments(release: tuple[int, ...]) -> dict[str, bool]:
    """The arguments that keep Keras 3 ``release``'s ``clear_session`` from collecting garbage."""
    return {"free_memory": False} if release >= FREE_MEMORY_SINCE else {}


def quiet_export_arguments(release: tuple[int, ...]) -> dict[str, bool]:
    """The arguments that keep Keras 3 ``release``'s ``Model.export`` from printing what it wrote."""
    return {"verbose": False} if release >= EXPORT_VERBOSE_SINCE else {}


_QUIET_CLEAR = quiet_clear_arguments(KERAS_RELEASE)

_CLEAR_SESSION = {
    2: lambda: keras.backend.clear_session(),
    3: lambda: keras.backend.clear_session(**_QUIET_CLEAR),
}


@contextmanager
def _tensorflow_kernel_cache_kept():
    """TensorFlow's eager kernel cache left as it is while the block runs (Keras 3 on TensorFlow).

    ``clear_session`` and ``set_random_seed`` each empty it, so the next forward pass creates every
    kernel again: half as slow again as a warm one.  The cache holds compiled kernels, and the
    state of *stateful* TensorFlow random ops, which Keras 3 never uses (its initializers and
    dropout draw from stateless ops seeded by its own ``SeedGenerator``, which ``set_random_seed``
    resets).  Keras 2 draws its initial weights from stateful ops, so it keeps the full reset.
    """
    if keras.backend.backend() != "tensorflow":
        yield
        return
    from tensorflow.python import pywrap_tfe

    clear_caches = pywrap_tfe.TFE_ContextClearCaches
    pywrap_tfe.TFE_ContextClearCaches = lambda context_handle: None
    try:
        yield
    finally:
        pywrap_tfe.TFE_ContextClearCaches = clear_caches


def _reset_keras_3(seed: int) -> None:
    with _tensorflow_kernel_cache_kept():
        keras.backend.clear_session(**_QUIET_CLEAR)
        keras.utils.set_random_seed(seed)


_RESET = {
    2: lambda seed: (keras.backend.clear_session(), keras.utils.set_random_seed(seed)),
    3: _reset_keras_3,
}

_CONVERT_TO_NUMPY = {
    2: np.asarray,
    3: lambda tensor: keras.ops.convert_to_numpy(tensor),
}


_STATE_TENSORS = {
    2: lambda states: [_tensorflow().convert_to_tensor(state) for state in states],
    3: list,
}

# The last line of a reproduction snippet: the shapes of whatever the model returned.
# Keras 3's line needs no keras.tree, which Keras 3.0 does not have (public from 3.1.0 on).
PRINT_SHAPES = {
    2: "print(tf.nest.map_structure(lambda a: a.shape, out))",
    3: "print([a.shape for a in out] if isinstance(out, (list, tuple)) else out.shape)",
}
IMPORTS = {
    2: "import keras, numpy as np, tensorflow as tf",
    3: "import keras, numpy as np",
    # tf-keras by its own name: the snippet then reproduces with or without TF_USE_LEGACY_KERAS=1.
    TF_KERAS: "import numpy as np, tensorflow as tf, tf_keras as keras",
}


def _tensorflow():
    import tensorflow

    return tensorflow


def _for_this_era(table: dict):
    try:
        return table[era_key(table)]
    except KeyError:
        raise RuntimeError(
            f"the suite knows Keras eras {sorted(map(str, table))}, not Keras {KERAS_ERA}; "
            "install the locked versions (python3 suite.py test) or a supported one (noxfile.py)"
        ) from None


def clear_session() -> None:
    """Clears Keras' global state (layer-name counters included) without a garbage collection."""
    _for_this_era(_CLEAR_SESSION)()


def reset_keras(seed: int) -> None:
    """``clear_session()`` then ``keras.utils.set_random_seed(seed)``, keeping TensorFlow's compiled
    kernels on Keras 3 (see ``_tensorflow_kernel_cache_kept``)."""
    _for_this_era(_RESET)(seed)


def export(model, path: str) -> None:
    """``model.export(path)`` (Keras 3), quietly where the release can be told to be."""
    model.export(path, **quiet_export_arguments(KERAS_RELEASE))


def convert_to_numpy(tensor) -> np.ndarray:
    """A tensor (or array) as a NumPy array."""
    return _for_this_era(_CONVERT_TO_NUMPY)(tensor)


def state_tensors(states):
    """``initial_state`` values (arrays or tensors) in the form this era's eager layer call takes."""
    return None if states is None else _for_this_era(_STATE_TENSORS)(states)


def repro_imports() -> str:
    """The first line of a reproduction snippet."""
    return _for_this_era(IMPORTS)


def repro_print_shapes() -> str:
    """The last line of a reproduction snippet: the shapes of ``out``."""
    return _for_this_era(PRINT_SHAPES)
