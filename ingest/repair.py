"""repair: pinyin annotations and shifted GBK. STUB: replaced by the repair helper."""

from __future__ import annotations

from .report import Change


def repair(text: str) -> tuple[str, list[Change]]:
    return text, []
