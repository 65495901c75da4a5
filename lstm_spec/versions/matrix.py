"""One environment of the version matrix (``noxfile.py``), chosen by the name a person would use.

    python3 suite.py matrix keras2                  TF 2.15 / Keras 2 (requirements/keras2-lock.txt)
    python3 suite.py matrix locked                  the locked default (requirements/lock.txt)
    python3 suite.py matrix jax                     Keras 3 on the JAX backend (requirements/jax-lock.txt)
    python3 suite.py matrix torch                   Keras 3 on the PyTorch backend (requirements/torch-lock.txt)
    python3 suite.py matrix deploy                  the locked default with the deployment runtimes
                                                    (requirements/deploy-lock.txt); --deployment-page=write
                                                    writes docs/deployment.md
    python3 suite.py matrix deploy-keras2           Keras 2 (TF 2.15) with onnx, onnxruntime, tf2onnx: specs 48-52
                                                    (requirements/deploy-keras2-lock.txt); deploy-tf-keras: on tf-keras
    python3 suite.py matrix deploy-torch            Keras 3's export on the PyTorch backend (spec 53;
                                                    requirements/deploy-torch-lock.txt); deploy-jax on JAX
    python3 suite.py matrix 2.20.0 -k time_major    any TensorFlow 2.x, Keras 3.x or keras-nightly

A version that one of the locks pins (``2.15.1``, ``2.21.0``, ``keras==3.15.1``) runs that lock's
session, so its environment is reused; any other runs the ``version`` session (``lstm_spec.versions.sides``
resolves the name).  Arguments after the name go to pytest.  No TensorFlow import here.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys

from lstm_spec.versions.pins import HOW_TO_NAME, VersionSpecError
from lstm_spec.versions.sides import FIXED, NAMED, ROOT, nox_command, resolve


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "help"):
        print("usage: python3 suite.py matrix NAME [pytest arguments]\n" + __doc__.split("\n\n", 1)[1].rstrip())
        return 0
    if not argv or argv[0].startswith("-"):
        print(f"matrix: name the environment: {NAMED}, or a version ({HOW_TO_NAME}).", file=sys.stderr)
        return 2
    try:
        side = resolve(argv[0])
    except VersionSpecError as error:
        print(f"matrix: {_unknown_environment(argv[0]) or error}", file=sys.stderr)
        return 2
    return subprocess.run(nox_command(side, argv[1:], envdir=side.envdir(ROOT)), cwd=ROOT,
                          env={**os.environ, **dict(side.environment)}).returncode


def _unknown_environment(name: str) -> str | None:
    """What to say of ``name`` where it reads as an environment's name (a word, not a number, a pin or a file) that is
    none: the environments, the nearest named; None where it reads as a version, whose own error says more."""
    if re.match(r"\d", name) or "=" in name or name.endswith(".txt") or name.startswith("keras-nightly"):
        return None
    near = difflib.get_close_matches(name, FIXED, n=1)
    return (f"{name!r} names no environment{f' (did you mean {near[0]}?)' if near else ''}: name one of {NAMED}, "
            f"or a version ({HOW_TO_NAME}).")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
