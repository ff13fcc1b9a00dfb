"""repair: undo the damage done to a report's characters before any conversion sees them.

Two fixers, in this order (``apply_fixers`` records one Change per fixer):

1. ``gbk-shift``: GBK text decoded one byte out of step (``確;鶎咏M織`` → ``確保基層組織``,
   ``。ㄒ唬┊(dāng)好`` → ``（一）當(dāng)好``); see gbk_shift.py. It runs first because the
   pinyin annotation left after a garbled character is what names it;
2. ``pinyin``: annotations glued after characters (``關(guān)`` → ``關``); see pinyin.py.

Both have a cheap pre-check (one regular expression) so a clean report passes in well
under a millisecond per 10 KB, and the dictionary is loaded only when a run needs it.
"""

from __future__ import annotations

from . import gbk_shift, pinyin
from .report import Change, Fixed, apply_fixers, fixer

MAX_EXAMPLES = 3


@fixer("repair", "gbk-shift")
def fix_gbk_shift(text: str) -> Fixed:
    fixed, repairs = gbk_shift.repair_text(text)
    examples = tuple(f"{r.before} → {r.after}" for r in repairs[:MAX_EXAMPLES])
    return Fixed(fixed, examples, len(repairs))


@fixer("repair", "pinyin")
def fix_pinyin(text: str) -> Fixed:
    fixed, removed = pinyin.remove_annotations(text)
    return Fixed(fixed, tuple(removed[:MAX_EXAMPLES]), len(removed))


FIXERS = (fix_gbk_shift, fix_pinyin)


def repair(text: str) -> tuple[str, list[Change]]:
    return apply_fixers(text, FIXERS)
