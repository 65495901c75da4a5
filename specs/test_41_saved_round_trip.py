"""Saved models read back: the same outputs bit for bit, shapes, config and weights, in every format the era writes.

Every model of the saving catalog (``lstm_spec.saving.catalog``: the page's sections 1-9, GRU, SimpleRNN,
Bidirectional, stacked, stateful, masked, ``initial_state`` inputs, ConvLSTM1D, TimeDistributed) is saved in
its era's whole-model format, and the models of distinct kinds (``KINDS``) in each format the era writes
(``lstm_spec.saving.formats``: Keras 3 ``.keras``, ``.weights.h5`` into the rebuilt architecture, legacy
``.h5``, ``model.export``; Keras 2 ``.h5``, ``.keras``, SavedModel folder, ``save_weights``), then read back
by each of the format's readers (``LSTM_SPEC_SAVED_ALL=1``: every model in every format).  What comes back
gives the same outputs bit for bit: the same float32 weights through the same kernels on the same input
(a serving signature runs the traced graph of the same ops); nothing here needs a tolerance.  A model
read as a Keras model keeps its input and output shapes, its ``get_config()`` (as JSON; ``CONFIG_CHANGES``
where not) and its weight count; a serving signature keeps the shapes with the batch axis ``None``
(``SIGNATURE_SHAPES`` where not).  A masked model still masks; a stateful model is saved holding its first
call's state, which a Keras file resets and an export or SavedModel carries (``STATE_AFTER_READING``).  Where a format cannot hold
a model, ``CANNOT`` pins the step and the error per era and backend.  Files are written under pytest's
``tmp_path`` and deleted as soon as they are read.
"""

import json

import numpy as np
import pytest

from lstm_spec.checks.assertions import (MISSING, assert_count, assert_differs, assert_raises, assert_same,
                                         assert_same_outputs, differences, fail)
from lstm_spec.models.backend import KERAS_BACKEND
from lstm_spec.saving import catalog
from lstm_spec.saving.catalog import PADDED_FROM
from lstm_spec.saving.formats import formats_written_here
from lstm_spec.saving.round_trip import carried_outputs, expected_outputs, round_trips
from lstm_spec.saving.side import BUILDERS_BUILD_THE_KERAS_UNDER_TEST, NOT_UNDER_TEST, SIDE, WHOLE_MATRIX, cell

pytestmark = pytest.mark.skipif(not BUILDERS_BUILD_THE_KERAS_UNDER_TEST, reason=NOT_UNDER_TEST)



def _torch_export_error():
    """torch.export's UserError on the torch backend (where torch is importable), else None."""
    if KERAS_BACKEND != "torch":
        return None
    from torch._dynamo.exc import UserError

    return UserError


# (format, reader) that cannot hold any model on a backend.  On PyTorch, export(format="tf_saved_model")
# hands torch.export a dynamic-shape spec whose structure (a dict) does not match the inputs' (a tuple).
TFSM_TENSORFLOW_ONLY = "The TFSMLayer is only currently supported with the TensorFlow backend."
TORCH_EXPORT = ("save", _torch_export_error(), "Detected mismatch between the structure of `inputs` and "
                "`dynamic_shapes`: `inputs[0]` is a <class 'tuple'>, but `dynamic_shapes[0]` is a <class 'dict'>")
