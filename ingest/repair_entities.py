"""HTML entities left as text: ``&ldquo;党建&rdquo;`` → ``“党建”``, ``&#8220;`` → ``“``.

A page copied from a CMS's source or exported by a tool that escapes twice keeps its entities
literally in the text. Only real entities are decoded: a name HTML5 defines, written with its
semicolon, or a numeric reference to a character a text can hold. ``&`` in ``R&D``, ``AT&T``
or ``a&b;`` is not an entity and stays.

An entity that stands for a line break (``&#10;``, ``&#x2028;``) is left as it is: the line
roles of a page are counted line by line, and a repair must not add lines.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.entities import html5

ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31};|#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};)")


def _decoded(entity: str) -> str | None:
    if entity[1] != "#" and entity[1:] not in html5:
        return None
    char = html.unescape(entity)
    if char == entity or "\ufffd" in char:
        return None  # an undefined name, or a number no character has
    if len(f"a{char}b".splitlines()) > 1:
        return None
    if any(unicodedata.category(c) == "Cc" and c not in "\t" for c in char):
        return None
    return char


def decode_entities(text: str) -> tuple[str, list[str]]:
    """Decode the real entities; return the text and one ``before → after`` example per entity."""
    if "&" not in text:
        return text, []
    examples: list[str] = []

    def sub(m: re.Match) -> str:
        char = _decoded(m.group())
        if char is None:
            return m.group()
        examples.append(f"{m.group()} → {char}")
        return char

    return ENTITY.sub(sub, text), examples
