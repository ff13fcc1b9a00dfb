"""segment: jieba with a domain dictionary, one tokenizer per process.

``cut`` is jieba's accurate mode (the tokens the rest of the pipeline reuses);
``search_tokens`` is what a query becomes, and ``index_tokens`` what the search index stores
(the search tokens and every bigram of the text): the pipeline makes a body's in its worker,
and ``cases.search`` makes a title's, a heading's and a curator's body's with the same function.

The cutting itself runs in rjieba (jieba's algorithm in Rust, over the same default
dictionary), about fifteen times faster; every word this module adds to jieba is added
to rjieba with the same frequency, and the tokens are jieba's, tested on the seeds and
the corpus. jieba itself stays for what rjieba does not expose: its word frequencies
(repair's judge, the place finder's word guard, the frequency a domain word needs) and
its DAG. The one difference, rjieba keeping ``X-Y`` and ``e_f`` whole where jieba cuts
at ``-`` and ``_``, is removed by cutting the text at those marks first.

The tokenizer is jieba's default one (``jieba.dt``), so that any other stage that
judges words by jieba's frequencies (repair) shares the same loaded dictionary
instead of loading a second copy (~0.5 s each). It is initialised lazily, from
jieba's cache file, and the domain words are added once: the field's terms
(data/domain_terms.txt) and every division of the gazetteer, full and short name,
so that 党建引领 or 观山湖区 stay whole.

The practices' names and synonyms are words too, and curators edit them: the
loader passes the database's taxonomy to the pipeline, which calls
``use_practices`` before it cuts a report, so a practice added in the admin is one
word from the next ingest on (and a removed one is no longer added). Without a
taxonomy (no database) the starting list in taxonomy.py is used.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from itertools import filterfalse
from pathlib import Path

import jieba
import rjieba

from . import gazetteer, taxonomy
from .vocabulary import CJK, CJK_RUN_RE, SEARCH_TERM_RE

DOMAIN_TERMS = Path(__file__).with_name("data") / "domain_terms.txt"
MIN_FREQ = 5  # a floor above the bare minimum, so a domain word also holds against its neighbours in context

_CJK = re.compile(f"[{CJK}]")
_KEEP = re.compile(f"[\\w{CJK}]")  # a search token must hold a letter, digit or CJK character
_lock = threading.Lock()
_ready = False
# The practice words this process added to jieba (not jieba's own, not the fixed domain words), and
# the taxonomy they came from: ``use_practices`` removes the first when the second changes.
_practice_words: set[str] = set()
_practices_in_use: tuple | None = None
# Every word this module made a jieba word, with its frequency: rjieba gets the same.
_added: dict[str, int] = {}
# rjieba's own default tokenizer (its module: loaded on import, one dictionary in memory) until a
# word must be forgotten, then a fresh rjieba.Jieba built from _added
_rust = None
# Marks jieba always cuts off on their own and rjieba keeps inside an ASCII run (X-Y, e_f).
_CUT_AT = re.compile(r"([-_])")
# rjieba's own tokenizer holds a word that was removed since: cut with a fresh one from then on
_forgot_a_word = False
# A word's index terms (``index_tokens``), made once: they depend on the dictionary's frequencies, so
# the table is emptied whenever this module adds or removes a word; bounded (~200 bytes a word).
_word_terms: dict[tuple[str, bool], tuple[str, ...]] = {}
WORD_TERMS_MAX = 200_000

Taxonomy = Sequence[tuple[str, Sequence[str]]]  # (name, synonyms) pairs, as extract takes them


def _words(words: Iterable[str]) -> list[str]:
    """``words`` as jieba can hold them, in order, without duplicates."""
    out: list[str] = []
    seen: set[str] = set()
    for word in words:
        # practice names carry quotes ("“两新”组织党建") and synonyms punctuation; jieba words cannot
        word = re.sub(r"[^\w]", "", word)
        if len(word) >= 2 and word not in seen:
            seen.add(word)
            out.append(word)
    return out


def term_words() -> list[str]:
    """The field's terms (data/domain_terms.txt)."""
    lines = (line.split("#", 1)[0].strip() for line in DOMAIN_TERMS.read_text(encoding="utf-8").splitlines())
    return _words(line for line in lines if line)


def division_words() -> list[str]:
    """Every division of the gazetteer, full and short name."""
    return _words(name for d in gazetteer.divisions() for name in (d.name, d.short_name))


@cache
def fixed_words() -> frozenset[str]:
    """The words no curator edits: a practice that shares one never takes it out of the dictionary."""
    return frozenset((*term_words(), *division_words()))


def starting_taxonomy() -> list[tuple[str, list[str]]]:
    return [(name, list(synonyms)) for name, _slug, synonyms, _desc in taxonomy.PRACTICES]


