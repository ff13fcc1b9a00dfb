"""repair: undo the damage done to a report's characters before any conversion sees them.

Four fixers, in this order (``apply_fixers`` records one Change per fixer):

1. ``gbk-shift``: GBK text decoded one byte out of step (``確;鶎咏M織`` → ``確保基層組織``,
   ``。ㄒ唬┊(dāng)好`` → ``（一）當(dāng)好``); see gbk_shift.py. It runs first because the
   pinyin annotation left after a garbled character is what names it, and because the ASCII
   of an entity is where the faulty decoder came back in step;
2. ``pinyin``: annotations glued after characters (``關(guān)`` → ``關``); see pinyin.py;
3. ``entity``: HTML entities left as text (``&ldquo;`` → ``“``); see repair_entities.py;
4. ``spaced``: characters spaced apart by a PDF copy (``社 区 大 党 委`` → ``社区大党委``);
   see repair_spaced.py. After ``entity``, so that ``&nbsp;`` is not taken for a space.

No fixer adds or removes a line break: the line roles of a page are counted line by line.
Each has a cheap pre-check (one regular expression or a character test) so a clean report
passes in well under a millisecond per 10 KB, and the dictionary is loaded only when a run
needs it.
"""

from __future__ import annotations

from . import gbk_shift, pinyin, repair_entities, repair_spaced
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


@fixer("repair", "entity")
def fix_entities(text: str) -> Fixed:
    fixed, decoded = repair_entities.decode_entities(text)
    return Fixed(fixed, tuple(decoded[:MAX_EXAMPLES]), len(decoded))


@fixer("repair", "spaced")
def fix_spaced(text: str) -> Fixed:
    fixed, joined = repair_spaced.join_spaced(text)
    return Fixed(fixed, tuple(joined[:MAX_EXAMPLES]), len(joined))


FIXERS = (fix_gbk_shift, fix_pinyin, fix_entities, fix_spaced)


def repair(text: str) -> tuple[str, list[Change]]:
    return apply_fixers(text, FIXERS)
