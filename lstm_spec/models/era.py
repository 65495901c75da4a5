"""Which Keras is under test, read from the environment and package metadata so that nothing heavy is imported.

Keras 2 (TensorFlow <= 2.15) and Keras 3 (TensorFlow >= 2.16) differ by design in places the
suite documents (``time_major``, the random stream, ``model.summary()``); specs key such
expectations by ``KERAS_ERA``.  Keras 2 also lives on beside TensorFlow >= 2.16 as tf-keras
(``TF_USE_LEGACY_KERAS=1``, ``lstm_spec.models.keras_under_test``): era 2, and where it differs from
Keras 2.15 a table adds a ``"tf-keras"`` cell (``KERAS_FLAVOUR``, chosen by ``era_key``).
"""

import os
import re
from importlib.metadata import PackageNotFoundError, version


def installed_version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def release_of(version_text: str) -> tuple[int, ...]:
    """A version's (major, minor) as numbers, for comparisons: "3.16.0.dev2026102704" is (3, 16); () when there is
    none ("not installed")."""
    return tuple(int(number) for number in re.findall(r"\d+", version_text)[:2])


# TensorFlow's own test (tensorflow/python/util/lazy_loader.py, 2.16 on): these spellings and no others.
LEGACY_KERAS = os.environ.get("TF_USE_LEGACY_KERAS") in ("true", "True", "1")
TF_KERAS = "tf-keras"

# keras-nightly installs the same ``keras`` package under another distribution name; under
# TF_USE_LEGACY_KERAS the Keras under test is tf-keras, whatever Keras 3 is installed beside it.
if LEGACY_KERAS:
    KERAS_DISTRIBUTION = TF_KERAS
else:
    KERAS_DISTRIBUTION = "keras" if installed_version("keras") != "not installed" else "keras-nightly"
KERAS_VERSION = installed_version(KERAS_DISTRIBUTION)
KERAS_ERA = int(KERAS_VERSION.split(".")[0]) if KERAS_VERSION[0].isdigit() else 0
# The column a table keyed by era gives this run where tf-keras has a cell of its own (else the era's).
KERAS_FLAVOUR = TF_KERAS if KERAS_DISTRIBUTION == TF_KERAS else KERAS_ERA
# How a message names the Keras under test: "Keras 3", "Keras 2" or "tf-keras 2.21.0".
KERAS_NAME = f"tf-keras {KERAS_VERSION}" if KERAS_DISTRIBUTION == TF_KERAS else f"Keras {KERAS_ERA}"


def era_key(table: dict):
    """The key of ``table``'s entry for this run: ``"tf-keras"`` under tf-keras when the table has that
    cell (where tf-keras differs from Keras 2.15), else ``KERAS_ERA``."""
    return KERAS_FLAVOUR if KERAS_FLAVOUR in table else KERAS_ERA


def for_this_era(table: dict):
    """``table[era_key(table)]``: a table keyed by Keras era, with a ``"tf-keras"`` cell where tf-keras differs."""
    return table[era_key(table)]


# The sequence type in which a layer or model returns several tensors (return_state=True,
# Bidirectional with merge_mode=None or return_state=True).
SEVERAL_OUTPUTS_TYPE = {2: list, 3: tuple}