def practice_words(practices: Taxonomy) -> list[str]:
    """The names and synonyms of ``practices`` as words."""
    return _words(word for name, synonyms in practices for word in (name, *synonyms))


def domain_words() -> list[str]:
    """Every word the domain dictionary adds with the starting taxonomy, in a stable order, without duplicates."""
    return _words([*term_words(), *practice_words(starting_taxonomy()), *division_words()])


def _add(tok: jieba.Tokenizer, word: str) -> bool:
    """Make ``word`` one word for jieba; False when jieba keeps it whole already."""
    if tok.FREQ.get(word):
        return False  # jieba already keeps it whole at its own frequency
    freq = max(_needed_freq(tok, word), MIN_FREQ)
    tok.add_word(word, freq)
    _added[word] = freq
    _word_terms.clear()
    if _rust is not None:
        _rust.add_word(word, freq, None)
    return True


def use_practices(practices: Taxonomy) -> None:
    """Make the practices' names and synonyms, and no other taxonomy's, words of the dictionary.

    Called with the database's taxonomy at the start of each ingest (the pipeline does it before
    cutting a report); a no-op when the taxonomy is the one already in use.
    """
    key = tuple((name, tuple(synonyms)) for name, synonyms in practices)
    if key == _practices_in_use:
        return
    tok = tokenizer()
    with _lock:
        _apply_practices(tok, practices, key)


def _apply_practices(tok: jieba.Tokenizer, practices: Taxonomy, key: tuple) -> None:
    global _practices_in_use
    global _rust, _forgot_a_word
    wanted = [word for word in practice_words(practices) if word not in fixed_words()]
    for word in _practice_words - set(wanted):
        tok.del_word(word)
        _word_terms.clear()
        _practice_words.discard(word)
        _added.pop(word, None)
        if _rust is not None:
            _forgot_a_word = True
            _rust = None  # rjieba cannot forget a word: a fresh one is built from _added on the next cut
    for word in wanted:
        if word not in _practice_words and _add(tok, word):
            _practice_words.add(word)
    _practices_in_use = key


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
                for word in term_words():
                    _add(tok, word)
                starting = starting_taxonomy()
                _apply_practices(tok, starting, tuple((name, tuple(synonyms)) for name, synonyms in starting))
                for word in division_words():
                    _add(tok, word)
                _ready = True
    return jieba.dt


def _rust_tokenizer():
    """rjieba with every word added to jieba here, at the same frequency (``cut`` and ``add_word``)."""
    global _rust
    tokenizer()
    if _rust is None:
        with _lock:
            if _rust is None:
                # the first time, rjieba's own tokenizer; after a word was removed, a fresh one
                rust = rjieba.Jieba() if _forgot_a_word else rjieba
                for word, freq in _added.items():
                    rust.add_word(word, freq, None)
                _rust = rust
    return _rust


def cut(text: str) -> list[str]:
    """Accurate-mode tokens, whitespace dropped: ``党建引领基层治理`` → ``['党建引领', '基层治理']``."""
    rust = _rust_tokenizer()
    out: list[str] = []
    for n, piece in enumerate(_CUT_AT.split(text)):
        if n % 2:
            out.append(piece)  # the mark itself, a token of its own as jieba has it
        elif piece:
            out.extend(filterfalse(str.isspace, rust.cut(piece)))
    return out


def jieba_cut(text: str) -> list[str]:
    """The same tokens by jieba itself (slower): what ``cut`` is tested against."""
    return [t for t in tokenizer().lcut(text) if not t.isspace()]


def _bigrams(word: str) -> Iterator[str]:
    for i in range(len(word) - 1):
        pair = word[i : i + 2]
        if _CJK.match(pair[0]) and _CJK.match(pair[1]):
            yield pair


# What a token is to the index: a single CJK character (joined with its neighbours into a run), a
# word, or nothing (punctuation, which still ends a run).
_SINGLE, _WORD, _NOTHING = 0, 1, 2
# token as cut → (its normalised word, _SINGLE/_WORD/_NOTHING): reports share most of their tokens
_forms: dict[str, tuple[str, int]] = {}


def _form(raw: str) -> tuple[str, int]:
    """A token's normalised word and what it is to the index (remembered in ``_forms``)."""
    word = raw.strip().lower()
    if len(word) == 1 and _CJK.match(word):
        form = (word, _SINGLE)
    elif word and _KEEP.search(word):
        form = (word, _WORD)
    else:
        form = (word, _NOTHING)
    if len(_forms) >= WORD_TERMS_MAX:
        _forms.clear()
    _forms[raw] = form
    return form