TORCH_LIST_INPUTS = ("save", AttributeError, "'list' object has no attribute 'shape'")
CANNOT_ANY_CASE = {
    ("keras3-export", "TFSMLayer"): {"jax": ("load", NotImplementedError, TFSM_TENSORFLOW_ONLY),
                                     "torch": TORCH_EXPORT},
    ("keras3-export", "tf.saved_model.load"): {"torch": TORCH_EXPORT},
}
NOT_DESERIALIZED_NOT_EQUAL = "Unknown layer: 'NotEqual'"
STATEFUL_SYMBOLIC_BATCH = "Expected batch size: 2\n- Received batch size: batch"
# (case, format, reader): {column: (step, exception type, the key part of its message)}; columns as
# lstm_spec.saving.side.column chooses them (Keras era, a backend where it differs, "tf-keras").
CANNOT = {
    # Keras 3's legacy .h5 writer stores the mask's ops.not_equal as a layer its reader does not know.
    ("masking", "keras3-h5", "load_model"): {3: ("load", ValueError, NOT_DESERIALIZED_NOT_EQUAL)},
    ("embedding_mask_zero", "keras3-h5", "load_model"): {3: ("load", ValueError, NOT_DESERIALIZED_NOT_EQUAL)},
    # JAX traces the export with a symbolic batch, which a stateful layer's fixed batch refuses.
    ("stateful", "keras3-export", "TFSMLayer"): {"jax": ("save", ValueError, STATEFUL_SYMBOLIC_BATCH)},
    ("stateful", "keras3-export", "tf.saved_model.load"): {"jax": ("save", ValueError, STATEFUL_SYMBOLIC_BATCH)},
    # TFSMLayer hands its inputs to the endpoint positionally; a three-input serving signature takes keywords.
    ("initial_state_input", "keras3-export", "TFSMLayer"): {
        3: ("call", TypeError, "Binding inputs to tf.function failed due to `too many positional arguments`"),
        "jax": CANNOT_ANY_CASE[("keras3-export", "TFSMLayer")]["jax"], "torch": TORCH_LIST_INPUTS},
    # On PyTorch the export of a list of inputs fails before torch.export, reading the list's shape.
    ("initial_state_input", "keras3-export", "tf.saved_model.load"): {"torch": TORCH_LIST_INPUTS},
}
HELD = None


# Cost (issue 22, item 9: at most +25 % on the spec run): every case meets the era's own whole-model format
# (.keras on Keras 3, .h5 on Keras 2); the other formats (weights, legacy .h5, export, SavedModel, Keras 2's
# .keras: 0.3 to 25 s a model on the 2-core machine, Keras 2's SavedModel slowest) meet the cases that
# differ in kind: several outputs, time-major, a fixed batch with state, a mask, several inputs.
# LSTM_SPEC_SAVED_ALL=1 runs every case in every format (the whole matrix).
EVERY_CASE = {"keras3-keras", "keras2-h5"}
KINDS = {"page_both", "page_time_major", "stateful", "masking", "initial_state_input"}


def _trip_ids():
    return [(case, saved, reader) for case in catalog.buildable_cases() for saved in formats_written_here()
            if WHOLE_MATRIX or saved.id in EVERY_CASE or case.name in KINDS for reader in saved.readers]


TRIPS = _trip_ids()


def trip_id(trip) -> str:
    """``page_lstm-keras3-keras-load_model``: the case, the format and the reader."""
    return "-".join((trip[0].name, trip[1].id, *trip[2:]))


@pytest.fixture(scope="session")
def saved_folder(tmp_path_factory):
    """Where the round trips write (each deletes its own files once read)."""
    return tmp_path_factory.mktemp("saved")


def cannot(case, saved, reader):
    """What CANNOT (else CANNOT_ANY_CASE) pins for this round trip on this run (step, type, message), or HELD."""
    pinned = cell(CANNOT.get((case.name, saved.id, reader), {}), HELD)
    return pinned if pinned is not HELD else cell(CANNOT_ANY_CASE.get((saved.id, reader), {}), HELD)


def trip_for(case, saved, reader, saved_folder):
    return round_trips(case, saved, saved_folder)[reader]


@pytest.fixture(params=TRIPS, ids=trip_id)
def trip(request, saved_folder):
    """One case saved in one format and read by one reader (the format's files already deleted)."""
    return trip_for(*request.param, saved_folder)


def held(trip):
    """The round trip, when the format holds the model on this run; else skip (``test_cannot_hold`` pins it)."""
    if cannot(trip.case, trip.saved, trip.reader) is not HELD:
        pytest.skip(f"{trip.saved.id} read by {trip.reader} cannot hold {trip.case.name} on {SIDE}: CANNOT pins it")
    if trip.error is not None:
        fail(f"{trip.step} raised {type(trip.error).__name__}: {trip.error} [{trip}]", trip.repro())
    return trip


