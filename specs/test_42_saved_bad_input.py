"""Damaged saved files and weights of another model: what each era says when it reads them.

The page's LSTM(5) model is saved in each file format its era writes (``lstm_spec.saving.formats``), then
read back truncated to half its bytes, or corrupted (every byte after the first 64 inverted), by the
format's own reader; and its file is loaded with ``load_weights`` into models of another architecture.
``TOLD`` pins each answer per era (and backend or tf-keras where they differ): the exception type and the
key part of its message.  Some are clear (HDF5 names a truncated file); Keras 3 says a damaged ``.keras``
is "not found" and Keras 2 reads it as HDF5; a weights file carries no architecture, so weights of the same
shapes load silently into a model that returns sequences.
"""

from pathlib import Path

import pytest

from lstm_spec.checks.assertions import assert_raises, assert_same_outputs
from lstm_spec.saving import catalog
from lstm_spec.saving.formats import READERS, formats_written_here, load
from lstm_spec.saving.side import BUILDERS_BUILD_THE_KERAS_UNDER_TEST, NOT_UNDER_TEST, cell

pytestmark = pytest.mark.skipif(not BUILDERS_BUILD_THE_KERAS_UNDER_TEST, reason=NOT_UNDER_TEST)

PAGE = catalog.CASES["page_lstm"]
FILES = [saved for saved in formats_written_here() if not saved.is_folder]
ACCEPTED = "accepted: loads without an error"
KERAS_ZIP = "Please ensure the file is an accessible `.keras` zip file."
HDF5_TRUNCATED = "Unable to synchronously open file (truncated file: eof = "
HDF5_NO_SIGNATURE = "Unable to synchronously open file (file signature not found)"
HDF5_CORRUPTED = "Unable to synchronously open file (unknown symbol table entry cache type)"
K3_CELL_VARIABLES = "Layer '{}' expected 3 variables, but received 0 variables during loading."
K3_OBJECTS = "A total of 1 objects could not be loaded."
K2_CELL_VARIABLES = "Layer '{}' expected 3 variables, but received 0 variables during loading."
H5_LAYER_COUNT = "Layer count mismatch when loading weights from file. Model expected 2 layers, found 1 saved layers."
K2_GRU_BIAS = "Invalid bias shape: (20,)"


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def corrupted(data: bytes) -> bytes:
    return data[:64] + bytes(byte ^ 0xFF for byte in data[64:])


