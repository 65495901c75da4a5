"""11. Reproducibility: which seeding makes two Keras 3 models start from the same weights.

The page seeds with its ``reset_graph()`` (TensorFlow 1 graph seed and NumPy's global seed).  On
Keras 3 that no longer fixes the weights, nor on Keras 2 as TensorFlow 2.15 runs it (eagerly):
``PAGE_RESET_GRAPH_FIXES_WEIGHTS``.  ``keras.utils.set_random_seed`` after
``keras.backend.clear_session()`` does, on both eras, in this process and in a fresh one.
"""

import numpy as np

from lstm_spec.models.builders import SEED, recurrent_model
from lstm_spec.models.configs import PAGE_DIMS, LSTMConfig
from lstm_spec.models.era import KERAS_NAME, for_this_era

PAGE_LSTM = LSTMConfig(units=5)
# Per Keras era: do two models built each after the page's reset_graph(313) get equal weights?
PAGE_RESET_GRAPH_FIXES_WEIGHTS = {2: False, 3: False}


def reset_graph(seed=313):
    """The page's seeding, verbatim."""
    import tensorflow as tf

    tf.compat.v1.reset_default_graph()
    tf.compat.v1.set_random_seed(seed)
    np.random.seed(seed)


def page_lstm_weights() -> list[np.ndarray]:
    """The weights of the page's LSTM(5) on (9, 3) input, built with no seeding of its own."""
    from lstm_spec.models.keras_under_test import keras

    inputs = keras.Input(shape=(PAGE_DIMS.seq_len, PAGE_DIMS.features))
    layer = keras.layers.LSTM(PAGE_LSTM.units)
    keras.Model(inputs, layer(inputs))
    return layer.get_weights()


def same_weights(first, second) -> bool:
    return len(first) == len(second) and all(np.array_equal(a, b) for a, b in zip(first, second))


def seeded_weights(seed: int) -> list[np.ndarray]:
    return recurrent_model(PAGE_LSTM, PAGE_DIMS, seed).layers[-1].get_weights()


def test_page_reset_graph_does_not_fix_keras_3_weights():
    """Two models built each after the page's ``reset_graph(313)`` get different weights on Keras 3 (and on eager Keras 2)."""
    reset_graph(313)
    first = page_lstm_weights()
    reset_graph(313)
    second = page_lstm_weights()
    fixes = for_this_era(PAGE_RESET_GRAPH_FIXES_WEIGHTS)
    assert fixes == same_weights(first, second), (
        f"reset_graph() {'no longer fixes' if fixes else 'now fixes'} the weights on {KERAS_NAME}")


def test_set_random_seed_fixes_the_weights():
    """``clear_session()`` then ``set_random_seed(313)`` before each build gives equal weights; another seed does not."""
    first, second = seeded_weights(SEED), seeded_weights(SEED)
    assert same_weights(first, second)
    assert not same_weights(first, seeded_weights(SEED + 1))


def test_set_random_seed_fixes_the_weights_across_processes(fresh_process_weights):
    """A fresh Python process seeded the same way builds exactly the same weights."""
    assert same_weights(seeded_weights(SEED), fresh_process_weights)
