"""The JAX, PyTorch, tf-keras and deploy locks are the locked default plus their engine (or Keras), and the Keras 2 deploy
locks are keras2's and tf-keras's plus the ONNX runtimes, so they differ by nothing else."""

import pytest

from lstm_spec.versions.sides import LOCKS
from lstm_spec.versions.pins import lock_pins

# What each backend's lock adds to requirements/lock.txt: the engine and what the engine needs.
ENGINE = {
    "jax": {"jax", "jaxlib"},
    "torch": {"torch", "filelock", "fsspec", "jinja2", "markupsafe", "mpmath", "networkx", "sympy",
              "typing-extensions"},
    "tf-keras": {"tf-keras"},
    "deploy": {"ai-edge-litert", "backports-strenum", "onnx", "onnxruntime", "openvino", "openvino-telemetry",
               "tf2onnx", "tqdm"},
    "deploy-keras2": {"onnx", "onnxruntime", "tf2onnx"},
    "deploy-tf-keras": {"onnx", "onnxruntime", "tf2onnx"},
}
# The lock each one adds to, where not requirements/lock.txt.
BASE = {"deploy-keras2": "keras2", "deploy-tf-keras": "tf-keras"}
# Keras 3's export on its other backends: the backend's engine plus the exporters and runtimes (spec 53).
ONNX_AND_OPENVINO = {"onnx", "onnx-ir", "onnxruntime", "openvino", "openvino-telemetry"}
ENGINE["deploy-torch"] = ENGINE["torch"] | ONNX_AND_OPENVINO | {"onnxscript"}
# jax2onnx 0.17.1 brings flax, equinox, orbax and huggingface_hub with it.
ENGINE["deploy-jax"] = ENGINE["jax"] | ONNX_AND_OPENVINO | {
    "jax2onnx", "aiofiles", "anyio", "chex", "click", "dataclasses-json", "dm-pix", "einops", "equinox", "etils",
    "flax", "fsspec", "h11", "hf-xet", "httpcore2", "httpx2", "huggingface-hub", "jaxtyping", "marshmallow", "mpmath",
    "msgpack", "mypy-extensions", "netron", "optax", "orbax-checkpoint", "orbax-export", "psutil", "pyyaml",
    "simplejson", "sympy", "tensorstore", "toolz", "tqdm", "treescope", "truststore", "typing-inspect", "uvloop",
    "wadler-lindig", "zipp"}


@pytest.mark.parametrize("backend", sorted(ENGINE), ids=str)
def test_a_backend_lock_is_the_default_lock_plus_its_engine(backend):
    """Every pin of requirements/lock.txt (or of the lock in BASE) is in the backend's lock at the same version; the
    rest is the engine."""
    base = LOCKS[BASE.get(backend, "locked")]
    default, with_engine = lock_pins(base.read_text()), lock_pins(LOCKS[backend].read_text())
    missing_or_other = {name: pin for name, pin in default.items() if with_engine.get(name) != pin}
    assert {} == missing_or_other, (
        f"requirements/{LOCKS[backend].name} lacks or moves these pins of {base.name}: re-pin them there too")
    assert set() == set(with_engine) - set(default) - ENGINE[backend]


@pytest.mark.parametrize("lock", ["torch", "deploy-torch"])
def test_the_torch_lock_pins_the_cpu_wheel(lock):
    """torch is pinned exactly to the CPU build (a range, or another version, pulls a multi-GB CUDA build)."""
    assert "torch==2.13.0+cpu" == lock_pins(LOCKS[lock].read_text())["torch"]
