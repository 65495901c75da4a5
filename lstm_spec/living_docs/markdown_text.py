"""Plain text put into a generated Markdown page as it reads: ``4*units`` in a spec's title stays an asterisk
rather than opening emphasis up to the next one (CommonMark allows ``*`` emphasis inside words)."""

from __future__ import annotations

import re

# A code span (`...`) is left as written: inside it an escape would show its backslash.
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def plain(text: str) -> str:
    """``text`` with every ``*`` outside code spans escaped, so Markdown shows it as written."""
    pieces, start = [], 0
    for span in _CODE_SPAN.finditer(text):
        pieces += [text[start:span.start()].replace("*", r"\*"), span.group(0)]
        start = span.end()
    pieces.append(text[start:].replace("*", r"\*"))
    return "".join(pieces)
