"""normalise: OpenCC t2s and punctuation. STUB: replaced by the clean helper."""

from __future__ import annotations

from functools import cache

from .report import Change


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def detect_script(text: str) -> str:
    converted = _converter().convert(text)
    diff = sum(1 for a, b in zip(text, converted, strict=False) if a != b)
    return "traditional" if diff > 20 else "simplified"


def normalise(text: str) -> tuple[str, list[Change]]:
    return _converter().convert(text), []