def test_outputs_are_the_same_bit_for_bit(trip):
    """The model read back gives the outputs of the model saved, bit for bit (a stateful one's from the state
    ``STATE_AFTER_READING`` says it starts at)."""
    trip = held(trip)
    assert_same_outputs(trip.outputs, outputs_saved(trip), trip, trip.repro())


PINNED_TRIPS = [trip for trip in TRIPS if cannot(*trip) is not HELD]


@pytest.mark.parametrize("pinned", PINNED_TRIPS, ids=trip_id)
def test_cannot_hold(pinned, saved_folder):
    """Where a format cannot hold a model, the step that fails and its error are the ones pinned."""
    trip = trip_for(*pinned, saved_folder)
    step, error_type, fragment = cannot(*pinned)
    assert_same("failing step", trip.step, step, trip, trip.repro())

    def reraise():
        raise trip.error

    with assert_raises(error_type, fragment, trip):
        reraise()


def shapes(tensors) -> list[tuple]:
    return [tuple(tensor.shape) for tensor in (tensors if isinstance(tensors, (list, tuple)) else [tensors])]


# Where a model read back has another get_config() than the one saved: [(path, read back, saved)].
# Keras 2's SavedModel does not restore the Masking layer's build_config.
CONFIG_CHANGES = {
    ("masking", "keras2-savedmodel", "load_model"): {
        2: [("layers[1].build_config", MISSING, {"input_shape": [None, 9, 3]})]},
}


def as_json(config: dict) -> dict:
    """A config as its JSON text reads back (tuples become lists, as in every saved file)."""
    return json.loads(json.dumps(config, default=repr))


def test_keras_model_keeps_shapes_config_and_weights(trip):
    """A model read back as a Keras model has the saved one's input and output shapes, config and weight count."""
    trip = held(trip)
    if trip.loaded.model is None:
        pytest.skip(f"{trip.reader} gives a serving function, not a Keras model (its signature is checked below)")
    original, loaded = catalog.built(trip.case).model, trip.loaded.model
    assert_same("input shapes", shapes(loaded.inputs), shapes(original.inputs), trip, trip.repro())
    assert_same("output shapes", shapes(loaded.outputs), shapes(original.outputs), trip, trip.repro())
    changed = differences(as_json(loaded.get_config()), as_json(original.get_config()))
    assert_same("get_config() differences (path, read back, saved)", changed,
                cell(CONFIG_CHANGES.get((trip.case.name, trip.saved.id, trip.reader), {}), []), trip, trip.repro())
    assert_count("len(weights)", len(loaded.weights), len(original.weights), trip, trip.repro())
    assert_count("count_params()", loaded.count_params(), original.count_params(), trip, trip.repro())


# A serving signature's (input shapes, output shapes) where they are not the model's own with the batch None:
# a stateful model's batch is fixed (2), yet Keras 3's export takes None; Keras 2's time-major LSTM traces
# the Input's fixed axis 1 (3, on the page's (2, 3, 9) data) as the batch its output keeps, where the Keras
# model says (None, 5).
SIGNATURE_SHAPES = {
    ("stateful", "keras3-export"): {3: ([(None, 9, 3)], [(2, 5)])},
    ("stateful", "keras2-savedmodel"): {2: ([(2, 9, 3)], [(2, 5)])},
    ("page_time_major", "keras2-savedmodel"): {2: ([(None, 3, 9)], [(3, 5)])},
}
SERVING_TRIPS = [(case, saved, "tf.saved_model.load") for case, saved, reader in TRIPS
                 if reader == "tf.saved_model.load"]


@pytest.mark.parametrize("serving", SERVING_TRIPS, ids=lambda trip: trip_id(trip[:2]))
def test_serving_signature_shapes(serving, saved_folder):
    """The serving signature takes and gives the model's shapes, batch None, except where SIGNATURE_SHAPES says."""
    trip = held(trip_for(*serving, saved_folder))
    signature = trip.loaded.restored.signatures["serving_default"]
    _, named_inputs = signature.structured_input_signature
    inputs = [tuple(spec.shape.as_list()) for spec in named_inputs.values()]
    outputs = [tuple(spec.shape.as_list()) for spec in signature.structured_outputs.values()]
    original = catalog.built(trip.case).model
    own = ([(None, *shape[1:]) for shape in shapes(original.inputs)],
           [(None, *shape[1:]) for shape in shapes(original.outputs)])
    expected_inputs, expected_outputs = cell(SIGNATURE_SHAPES.get((trip.case.name, trip.saved.id), {}), own)
    assert_same("signature input shapes", sorted(inputs, key=str), sorted(expected_inputs, key=str), trip, trip.repro())
    assert_same("signature output shapes", sorted(outputs, key=str), sorted(expected_outputs, key=str), trip,
                trip.repro())


