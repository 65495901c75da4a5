"""Which Keras is installed, read from package metadata so that nothing heavy is imported.

Keras 2 (TensorFlow <= 2.15) and Keras 3 (TensorFlow >= 2.16) differ by design in places the
suite documents (``time_major``, the random stream, ``model.summary()``); specs key such
expectations by ``KERAS_ERA``.
"""

from importlib.metadata import PackageNotFoundError, version


def installed_version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


# keras-nightly installs the same ``keras`` package under another distribution name.
KERAS_DISTRIBUTION = "keras" if installed_version("keras") != "not installed" else "keras-nightly"
KERAS_VERSION = installed_version(KERAS_DISTRIBUTION)
KERAS_ERA = int(KERAS_VERSION.split(".")[0]) if KERAS_VERSION[0].isdigit() else 0

# The sequence type in which a layer or model returns several tensors (return_state=True,
# Bidirectional with merge_mode=None or return_state=True).
SEVERAL_OUTPUTS_TYPE = {2: list, 3: tuple}
