"""The saved-model catalog: every model the saving specs write, as a named case with a seeded builder and
seeded input.

A case's name is stable (files written by one version are found by it in another: the ``across`` specs);
its builder starts from ``fresh_keras`` through the suite's own builders (``lstm_spec.models``), so the
model depends on the case alone.  ``CASES["page_lstm"].build()`` is a new model; ``built(case)`` is the
case built once per process with its input and outputs, for the specs that only read it (a stateful
case's state is reset before each use).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from lstm_spec.models import architectures
from lstm_spec.models.builders import DATA_SEED, SEED, fresh_keras, make_inputs, recurrent_model, to_numpy
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, InputDims, LSTMConfig, RecurrentConfig
from lstm_spec.models.family import TOKENS, Chain, Layer, ShapeDims, chain_inputs, chain_model
from lstm_spec.models.keras_under_test import keras
from lstm_spec.models.pinned import STATE_SEED
from lstm_spec.saving.side import SAVING_ERA

BOTH_ERAS = (2, 3)
# Masked cases: the first sample is padded (zero features, token id 0) from this step on, as in spec 27.
PADDED_FROM = 6
TOKEN_DIMS = ShapeDims((PAGE_DIMS.batch, PAGE_DIMS.seq_len), ("batch", "seq"))
CONV_DIMS = ShapeDims((2, 9, 6, 3), ("batch", "time", "rows", "channels"))
MERGE_MODES = ("concat", "sum", "mul", "ave", None)


@dataclass(frozen=True)
class SavedCase:
    """One model of the catalog: how to build it (seeded) and the input it is called on (seeded)."""

    name: str
    description: str  # the model in words, for failure messages
    build: Callable[[], object] = field(repr=False, compare=False)
    data: Callable[[], object] = field(repr=False, compare=False)  # an array, or a list of arrays (several inputs)
    eras: tuple[int, ...] = BOTH_ERAS  # the Keras eras that can build it
    stateful: bool = False
    masked: bool = False  # its input is padded and its model masks the padding
    input_names: tuple[str, ...] = ()  # a several-input model's inputs, in the order ``data`` gives them

    def __str__(self) -> str:
        return f"{self.name}: {self.description}"

    @property
    def buildable(self) -> bool:
        return SAVING_ERA in self.eras

    def repro(self) -> str:
        """The lines that build the case and its input outside the specs."""
        return "\n".join([
            "from lstm_spec.saving.catalog import CASES",
            f"case = CASES[{self.name!r}]",
            "model, x = case.build(), case.data()",
        ])


def _recurrent(config: RecurrentConfig, dims=PAGE_DIMS) -> tuple[Callable, Callable]:
    return (lambda: recurrent_model(config, dims, SEED)), (lambda: make_inputs(dims))


# Section 6 as the page wrote it: Input(shape=(in_features, seq_len)) fed the page's data with its last two axes
# swapped, (2, 3, 9), which time_major=True reads as time=2, batch=3, features=9 (the page's h: (3, 5)).
PAGE_TIME_MAJOR_DIMS = InputDims(batch=PAGE_DIMS.batch, seq_len=PAGE_DIMS.features, features=PAGE_DIMS.seq_len)


def _page_time_major() -> tuple[Callable, Callable]:
    config = LSTMConfig(PAGE_UNITS, time_major=True)
    return ((lambda: recurrent_model(config, PAGE_TIME_MAJOR_DIMS, SEED)),
            (lambda: np.ascontiguousarray(np.moveaxis(make_inputs(PAGE_DIMS), [1, 2], [2, 1]))))


def _chain(chain: Chain, dims=PAGE_DIMS) -> tuple[Callable, Callable]:
    return (lambda: chain_model(chain, dims, SEED)), (lambda: chain_inputs(chain, dims))


def _padded(chain: Chain, dims) -> tuple[Callable, Callable]:
    def data():
        inputs = np.array(chain_inputs(chain, dims))
        inputs[0, PADDED_FROM:] = 0
        return inputs

    return (lambda: chain_model(chain, dims, SEED)), data


def _architecture(builder: Callable) -> tuple[Callable, Callable]:
    return (lambda: builder(PAGE_DIMS, PAGE_UNITS, seed=SEED)), (lambda: make_inputs(PAGE_DIMS))


def initial_state_model(units: int = PAGE_UNITS):
    """``LSTM(units)(x, initial_state=[h0, c0])`` with x, h0 and c0 all model inputs."""
    fresh_keras(SEED)
    sequence = keras.Input(shape=(PAGE_DIMS.seq_len, PAGE_DIMS.features), name="x")
    h0, c0 = keras.Input(shape=(units,), name="h0"), keras.Input(shape=(units,), name="c0")
    outputs = keras.layers.LSTM(units, return_sequences=True)(sequence, initial_state=[h0, c0])
    return keras.Model([sequence, h0, c0], outputs)


def initial_state_data(units: int = PAGE_UNITS) -> list[np.ndarray]:
    """The page's input, then h0 and c0 standard normal (batch, units) from ``STATE_SEED``."""
    rng = np.random.default_rng(STATE_SEED)
    return [make_inputs(PAGE_DIMS, DATA_SEED),
            *(rng.normal(size=(PAGE_DIMS.batch, units)).astype(np.float32) for _ in range(2))]


LSTM_5 = LSTMConfig(PAGE_UNITS)
SEQUENCE_AND_STATE = LSTMConfig(PAGE_UNITS, return_sequences=True, return_state=True)
MASKING = Chain((Layer.of("Masking", mask_value=0.0), SEQUENCE_AND_STATE))
EMBEDDING = Chain((Layer.of("Embedding", TOKENS, PAGE_DIMS.features, mask_zero=True), SEQUENCE_AND_STATE), tokens=True)
STATEFUL = Chain((LSTMConfig(PAGE_UNITS, stateful=True),), fixed_batch=True)


