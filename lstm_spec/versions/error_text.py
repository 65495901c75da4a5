"""An error's text cut to what a reader needs: Keras' "Full object config: {...}" said by its length, not written out.

Keras 3 refusing a Keras 2 ``.keras`` file (and tf-keras refusing a Keras 3 one) says which class it could not
deserialize, then prints the model's whole config: 1,900 to 4,000 characters of one line in the upgrade report,
the same for every model.  ``without_config`` keeps the sentence and replaces the config by its size; the whole
text stays in side B's ``read.json`` (``report --keep`` keeps it).
"""

from __future__ import annotations

import re

CONFIG_START = "Full object config: "
_FOLDED = re.compile(r"\s+")
# A terminal colour code in an error's text, as Keras prints it and as JUnit escapes it (``#x1B[1m``).
_COLOUR = re.compile(r"(?:\x1b|#x1B)\[[0-9;]*m")


def without_config(message: str, where: str = "side B's read.json") -> str:
    """``message`` with each printed config (``Full object config: {...}``, braces balanced) replaced by its size
    and where the whole text is; a message without one is returned unchanged."""
    out, rest = [], message
    while CONFIG_START + "{" in rest:
        head, _, tail = rest.partition(CONFIG_START)
        end = _closing_brace(tail)
        out.append(f"{head}{CONFIG_START}{{…}} ({end} characters, whole in {where})")
        rest = tail[end:]
    return "".join(out) + rest


def _closing_brace(text: str) -> int:
    """The length of the brace-balanced config ``text`` starts with (all of it when its braces never close: a message
    cut short), quotes respected."""
    depth, quote = 0, None
    for index, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def gist(message: str, limit: int = 160) -> str:
    """An error's first words on one line: no assertion prefix, printed config, colour codes or case details
    (`` [case: ...]``), at most ``limit`` characters."""
    text = _FOLDED.sub(" ", _COLOUR.sub("", without_config(message, "the side's results"))).strip()
    text = re.sub(r"^AssertionError: ", "", text)
    text = re.sub(r" Full object config: \{…\} \(\d+ characters, whole in [^)]*\)", "", text)
    text = text.split(" [", 1)[0]
    return text if len(text) <= limit else text[:limit].rstrip() + " …"
