"""segment: jieba. STUB: replaced by the extract helper."""

from __future__ import annotations

import jieba


def cut(text: str) -> list[str]:
    return [t for t in jieba.lcut(text) if t.strip()]


def search_tokens(text: str) -> list[str]:
    return [t for t in jieba.lcut_for_search(text) if t.strip()]