def _cases() -> dict[str, SavedCase]:
    cases = [
        SavedCase("page_lstm", "Input(9, 3) -> LSTM(5) (page section 1)", *_recurrent(LSTM_5)),
        SavedCase("page_return_sequences", "LSTM(5, return_sequences=True) (section 3)",
                  *_recurrent(LSTMConfig(PAGE_UNITS, return_sequences=True))),
        SavedCase("page_return_state", "LSTM(5, return_state=True) (section 4)",
                  *_recurrent(LSTMConfig(PAGE_UNITS, return_state=True))),
        SavedCase("page_both", "LSTM(5, return_sequences=True, return_state=True) (section 5)",
                  *_recurrent(SEQUENCE_AND_STATE)),
        SavedCase("page_time_major", "Input(3, 9) -> LSTM(5, time_major=True) on the page's (2, 3, 9) data: "
                  "time=2, batch=3, features=9 (section 6)", *_page_time_major(), eras=(2,)),
        SavedCase("page_cnn_lstm", "Conv1D -> MaxPooling1D -> LSTM(5) (section 7)",
                  *_architecture(architectures.cnn_lstm)),
        SavedCase("page_subsequences", "Reshape -> TimeDistributed(Conv1D, MaxPooling1D, Flatten) -> LSTM(5) "
                  "(section 8)", *_architecture(architectures.subsequence_lstm)),
        SavedCase("page_lstm_cnn", "LSTM(5, return_sequences=True) -> Conv1D -> MaxPooling1D -> Flatten (section 9)",
                  *_architecture(architectures.lstm_cnn)),
        SavedCase("gru_reset_after", "GRU(5, reset_after=True)",
                  *_recurrent(RecurrentConfig("GRU", PAGE_UNITS).with_options(reset_after=True))),
        SavedCase("gru_reset_before", "GRU(5, reset_after=False)",
                  *_recurrent(RecurrentConfig("GRU", PAGE_UNITS).with_options(reset_after=False))),
        SavedCase("simple_rnn", "SimpleRNN(5, return_sequences=True)",
                  *_recurrent(RecurrentConfig("SimpleRNN", PAGE_UNITS, return_sequences=True))),
        *(SavedCase(f"bidirectional_{str(mode).lower()}", f"Bidirectional(LSTM(5), merge_mode={mode!r})",
                    *_chain(Chain((Layer.of("Bidirectional", LSTM_5, merge_mode=mode),))))
          for mode in MERGE_MODES),
        SavedCase("stacked", "LSTM(5, return_sequences=True) -> LSTM(4)",
                  *_chain(Chain((LSTMConfig(PAGE_UNITS, return_sequences=True), LSTMConfig(4))))),
        SavedCase("stateful", "Input(batch_shape=(2, 9, 3)) -> LSTM(5, stateful=True)", *_chain(STATEFUL),
                  stateful=True),
        SavedCase("masking", "Masking(0.0) -> LSTM(5, return_sequences=True, return_state=True), sample 0 padded",
                  *_padded(MASKING, PAGE_DIMS), masked=True),
        SavedCase("embedding_mask_zero", f"Embedding({TOKENS}, 3, mask_zero=True) -> LSTM(5, return_sequences=True, "
                  "return_state=True), sample 0 padded with token 0", *_padded(EMBEDDING, TOKEN_DIMS), masked=True),
        SavedCase("initial_state_input", "LSTM(5, return_sequences=True)(x, initial_state=[h0, c0]), "
                  "x, h0, c0 model inputs", initial_state_model, initial_state_data, input_names=("x", "h0", "c0")),
        SavedCase("conv_lstm1d", "ConvLSTM1D(filters=4, kernel_size=3) on (2, 9, 6, 3)",
                  *_chain(Chain((Layer.of("ConvLSTM1D", filters=4, kernel_size=3),)), CONV_DIMS)),
        SavedCase("time_distributed", "LSTM(5, return_sequences=True) -> TimeDistributed(Dense(4))",
                  *_chain(Chain((LSTMConfig(PAGE_UNITS, return_sequences=True),
                                 Layer.of("TimeDistributed", Layer.of("Dense", 4)))))),
    ]
    return {case.name: case for case in cases}


CASES = _cases()


def buildable_cases() -> list[SavedCase]:
    """The cases this run's Keras can build."""
    return [case for case in CASES.values() if case.buildable]


def call(model, data):
    """``model(data, training=False)`` as read-only NumPy (the nesting the model returns)."""
    return to_numpy(model(data, training=False))


def call_any_length(model, data):
    """``model.call(data, training=False)`` as read-only NumPy: past the input layer's fixed sequence length (which
    ``model(data)`` checks), so a shorter sequence gives what the recurrent layers give on it."""
    tensors = [keras.ops.convert_to_tensor(array) for array in (data if isinstance(data, list) else [data])]
    return to_numpy(model.call(tensors if isinstance(data, list) else tensors[0], training=False))


@dataclass(frozen=True)
class BuiltCase:
    """A case built once in this process, with its input and the outputs of the model as built."""

    case: SavedCase
    model: object
    data: object
    outputs: object


@functools.lru_cache(maxsize=None)
def _built(name: str) -> BuiltCase:
    case = CASES[name]
    model, data = case.build(), case.data()
    return BuiltCase(case, model, data, call(model, data))


def built(case: SavedCase) -> BuiltCase:
    """``case`` built and called once per process (a stateful model's state reset to zeros after its call)."""
    result = _built(case.name)
    reset_states(result.model)
    return result


def reset_states(model) -> None:
    """Every stateful layer of ``model`` back to zero state (Keras 3 models have no ``reset_states``)."""
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_states()
