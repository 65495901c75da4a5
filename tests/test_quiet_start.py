"""The quiet start: TensorFlow's C++ start-up lines are dropped from fd 2, every other line is kept."""

import os
import sys
from pathlib import Path

import pytest

from lstm_spec.models.quiet_start import filtered_stderr, is_chatter

ROOT = Path(__file__).resolve().parents[1]

# Lines as TensorFlow 2.21 (absl) and 2.15 write them while loading on a machine without a GPU.
STARTUP_CHATTER = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1795904446.540467    7581 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.",
    "I0000 00:00:1795904449.125668    7581 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.",
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.",
    "E0000 00:00:1795904684.140099   11488 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)",
    "2026-11-28 22:38:04.776365: E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:9261] Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered",
    "2026-11-28 22:38:04.900000: W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could not find TensorRT",
]
REAL_ERRORS = [
    "E0000 00:00:1795904684.140099   11488 op_kernel.cc:1830] OP_REQUIRES failed at matmul_op.cc:120",
    "Traceback (most recent call last):",
    "ImportError: libcudart.so.12: cannot open shared object file",
]


@pytest.mark.parametrize("line", STARTUP_CHATTER)
def test_startup_chatter_is_recognised(line):
    """Each start-up line TensorFlow writes on a machine without a GPU is chatter."""
    assert is_chatter(line), f"not recognised as start-up chatter: {line!r}"


@pytest.mark.parametrize("line", REAL_ERRORS)
def test_real_errors_are_not_chatter(line):
    """Errors other than the failed cuInit, and Python's own messages, are kept."""
    assert not is_chatter(line), f"a real error would be dropped: {line!r}"


def test_filtered_stderr_drops_chatter_and_writes_back_the_rest(capfd):
    """Written to file descriptor 2 inside the block, chatter disappears and every other line comes out, in order."""
    with filtered_stderr():
        os.write(2, "\n".join([STARTUP_CHATTER[0], REAL_ERRORS[0], STARTUP_CHATTER[1], REAL_ERRORS[2], ""]).encode())
    assert [REAL_ERRORS[0], REAL_ERRORS[2]] == capfd.readouterr().err.splitlines()


def import_the_backend(folder):
    """A fresh process that imports lstm_spec.models.backend, as the xdist controller does."""
    return {"args": [sys.executable, "-c", "import lstm_spec.models.backend"], "cwd": ROOT}


@pytest.mark.starts_early.with_args(import_the_backend)
def test_importing_the_backend_module_prints_no_startup_chatter(fresh_process):
    """A fresh process that imports lstm_spec.models.backend (as the xdist controller does) prints no C++ start-up line."""
    finished = fresh_process(import_the_backend)
    assert 0 == finished.returncode, finished.stderr
    assert [] == [line for line in finished.stderr.splitlines() if is_chatter(line)]
