"""Runs a snippet in a fresh Python process, started early so that its TensorFlow import overlaps
the rest of the run (the reproducibility spec compares weights built in another process)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from lstm_spec.models.builders import SEED

# Builds the page's LSTM(5) on (9, 3) input, seeded, and saves its weights to argv[1].
SEEDED_WEIGHTS_SNIPPET = (
    "import sys, numpy as np\n"
    "from lstm_spec.models.builders import recurrent_model\n"
    "from lstm_spec.models.configs import PAGE_DIMS, LSTMConfig\n"
    f"weights = recurrent_model(LSTMConfig(units=5), PAGE_DIMS, {SEED}).layers[-1].get_weights()\n"
    "np.savez(sys.argv[1], *weights)\n"
)


class FreshProcessWeights:
    """The seeded weights computed by ``SEEDED_WEIGHTS_SNIPPET`` in a child process."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="lstm-spec-")
        self._saved = Path(self._folder.name) / "weights.npz"
        self._process = subprocess.Popen(
            [sys.executable, "-c", SEEDED_WEIGHTS_SNIPPET, str(self._saved)],
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def result(self, timeout: float = 120) -> list[np.ndarray]:
        output, _ = self._process.communicate(timeout=timeout)
        if self._process.returncode != 0:
            raise RuntimeError(f"the fresh process failed:\n{output.decode(errors='replace')[-2000:]}")
        with np.load(self._saved) as stored:
            return [stored[f"arr_{index}"] for index in range(len(stored.files))]

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._folder.cleanup()
