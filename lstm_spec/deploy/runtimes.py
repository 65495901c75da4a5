"""The deployment runtimes that install beside each TensorFlow minor: what a history side adds to run specs 48-51.

Specs 48-51 need ai-edge-litert (LiteRT), onnx, onnxruntime, tf2onnx and openvino, none of which is in a side's
own environment.  ``ERAS`` pins, per TensorFlow minor, every package they add beside that minor's history side
(exact pins, the runtimes' own dependencies included) with the reason for those versions; a minor whose side takes
no runtime set says why in ``why`` and pins nothing.  TensorFlow 2.21, the locked one, takes
``requirements/deploy-lock.txt``'s (what it pins beyond ``requirements/lock.txt``).

Each set was resolved with pip against the package index beside the side it goes with, its packages held at the
side's versions (``python3 -m lstm_spec.versions.history_deployment --check 2.15``: the same ``pip install
--constraint`` a history side runs, dry): the runtimes move no package of the side.  ``for_tensorflow`` finds
a version's set.  No TensorFlow import here: the history reads it before any environment exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "lock.txt"
DEPLOY_LOCK = ROOT / "requirements" / "deploy-lock.txt"
RUNTIME_PACKAGES = ("ai-edge-litert", "onnx", "onnxruntime", "tf2onnx", "openvino")


@dataclass(frozen=True)
class Runtimes:
    """The runtime set of one TensorFlow minor: the exact pins a side adds, and why those (or why none)."""

    tensorflow: str  # the minor, "2.15"
    pins: tuple[str, ...]  # every package added beside the side's own, name==version; () where none install
    why: str

    @property
    def installable(self) -> bool:
        return bool(self.pins)


def _pins(text: str) -> dict[str, str]:
    """``{normalized name: line}`` of a lock's ``name==version`` lines."""
    found = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            found[line.split("==", 1)[0].strip().lower().replace("_", "-").replace(".", "-")] = line
    return found


def deploy_lock_pins(lock: Path = LOCK, deploy_lock: Path = DEPLOY_LOCK) -> tuple[str, ...]:
    """What ``deploy_lock`` pins beyond ``lock``: the runtimes and their own dependencies, sorted."""
    locked = _pins(lock.read_text())
    return tuple(sorted(line for name, line in _pins(deploy_lock.read_text()).items() if name not in locked))


# What every set below adds beside the runtimes themselves (ai-edge-litert needs backports.strenum and tqdm,
# openvino openvino-telemetry); each side already has the rest the runtimes need (flatbuffers, ml_dtypes,
# packaging, protobuf, requests, typing-extensions).
_ADDED = ("backports.strenum==1.2.8", "openvino-telemetry==2025.2.0", "tqdm==4.70.1")
# (Resolving proves a set installs, not that it imports: a set's reason says where pip's own pick does not import.)
# onnxruntime 1.32.0 needs protobuf>=4.25.8 and numpy>=1.21.6, ai-edge-litert 2.3.0 numpy>=1.23.2, openvino
# 2026.4.1 numpy<2.6.0, tf2onnx 1.17.0 numpy>=1.23.5 and protobuf>=3.20: all hold beside every TensorFlow from
# 2.12 (protobuf 4.25.9, numpy 1.24.3) to 2.21 (protobuf 7.36.2, numpy 2.4.6).
_NEWEST = ("ai-edge-litert==2.3.0", "onnxruntime==1.32.0", "openvino==2026.4.1", "tf2onnx==1.17.0")


def _era(minors: tuple[str, ...], onnx: str, why: str, *more: str) -> dict[str, Runtimes]:
    """The set of ``minors``: the newest runtimes, onnx at ``onnx``, and ``more`` that their sides lack."""
    pins = tuple(sorted((*_NEWEST, f"onnx=={onnx}", *_ADDED, *more), key=str.lower))
    return {minor: Runtimes(minor, pins, why) for minor in minors}


_ONNX_1_17 = ("onnx 1.17.0: TensorFlow 2.12 and 2.13 require typing-extensions<4.6.0, and onnx 1.18 on requires "
              "typing_extensions>=4.7.1; the newest of the other runtimes install (numpy 1.24.3, protobuf 4.25.9)")
ERAS: dict[str, Runtimes] = {
    # onnx is the one runtime whose newest release does not install beside every TensorFlow: each onnx release
    # raises a floor that one of TensorFlow's own ceilings refuses (onnx's METADATA against TensorFlow's).
    **_era(("2.12",), "1.17.0", _ONNX_1_17),
    # TensorFlow 2.13 (unlike 2.12, through jax) brings no ml_dtypes, which ai-edge-litert needs.
    **_era(("2.13",), "1.17.0", _ONNX_1_17, "ml_dtypes==0.5.4"),
    **_era(("2.14", "2.15", "2.16", "2.17"), "1.18.0",
           "onnx 1.18.0: TensorFlow 2.14-2.17 require ml-dtypes<0.5 (2.14: ==0.2.0); onnx 1.19.0 installs beside it "
           "(pip picks it) but fails to import (AttributeError: module 'ml_dtypes' has no attribute 'float4_e2m1fn', "
           "seen on the TF 2.15.1 side), and 1.20 on requires ml_dtypes>=0.5.0; the newest of the other runtimes "
           "install (numpy 1.26.4, protobuf 4.25.9)"),
    **_era(("2.18", "2.19"), "1.22.0",
           "onnx 1.22.0: TensorFlow 2.18 and 2.19 require protobuf<6, and onnx 1.23 on requires protobuf>=6.31.1; "
           "the newest of the other runtimes install (protobuf 5.29.6)"),
    **_era(("2.20",), "1.23.2",
           "the newest of each runtime, the versions of requirements/deploy-lock.txt: TensorFlow 2.20 bounds neither "
           "protobuf nor NumPy from above"),
}


def _locked() -> Runtimes:
    return Runtimes("2.21", deploy_lock_pins(),
                    "requirements/deploy-lock.txt: what it pins beyond requirements/lock.txt (TensorFlow 2.21.0, "
                    "Keras 3.15.1, NumPy 2.4.6, protobuf 7.36.2), the versions `matrix deploy` runs")


def minor_of(version: str) -> str:
    """``2.15.1`` -> ``2.15``."""
    return ".".join(version.split(".")[:2])


def for_tensorflow(version: str | None) -> Runtimes:
    """The runtime set of the TensorFlow ``version`` (a release, ``2.15.1``, or a minor); pins nothing, saying why,
    for a minor without one (or no TensorFlow)."""
    if version is None:
        return Runtimes("?", (), "the side names no TensorFlow release, so no runtime set can be chosen for it")
    minor = minor_of(version)
    if minor == "2.21":
        return _locked()
    if minor in ERAS:
        return ERAS[minor]
    return Runtimes(minor, (), f"no runtime set is pinned for TensorFlow {minor} (lstm_spec/deploy/runtimes.py "
                               f"pins {', '.join([*ERAS, '2.21'])}): add one, checked with --check {minor}")


def every_set() -> list[Runtimes]:
    """Every minor's set, oldest first."""
    sets = [*ERAS.values(), _locked()]
    return sorted(sets, key=lambda found: tuple(int(part) for part in found.tensorflow.split(".")))
