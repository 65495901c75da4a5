"""The release lines ``history`` walks by default, and where each TensorFlow release's Keras comes from.

Four lines, each in release order, each release named as ``lstm_spec.versions.sides.resolve`` reads it:

- ``tensorflow``: the newest patch of every TensorFlow 2.12 to 2.21, with the Keras it brings: Keras 2
  through 2.15 (TensorFlow requires it); from 2.16 on, the Keras 3 release that was current when that
  TensorFlow came out (``KERAS_WHEN_RELEASED``), since that is what its users have;
- ``keras``: the newest patch of every Keras 3.0 to 3.15, on the locked TensorFlow;
- ``tf-keras``: every tf-keras release (the newest of each minor) on the TensorFlow of the same minor,
  read through ``TF_USE_LEGACY_KERAS=1``;
- ``keras-nightly``: the newest keras-nightly, on the locked TensorFlow.

No TensorFlow import here.
"""

from __future__ import annotations

from dataclasses import dataclass

# TensorFlow release -> (its upload to PyPI, the newest Keras 3 release uploaded before it, that Keras'
# upload). Source: the upload-time of each release's files in PyPI's JSON simple API
# (https://pypi.org/simple/tensorflow/ and /keras/, PEP 691), read 2026-12-04. Each pairing also
# satisfies the release's own requirement (METADATA: 2.16 keras>=3.0.0, 2.17 >=3.2.0, 2.18 on >=3.5.0).
KERAS_WHEN_RELEASED = {
    "2.16.2": ("2024-06-28", "3.4.1", "2024-06-26"),
    "2.17.1": ("2024-10-24", "3.6.0", "2024-10-03"),
    "2.18.1": ("2025-03-12", "3.9.0", "2025-03-04"),
    "2.19.1": ("2025-08-13", "3.11.2", "2025-08-11"),
    "2.20.0": ("2025-08-13", "3.11.2", "2025-08-11"),
    "2.21.0": ("2026-03-06", "3.13.2", "2026-01-30"),
}
KERAS2_TENSORFLOWS = ("2.12.1", "2.13.1", "2.14.1", "2.15.1")
KERAS3_RELEASES = ("3.0.5", "3.1.1", "3.2.1", "3.3.3", "3.4.1", "3.5.0", "3.6.0", "3.7.0", "3.8.0", "3.9.2",
                   "3.10.0", "3.11.3", "3.12.4", "3.13.2", "3.14.1", "3.15.1")
# tf-keras release -> the TensorFlow of its minor it runs on (the newest patch of that minor).
TF_KERAS_TENSORFLOW = {"2.14.1": "2.14.1", "2.15.1": "2.15.1", "2.16.0": "2.16.2", "2.17.0": "2.17.1",
                       "2.18.0": "2.18.1", "2.19.0": "2.19.1", "2.20.1": "2.20.0", "2.21.0": "2.21.0"}


@dataclass(frozen=True)
class Release:
    """One release of one line: the line, the release's own number, and the side name that installs it."""

    line: str
    release: str
    name: str


LINES = {
    "tensorflow": [Release("tensorflow", version, version) for version in KERAS2_TENSORFLOWS]
    + [Release("tensorflow", version, f"tensorflow=={version},keras=={keras}")
       for version, (_, keras, _) in KERAS_WHEN_RELEASED.items()],
    "keras": [Release("keras", version, version) for version in KERAS3_RELEASES],
    "tf-keras": [Release("tf-keras", version, f"tensorflow=={tensorflow},tf-keras=={version}")
                 for version, tensorflow in TF_KERAS_TENSORFLOW.items()],
    "keras-nightly": [Release("keras-nightly", "nightly", "keras-nightly")],
}
DEFAULT = [release for line in LINES.values() for release in line]
# A line of one release is compared with the release it follows on another line.
FOLLOWS = {"keras-nightly": LINES["keras"][-1]}


def find(handle: str) -> list[Release]:
    """The releases a command-line handle names: a line (``keras``), ``line:release`` (``keras:3.4.1``),
    or a release's own number or side name (``2.13.1``); [] when it names none."""
    if handle in LINES:
        return list(LINES[handle])
    line, _, release = handle.rpartition(":")
    return [known for known in DEFAULT if (not line or known.line == line) and release in (known.release, known.name)]
