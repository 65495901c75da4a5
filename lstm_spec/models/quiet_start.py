"""TensorFlow started without its C++ start-up lines, so a run's output begins with its own header.

TensorFlow's C++ logging writes to file descriptor 2 while the library loads and finds its
devices: ``WARNING: All log messages before absl::InitializeLog() ...``, ``I0000 ... cudart_stub.cc``,
``cpu_feature_guard.cc``, and on a machine without a GPU ``E0000 ... failed call to cuInit``
(TensorFlow 2.15: ``Unable to register cuDNN factory``).  ``TF_CPP_MIN_LOG_LEVEL`` cannot silence
them on TensorFlow 2.21, set in the environment before the process starts included: absl writes
them before TensorFlow applies it (level 3 still leaves the ``I0000`` lines).  So the import and
the device search run with fd 2 captured, and every captured line that is not known start-up
chatter is written back: a real error still shows.  The ``devices:`` line of the header says
what TensorFlow found.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from contextlib import contextmanager

# Lines of the start-up that say nothing a reader of the suite needs; anything else is kept.
CHATTER = re.compile("|".join([
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    r"I\d{4} [\d:. ]+\d+ \S+:\d+\] ",  # absl INFO lines (cudart_stub, cpu_feature_guard)
    r"To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\.",
    r"E\d{4} [\d:. ]+\d+ cuda_platform\.cc:\d+\] failed call to cuInit",  # no GPU here
    r"\S+ \S+: [IW] \S+\] ",  # TensorFlow 2.15's own INFO and WARNING lines
    r"\S+ \S+: E \S+\] Unable to register cu(DNN|FFT|BLAS) factory",  # TensorFlow 2.15, harmless
]))


def is_chatter(line: str) -> bool:
    return CHATTER.match(line) is not None


@contextmanager
def filtered_stderr(drop=is_chatter):
    """Captures file descriptor 2 in the block, then writes back every line ``drop`` does not match."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode(errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines if not drop(line.rstrip("\n"))))
            sys.stderr.flush()


def tensorflow_devices() -> list[str]:
    """Imports TensorFlow (once, quietly) and names the devices it sees: ``["/physical_device:CPU:0"]``."""
    with filtered_stderr():
        import tensorflow as tf

        return [device.name for device in tf.config.list_physical_devices()]
