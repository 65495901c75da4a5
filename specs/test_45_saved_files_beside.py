"""Loading a saved model leaves the files beside it as they were, but a `.keras` load on Keras 3.4 deletes one.

Users keep a model and its weights side by side under Keras' own names, ``model.keras`` and
``model.weights.h5``.  Here the page's LSTM(5) model is saved in each file format of its era that
``load_model`` reads, a ``model.weights.h5`` of the user's own is put beside it, and the model is loaded
back: the file beside must be there afterwards, byte for byte.  Keras 3.4 reads a ``.keras`` file by
extracting the ``model.weights.h5`` inside it into the file's own folder, then deleting it
(``keras/src/saving/saving_lib.py``, ``_load_model_from_fileobj``): the user's file of that name is
overwritten, then gone.  Keras 3.5 extracts into a temporary file of its own name.  The history's
saved-model reads found it (``docs/history.md``): on Keras 3.4.1 the committed weights files beside each
``model.keras`` had gone.
"""

import pytest

from lstm_spec.checks.assertions import assert_same
from lstm_spec.models.compat import KERAS_RELEASE
from lstm_spec.models.era import KERAS_DISTRIBUTION, KERAS_VERSION
from lstm_spec.saving import catalog
from lstm_spec.saving.formats import formats_written_here, load
from lstm_spec.saving.side import BUILDERS_BUILD_THE_KERAS_UNDER_TEST, NOT_UNDER_TEST

pytestmark = pytest.mark.skipif(not BUILDERS_BUILD_THE_KERAS_UNDER_TEST, reason=NOT_UNDER_TEST)

PAGE = catalog.CASES["page_lstm"]
BESIDE = "model.weights.h5"  # the name Keras gives the weights inside a .keras file, and save_weights' own
USERS_FILE = b"the user's own file, which no load should touch\n"
MODEL_FILES = [saved for saved in formats_written_here() if "load_model" in saved.readers and not saved.is_folder]
# (Keras distribution, its (major, minor), format) -> what a load there does to the file beside, and why
TAKES_THE_FILE_BESIDE = {
    ("keras", (3, 4), "keras3-keras"): "Keras 3.4 extracts the .keras file's model.weights.h5 into the file's "
                                      "folder to read it, then deletes it (3.5 uses a temporary file)",
}


def _told(saved) -> str | None:
    return TAKES_THE_FILE_BESIDE.get((KERAS_DISTRIBUTION, KERAS_RELEASE, saved.id))


@pytest.mark.parametrize("saved", MODEL_FILES, ids=str)
def test_loading_a_model_leaves_the_file_beside_it(saved, tmp_path):
    """A file of the user's named model.weights.h5 beside the saved model is there, unchanged, after load_model."""
    path = saved.write(catalog.built(PAGE).model, tmp_path / "saved")
    beside = path.parent / BESIDE
    beside.write_bytes(USERS_FILE)
    load(saved, path, PAGE, "load_model")
    left = beside.read_bytes() if beside.exists() else "(gone)"
    why = _told(saved)
    context = f"{saved} read by load_model on {KERAS_DISTRIBUTION} {KERAS_VERSION}" + (f"; told: {why}" if why else "")
    repro = "\n".join([saved.repro(PAGE, "load_model"), f"# with a file {BESIDE!r} of your own beside {path.name!r}"])
    assert_same(f"the file {BESIDE} beside {path.name} after load_model", left, "(gone)" if why else USERS_FILE,
                context, repro)