DAMAGES = {"truncated": truncated, "corrupted": corrupted}
# (format, damage): {column: (exception type, the key part of its message)}
TOLD = {
    ("keras3-keras", "truncated"): {3: (ValueError, KERAS_ZIP)},
    ("keras3-keras", "corrupted"): {3: (ValueError, KERAS_ZIP)},
    ("keras3-weights", "truncated"): {3: (OSError, HDF5_TRUNCATED)},
    ("keras3-weights", "corrupted"): {3: (OSError, HDF5_CORRUPTED)},
    ("keras3-h5", "truncated"): {3: (OSError, HDF5_TRUNCATED)},
    ("keras3-h5", "corrupted"): {3: (OSError, HDF5_CORRUPTED)},
    ("keras2-h5", "truncated"): {2: (OSError, HDF5_TRUNCATED)},
    ("keras2-h5", "corrupted"): {2: (OSError, HDF5_CORRUPTED)},
    # Keras 2 reads a .keras that is not a zip file as a legacy HDF5 file, and h5py finds no HDF5 signature.
    ("keras2-keras", "truncated"): {2: (OSError, HDF5_NO_SIGNATURE)},
    ("keras2-keras", "corrupted"): {2: (OSError, HDF5_NO_SIGNATURE)},
    ("keras2-weights", "truncated"): {2: (OSError, HDF5_TRUNCATED)},
    ("keras2-weights", "corrupted"): {2: (OSError, HDF5_CORRUPTED)},
}
# (format, the case whose model loads the page LSTM's file with load_weights): {column: told}
OTHER_ARCHITECTURE = {
    ("keras3-keras", "gru_reset_after"): {3: (ValueError, K3_CELL_VARIABLES.format("gru_cell"))},
    ("keras3-keras", "stacked"): {3: (ValueError, K3_OBJECTS)},
    ("keras3-keras", "page_return_sequences"): {3: ACCEPTED},
    ("keras3-weights", "gru_reset_after"): {3: (ValueError, K3_CELL_VARIABLES.format("gru_cell"))},
    ("keras3-weights", "stacked"): {3: (ValueError, K3_OBJECTS)},
    ("keras3-weights", "page_return_sequences"): {3: ACCEPTED},
    ("keras3-h5", "gru_reset_after"): {3: (ValueError, "Shape mismatch in layer #0 (named gru)for weight "
                                                      "gru/gru_cell/kernel. Weight expects shape (3, 15). "
                                                      "Received saved weight with shape (3, 20)")},
    ("keras3-h5", "stacked"): {3: (ValueError, H5_LAYER_COUNT)},
    ("keras3-h5", "page_return_sequences"): {3: ACCEPTED},
    # Keras 2's HDF5 weights reader converts the LSTM's (20,) bias for a GRU and finds no GRU bias of that shape.
    ("keras2-h5", "gru_reset_after"): {2: (ValueError, K2_GRU_BIAS)},
    ("keras2-h5", "stacked"): {2: (ValueError, H5_LAYER_COUNT)},
    ("keras2-h5", "page_return_sequences"): {2: ACCEPTED},
    ("keras2-keras", "gru_reset_after"): {2: (ValueError, K2_CELL_VARIABLES.format("gru_cell"))},
    ("keras2-keras", "stacked"): {2: (ValueError, K2_CELL_VARIABLES.format("lstm_cell"))},
    ("keras2-keras", "page_return_sequences"): {2: ACCEPTED},
    ("keras2-weights", "gru_reset_after"): {2: (ValueError, K2_GRU_BIAS)},
    ("keras2-weights", "stacked"): {2: (ValueError, H5_LAYER_COUNT)},
    ("keras2-weights", "page_return_sequences"): {2: ACCEPTED},
}


@pytest.fixture(scope="module", params=FILES, ids=str)
def page_file(request, tmp_path_factory) -> tuple:
    """The page's LSTM(5) model saved in one file format of this era, once for the module, in a folder of its
    own (a spec reads it, or writes a damaged copy beside it, and never changes it)."""
    return request.param, request.param.write(catalog.built(PAGE).model, tmp_path_factory.mktemp(request.param.id))


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_file(page_file, damage):
    """A truncated or corrupted file is refused with the error pinned for its format and era."""
    saved, path = page_file
    damaged = path.with_name(f"{damage}-{path.name}")
    damaged.write_bytes(DAMAGES[damage](path.read_bytes()))
    error_type, fragment = cell(TOLD[(saved.id, damage)])
    with assert_raises(error_type, fragment, f"{PAGE.name} saved as {saved.id}, {damage}, read back"):
        load(saved, damaged, PAGE)


@pytest.mark.parametrize("other", ["gru_reset_after", "stacked", "page_return_sequences"])
def test_weights_of_another_architecture(page_file, other):
    """The page LSTM's file loaded with load_weights into another model: refused as pinned, or accepted."""
    saved, path = page_file
    told = cell(OTHER_ARCHITECTURE[(saved.id, other)])
    context = f"{PAGE.name} saved as {saved.id}, loaded with load_weights into {catalog.CASES[other]}"
    if told == ACCEPTED:
        loaded = READERS["load_weights"].load(Path(path), catalog.CASES[other])
        page_weights = catalog.built(PAGE).model.get_weights()
        assert_same_outputs(tuple(loaded.model.get_weights()), tuple(page_weights), context)
        return
    error_type, fragment = told
    with assert_raises(error_type, fragment, context):
        READERS["load_weights"].load(Path(path), catalog.CASES[other])
