"""Characters spaced apart by a PDF copy: ``社 区 大 党 委`` → ``社区大党委``.

Text copied out of a PDF (and some justified layouts) comes out with a space after every
character. Only a run of single characters, each separated from the next by one space, is
joined: at least four Chinese characters, so that a spaced label (``关 键 词``) or a
font-size control (``大 中 小``) keeps its letter-spacing. A space between phrases
(``小区建支部 组织覆盖到“末梢”``), between a name and a title (``记者 王伟``) or two spaces of
alignment is writing, not damage, and stays.
"""

from __future__ import annotations

import re

from .normalise import CHINESE_PUNCT, CJK_RANGES

_TOKEN = f"[{CJK_RANGES}{CHINESE_PUNCT}]"
_WORD = f"[{CJK_RANGES}A-Za-z0-9]"
# single characters: no character or letter directly before the run's first or after its last
RUN = re.compile(rf"(?<!{_WORD}){_TOKEN}(?: {_TOKEN}){{3,}}(?!{_WORD})")
_CJK = re.compile(f"[{CJK_RANGES}]")
MIN_CJK = 4


def join_spaced(text: str) -> tuple[str, list[str]]:
    """Join spaced runs; return the text and one ``before → after`` example per run."""
    if " " not in text:
        return text, []
    examples: list[str] = []

    def sub(m: re.Match) -> str:
        run = m.group()
        if len(_CJK.findall(run)) < MIN_CJK:
            return run
        joined = run.replace(" ", "")
        examples.append(f"{run} → {joined}")
        return joined

    return RUN.sub(sub, text), examples
