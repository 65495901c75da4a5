"""One reader for the suite's JSON documents: a writer's ``manifest.json`` and the upgrade report's exchange files.

``read_object`` gives the JSON object a file holds, ``parse_object`` the one a text read earlier holds (the report
reads a run's exchange files as text before the run's folder is removed); each raises the caller's error with one
message per way it can be wrong (missing, not JSON, not an object), naming the file and ending with what to do.
"""

from __future__ import annotations

import json
from pathlib import Path


def read_object(path: Path, error: type[Exception], fix: str, what: str = "a JSON object") -> dict:
    """The JSON object in ``path``; ``error(message)`` when the file is missing, is not JSON or holds no object
    (``what`` names what it should hold), the message ending with ``fix``."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path} is missing; {fix}")
    try:
        text = path.read_text()
    except UnicodeDecodeError as problem:
        raise error(f"{path} is unreadable (not JSON: {problem}); {fix}") from None
    return parse_object(text, str(path), error, fix, what)


def parse_object(text: str, where: str, error: type[Exception], fix: str, what: str = "a JSON object") -> dict:
    """The JSON object ``text`` (the file ``where``) holds; ``error(message)`` as ``read_object`` says."""
    try:
        content = json.loads(text)
    except json.JSONDecodeError as problem:
        raise error(f"{where} is unreadable (not JSON: {problem}); {fix}") from None
    if not isinstance(content, dict):
        raise error(f"{where} is unreadable (not {what}); {fix}")
    return content