def _words_and_runs(words: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """(word, is_run): normalised words; single CJK characters side by side joined into one run."""
    run: list[str] = []
    for raw in words:
        word, kind = _forms.get(raw) or _form(raw)
        if kind == _SINGLE:
            run.append(word)
            continue
        if run:
            yield "".join(run), len(run) > 1
            run = []
        if kind == _WORD:
            yield word, False
    if run:
        yield "".join(run), len(run) > 1


def _terms(word: str, is_run: bool, freq: dict[str, int]) -> tuple[str, ...]:
    """The search terms of one normalised word (``_parts`` cut into terms), remembered in ``_word_terms``:
    a report has thousands of words but hundreds of distinct ones, and reports share most of them."""
    terms = _word_terms.get((word, is_run))
    if terms is None:
        if len(_word_terms) >= WORD_TERMS_MAX:
            _word_terms.clear()
        terms = _word_terms[(word, is_run)] = tuple(
            term for part in _parts(word, is_run, freq) for term in SEARCH_TERM_RE.findall(part.lower())
        )
    return terms


def expand(words: Iterable[str], freq: dict[str, int]) -> list[str]:
    """Each word, its dictionary three-grams (as jieba's search mode) and every CJK bigram inside it.

    Bigrams are taken inside a word, not across word boundaries, so a query such as
    ``社区党建`` becomes ``社区 党建`` rather than also demanding the phrase-only ``区党``.
    Single characters side by side (``报到`` cut as ``报 到``) give their bigrams instead
    of themselves: that is a word jieba shattered, and ``报到`` must still find ``双报到``.
    """
    out: list[str] = []
    for word, is_run in _words_and_runs(words):
        out.extend(_parts(word, is_run, freq))
    return out


def _parts(word: str, is_run: bool, freq: dict[str, int]) -> list[str]:
    """``expand`` of one normalised word (``is_run``: single characters joined), deduplicated in order."""
    if is_run:
        parts = list(_bigrams(word))
    else:
        parts = [word]
        if len(word) > 3:
            parts.extend(word[i : i + 3] for i in range(len(word) - 2) if freq.get(word[i : i + 3]))
        if len(word) > 2:
            parts.extend(_bigrams(word))
    return list(dict.fromkeys(parts))  # dedupe within the word, keep order


def search_tokens_from_words(words: Iterable[str]) -> list[str]:
    """``search_tokens`` for a text already cut with ``cut``: the same tokens without cutting again."""
    return expand(words, tokenizer().FREQ)


def search_tokens(text: str) -> list[str]:
    """Tokens to index a case or to search with: ``网格化管理`` → ``['网格化管理', '网格化', '网格', '格化', '化管', '管理']``."""
    return expand(cut(text), tokenizer().FREQ)


def index_tokens(text: str, words: list[str] | None = None) -> list[str]:
    """Tokens to index ``text`` by: jieba search tokens, then every CJK bigram and run-final character.

    ``words`` are the text's ``cut`` tokens when the caller has them already (the pipeline has the
    body's), so the text is not segmented a second time.
    Why bigrams: a Chinese query word must match inside longer words (网格 in 网格化管理, 党建 in
    基层党建), whatever jieba made of the surrounding text, so a query term of two or more CJK
    characters matches when every one of its bigrams is indexed, and a one-character term matches
    any token that starts with it; for that to find every occurrence, the index holds every bigram
    of each CJK run (also those that straddle jieba's word boundaries) and the last character of
    each run. Every token is either all CJK or all letters/digits, lower case, so that FTS5's
    unicode61 tokenizer and PostgreSQL's parser see exactly the tokens we made.
    """
    freq = tokenizer().FREQ
    tokens: list[str] = []
    # _words_and_runs and _terms written out: this loop sees every token of every body
    known, run = _word_terms, []
    for raw in cut(text) if words is None else words:
        word, kind = _forms.get(raw) or _form(raw)
        if kind == _SINGLE:
            run.append(word)
            continue
        if run:
            joined, is_run = ("".join(run), True) if len(run) > 1 else (run[0], False)
            tokens.extend(known.get((joined, is_run)) or _terms(joined, is_run, freq))
            run = []
        if kind == _WORD:
            tokens.extend(known.get((word, False)) or _terms(word, False, freq))
    if run:
        joined, is_run = ("".join(run), True) if len(run) > 1 else (run[0], False)
        tokens.extend(known.get((joined, is_run)) or _terms(joined, is_run, freq))
    present = set(tokens)
    starts = {t[0] for t in tokens}
    for run in CJK_RUN_RE.findall(text):
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            if pair not in present:
                present.add(pair)
                starts.add(pair[0])
                tokens.append(pair)
        if run[-1] not in starts:
            starts.add(run[-1])
            tokens.append(run[-1])
    return tokens
