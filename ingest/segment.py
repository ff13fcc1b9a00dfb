"""segment: jieba with a domain dictionary, one tokenizer per process.

``cut`` is jieba's accurate mode (the tokens the rest of the pipeline reuses);
``search_tokens`` is what the search index stores and what a query becomes.

The tokenizer is jieba's default one (``jieba.dt``), so that any other stage that
judges words by jieba's frequencies (repair) shares the same loaded dictionary
instead of loading a second copy (~0.5 s each). It is initialised lazily, from
jieba's cache file, and the domain words are added once: practice names and
synonyms (taxonomy.py), the field's terms (data/domain_terms.txt) and every
division of the gazetteer, full and short name, so that 党建引领 or 观山湖区 stay
whole.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import jieba

from . import gazetteer, taxonomy

DOMAIN_TERMS = Path(__file__).with_name("data") / "domain_terms.txt"
MIN_FREQ = 5  # a floor above the bare minimum, so a domain word also holds against its neighbours in context

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KEEP = re.compile(r"[\w\u3400-\u9fff]")  # a search token must hold a letter, digit or CJK character
_lock = threading.Lock()
_ready = False


def domain_words() -> list[str]:
    """Every word the domain dictionary adds, in a stable order, without duplicates."""
    words: list[str] = []
    for line in DOMAIN_TERMS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    for name, _slug, synonyms, _desc in taxonomy.PRACTICES:
        words.append(name)
        words.extend(synonyms)
    for division in gazetteer.divisions():
        words.append(division.name)
        words.append(division.short_name)
    out: list[str] = []
    seen: set[str] = set()
    for word in words:
        # practice names carry quotes ("“两新”组织党建") and synonyms punctuation; jieba words cannot
        word = re.sub(r"[^\w]", "", word)
        if len(word) >= 2 and word not in seen:
            seen.add(word)
            out.append(word)
    return out


def _needed_freq(tok: jieba.Tokenizer, word: str) -> int:
    """The frequency at which ``word`` beats its best split (jieba's suggest_freq without a cut per word)."""
    dag = tok.get_DAG(word)
    route: dict[int, tuple[float, int]] = {}
    tok.calc(word, dag, route)
    return int(math.exp(route[0][0]) * tok.total) + 1


def tokenizer() -> jieba.Tokenizer:
    """The process's tokenizer, with the domain dictionary loaded on first use."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" chatter on every start
                tok = jieba.dt
                tok.initialize()
                for word in domain_words():
                    if tok.FREQ.get(word):
                        continue  # jieba already keeps it whole at its own frequency
                    tok.add_word(word, max(_needed_freq(tok, word), MIN_FREQ))
                _ready = True
    return jieba.dt


def cut(text: str) -> list[str]:
    """Accurate-mode tokens, whitespace dropped: ``党建引领基层治理`` → ``['党建引领', '基层治理']``."""
    return [t for t in tokenizer().lcut(text) if not t.isspace()]


def _bigrams(word: str) -> Iterator[str]:
    for i in range(len(word) - 1):
        pair = word[i : i + 2]
        if _CJK.match(pair[0]) and _CJK.match(pair[1]):
            yield pair


def _words_and_runs(words: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """(word, is_run): normalised words; single CJK characters side by side joined into one run."""
    run: list[str] = []
    for raw in words:
        word = raw.strip().lower()
        if len(word) == 1 and _CJK.match(word):
            run.append(word)
            continue
        if run:
            yield "".join(run), len(run) > 1
            run = []
        if word and _KEEP.search(word):
            yield word, False
    if run:
        yield "".join(run), len(run) > 1


def expand(words: Iterable[str], freq: dict[str, int]) -> list[str]:
    """Each word, its dictionary three-grams (as jieba's search mode) and every CJK bigram inside it.

    Bigrams are taken inside a word, not across word boundaries, so a query such as
    ``社区党建`` becomes ``社区 党建`` rather than also demanding the phrase-only ``区党``.
    Single characters side by side (``报到`` cut as ``报 到``) give their bigrams instead
    of themselves: that is a word jieba shattered, and ``报到`` must still find ``双报到``.
    """
    out: list[str] = []
    for word, is_run in _words_and_runs(words):
        if is_run:
            parts = list(_bigrams(word))
        else:
            parts = [word]
            if len(word) > 3:
                parts.extend(word[i : i + 3] for i in range(len(word) - 2) if freq.get(word[i : i + 3]))
            if len(word) > 2:
                parts.extend(_bigrams(word))
        out.extend(dict.fromkeys(parts))  # dedupe within the word, keep order
    return out


def search_tokens_from_words(words: Iterable[str]) -> list[str]:
    """``search_tokens`` for a text already cut with ``cut``: the same tokens without cutting again."""
    return expand(words, tokenizer().FREQ)


def search_tokens(text: str) -> list[str]:
    """Tokens to index a case or to search with: ``网格化管理`` → ``['网格化管理', '网格化', '网格', '格化', '化管', '管理']``."""
    tok = tokenizer()
    return expand(tok.cut(text), tok.FREQ)
