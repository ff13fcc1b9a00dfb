"""clean: page chrome, captions, repeated article. STUB: replaced by the clean helper."""

from __future__ import annotations

import re

from .report import Change, Layout


def clean(text: str) -> tuple[Layout, list[Change]]:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return Layout(title=lines[0] if lines else None, paragraphs=lines[1:]), []


def has_article(layout: Layout) -> bool:
    return len(re.findall(r"[\u4e00-\u9fff]", layout.body)) >= 50
