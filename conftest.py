"""Fixtures shared by every spec: the configuration axes and per-spec seeding.

The ``snapshot`` fixture is syrupy's, with ``lstm_spec.checks.snapshot.ArraySnapshotExtension`` made its
default in ``pytest.ini``.

The axes are named, parametrized fixtures; their ids read as the configuration
(``LSTM(units=5,return_state=True)-batch=2-seq=9-features=3``).  A spec that documents one option
fixes it by parametrizing the fixture directly::

    @pytest.mark.parametrize("lstm", lstm_grid(return_sequences=True), ids=str)
"""

import functools
import gc
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up chatter out of the output
# TensorFlow's import makes ~450k objects that live to the end of the run; the collector walking them while
# they are made took ~0.9 s of the spec run.  It resumes once the specs are collected (``_collector_back``).
gc.disable()

import platform  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from lstm_spec.models.configs import INPUT_GRID, UNITS_GRID, lstm_grid  # noqa: E402
from lstm_spec.models.era import KERAS_DISTRIBUTION, LEGACY_KERAS, installed_version  # noqa: E402

# --outline (the run as a documentation outline), docs/shapes.md (recorded runs, staleness check),
# behaviour markers and --case, and --snapshot-update that deletes only after a complete run.
pytest_plugins = ["lstm_spec.living_docs.outline", "lstm_spec.living_docs.selection",
                  "lstm_spec.living_docs.shapes_page", "lstm_spec.checks.snapshot_cleanup"]
# docs/keras-vs-pytorch.md: the PyTorch specs' runs, checked where PyTorch is installed.
pytest_plugins += ["lstm_spec.living_docs.keras_vs_pytorch"]
# docs/saved-models.md: the saving specs' tables (specs 43, 44), kept like docs/shapes.md.
pytest_plugins += ["lstm_spec.living_docs.saved_models_page"]
# A run that builds a layer class whose defaults specs/test_17 does not pin fails, naming it.
pytest_plugins += ["lstm_spec.checks.defaults_coverage"]
# What the deploy specs observed, per format, path and case (--deployment-record=PATH writes it).
pytest_plugins += ["lstm_spec.deploy.observed"]
pytest_plugins += ["lstm_spec.living_docs.deployment_page"]  # docs/deployment.md, kept in matrix deploy

FRESH_PROCESS = pytest.StashKey()


def pytest_report_header(config):
    from lstm_spec.models.quiet_start import tensorflow_devices

    devices = ", ".join(tensorflow_devices()) or "none"
    versions = ", ".join(
        f"{package} {installed_version(package)}" for package in ("tensorflow", KERAS_DISTRIBUTION, "numpy")
    )
    header = [f"LSTM shape specs on {versions}, Python {platform.python_version()}"]
    if LEGACY_KERAS:  # `import keras` still reaches the Keras 3 installed beside tf-keras: say which one is tested
        header.append(f"TF_USE_LEGACY_KERAS=1: tf.keras is tf-keras, under test; keras {installed_version('keras')} "
                      "beside it is not")
    return [*header, f"devices: {devices}"]


def _collector_back():
    """Resumes the collector paused during the imports, leaving what they and collection made out of its sight
    (``gc.freeze``): it lives to the end of the run, and the specs' collections then walk only what specs make."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    _collector_back()  # an xdist controller collects nothing


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    # What a spec module leaves alive (cached runs, built models, files read) mostly lives to the end of the run,
    # and every full collection after it walked it again: 1.1-1.8 s of the run, most in the TFLite converter's
    # own gc.collect() calls (spec 48).  Frozen as the module ends, the collector walks only what later modules
    # make; a module's cyclic garbage not yet collected stays, ~25 MB over the run.
    if nextitem is None or getattr(nextitem, "module", None) is not getattr(item, "module", None):
        gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    # The interpreter's exit collects every generation: ~300k objects the specs made (models, loaded files),
    # 0.5-0.9 s of walking to free memory the process hands back whole.  Frozen, they are left to the exit.
    gc.freeze()


def pytest_collection_finish(session):
    _collector_back()
    # Start the fresh-process run now, so its TensorFlow import overlaps the other specs.
    # xdist workers start it when their first spec asks (each runs only some specs).
    wanted = any("fresh_process_weights" in getattr(item, "fixturenames", ()) for item in session.items)
    if wanted and not hasattr(session.config, "workerinput"):
        from lstm_spec.models.fresh_process import FreshProcessWeights

        session.config.stash[FRESH_PROCESS] = FreshProcessWeights()


@pytest.fixture(scope="session")
def fresh_process_weights(request):
    """The seeded page LSTM's weights as built by another Python process."""
    from lstm_spec.models.fresh_process import FreshProcessWeights

    process = request.config.stash.get(FRESH_PROCESS, None) or FreshProcessWeights()
    yield process.result()
    process.close()


@pytest.fixture(scope="session")
def migrated_once(tmp_path_factory):
    """``migrated_once(path)``: the committed Keras 2 model file at ``path`` migrated (``suite.py migrate``) and saved
    as ``.keras``, once per session: (the ``Migrated`` result, the saved file).  Specs 46 and 47 share each one."""
    from lstm_spec.own_model.migrate import migrated
    from lstm_spec.own_model.model_file import identify

    folder = tmp_path_factory.mktemp("migrated")

    @functools.lru_cache(maxsize=None)
    def migrate(path):
        result = migrated(identify(str(path)))
        saved = Path(tempfile.mkdtemp(dir=folder)) / "migrated.keras"
        result.model.save(str(saved))
        return result, saved

    return migrate


@pytest.fixture
def pinned_snapshot(snapshot):
    """A snapshot for values from pinned weights, stored in ``__snapshots__/pinned/`` (not in the era's seeded folder)."""
    from lstm_spec.checks.snapshot import PinnedArraySnapshotExtension

    return snapshot.use_extension(PinnedArraySnapshotExtension)


@pytest.fixture(scope="session", autouse=True)
def eager_calls_as_inference():
    """Specs call models eagerly as inference, as ``predict()`` does: under ``torch.no_grad()`` on PyTorch."""
    from lstm_spec.models.backend import inference

    with inference():
        yield


@pytest.fixture(autouse=True)
def fresh_keras_session():
    """Every spec starts from a cleared Keras session and the suite's seed."""
    from lstm_spec.models.builders import fresh_keras

    fresh_keras()


@pytest.fixture(params=INPUT_GRID, ids=str)
def input_dims(request):
    """(batch, seq_len, features) of the input: the page's (2, 9, 3) and edge points."""
    return request.param


@pytest.fixture(params=UNITS_GRID, ids=lambda units: f"units={units}")
def units(request):
    """The layer width: the page's 5 units, one unit, and a wide 64."""
    return request.param


@pytest.fixture(params=lstm_grid(), ids=str)
def lstm(request):
    """An LSTM configuration: units over the width grid, every return_sequences/return_state pair."""
    return request.param


@pytest.fixture
def lstm_run(lstm, input_dims):
    """The LSTM built with the suite's seed and called on seeded data of ``input_dims``."""
    from lstm_spec.models.builders import run_recurrent

    return run_recurrent(lstm, input_dims)
