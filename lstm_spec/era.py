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


KERAS_VERSION = installed_version("keras")
KERAS_ERA = int(KERAS_VERSION.split(".")[0]) if KERAS_VERSION[0].isdigit() else 0
