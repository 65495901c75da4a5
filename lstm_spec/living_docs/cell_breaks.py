"""Where a table cell's long words may break in the site's HTML (``docs/site/_ext/table_breaks.py``).

The generated pages' tables name specs by their test functions (``test_model_has_one_input_of_none_seq_len_features``)
and configurations by code without spaces (``LSTM(units=1,return_sequences=True,return_state=True)``);
unbroken, one such word sets its column's narrowest width and the table scrolls sideways.  A ``<wbr>``
goes after each underscore of a word of 20 characters or more, and in code after each comma and slash
too.  Standard library only: the functions read and write HTML text, not Sphinx's nodes.
"""

from __future__ import annotations

import re

LONG_WORD = re.compile(r"\w{20,}")
CODE_WORD = re.compile(r'(?<=<span class="pre">)[^<]+(?=</span>)')  # how Sphinx writes a literal's words
CODE_BREAK_AFTER = re.compile(r"([,/])")


def breakable(html: str) -> str:
    """``html`` with a word-break opportunity after each underscore of its long words."""
    return LONG_WORD.sub(lambda word: word.group().replace("_", "_<wbr>"), html)


def breakable_code(html: str) -> str:
    """A literal's ``html`` with a word-break opportunity in its words after each comma and slash, and after
    each underscore of a long word; the tags around the words are left as they are."""
    return CODE_WORD.sub(lambda word: breakable(CODE_BREAK_AFTER.sub(r"\1<wbr>", word.group())), html)