MASKED_TRIPS = [trip for trip in TRIPS if trip[0].masked]


@pytest.mark.parametrize("masked", MASKED_TRIPS, ids=trip_id)
def test_reloaded_model_still_masks(masked, saved_folder):
    """Read back, a masked model still skips the padding: the padded sample repeats step 5's output and state."""
    trip = held(trip_for(*masked, saved_folder))
    sequence, h, _ = trip.outputs
    last = sequence[0, PADDED_FROM - 1]
    assert_same_outputs(tuple(sequence[0, PADDED_FROM:]), (last,) * (sequence.shape[1] - PADDED_FROM), trip,
                        trip.repro())
    assert_same_outputs((h[0],), (last,), trip, trip.repro())


# What a stateful layer's state is after saving and reading back, the model saved holding its first call's
# final h and c: a Keras file keeps the weights and the state starts from zeros again; an export or a SavedModel
# captures the state variables with the weights, so the reloaded model carries on from the saved state.
CARRIED, ZEROS = "carried", "zeros"
STATE_AFTER_READING = {
    ("keras3-keras", "load_model"): {3: ZEROS},
    ("keras3-weights", "load_weights"): {3: ZEROS},
    ("keras3-h5", "load_model"): {3: ZEROS},
    ("keras3-export", "TFSMLayer"): {3: CARRIED},
    ("keras3-export", "tf.saved_model.load"): {3: CARRIED},
    ("keras2-h5", "load_model"): {2: ZEROS},
    ("keras2-keras", "load_model"): {2: ZEROS},
    ("keras2-savedmodel", "load_model"): {2: CARRIED},
    ("keras2-savedmodel", "tf.saved_model.load"): {2: CARRIED},
    ("keras2-weights", "load_weights"): {2: ZEROS},
}
STATEFUL = catalog.CASES["stateful"]


def outputs_saved(trip) -> tuple:
    """What the model saved gives: a stateful one from zeros (its first call) or from the state it was saved
    holding (its second call), as ``STATE_AFTER_READING`` says this reader starts."""
    if not trip.case.stateful:
        return expected_outputs(trip.case)
    starts = cell(STATE_AFTER_READING[(trip.saved.id, trip.reader)])
    return {ZEROS: expected_outputs, CARRIED: carried_outputs}[starts](trip.case)


@pytest.mark.parametrize("saved", formats_written_here(), ids=str)
def test_stateful_state_after_reading_back(saved, saved_folder):
    """A stateful model saved after one call, read back: its first call starts from zeros or from the saved state."""
    readers = [reader for reader in saved.readers if cannot(STATEFUL, saved, reader) is HELD]
    if not readers:
        pytest.skip(f"{saved.id} cannot hold {STATEFUL.name} on {SIDE}: CANNOT pins it")
    first, second = expected_outputs(STATEFUL), carried_outputs(STATEFUL)
    assert_differs("second call", second[0], "first call", first[0], STATEFUL)
    for reader in readers:  # the round trips' own reads: saved once, holding the first call's state
        trip = held(trip_for(STATEFUL, saved, reader, saved_folder))
        observed = {ZEROS: np.array_equal(trip.outputs[0], first[0]),
                    CARRIED: np.array_equal(trip.outputs[0], second[0])}
        starts = [name for name, holds in observed.items() if holds]
        context = f"{STATEFUL} saved as {saved.id} after one call, read by {reader}"
        assert_same("the reloaded state", starts, [cell(STATE_AFTER_READING[(saved.id, reader)])], context,
                    trip.repro())
