"""keywords: TF-IDF over the tokens the segment stage already cut.

jieba's ``extract_tags`` would cut the body a second time (~11 ms per 10 KB), so the
score is computed here from the tokens and jieba's own IDF table (the one
``jieba.analyse.default_tfidf`` uses). Loaded whole, that 270,000-line table would
be most of a run's start-up (0.3–0.9 s), so it is copied once into an SQLite file
beside jieba's own cache, and each report looks up only its own few hundred
distinct words (~1 ms).
"""

from __future__ import annotations

import importlib.util
import os
import re
import sqlite3
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from ..vocabulary import CJK

TOP_K = 10

# Words of the report genre that every case uses: they say nothing about this case.
_STOP_TEXT = """
    全市 全区 全县 全省 全国 层面 单位 城市 着力 不断 始终 各级 有序 一系列 多种 大力
    我们 他们 自己 这个 这些 那些 一个 一些 一批 以及 通过 进行 开展 推进 推动 加强 坚持 实现 实施 建立 健全 完善
    积极 深入 全面 不断 进一步 切实 有效 充分 发挥 提升 提高 强化 做好 抓好 落实 工作 作用 方面 问题 情况 目前
    近年来 今年以来 同时 其中 以上 以下 主要 重要 重点 各类 各项 有关 相关 共同 形成 打造 构建 创新 发展 建设
    一是 二是 三是 四是 五是 首先 其次 最后 此外 另外 然后 已经 可以 能够 需要 没有 如何 为了 因为 所以 但是
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

# numbers and counts: 2019, 3.5%, 三个, 余个 (the tail of "700余个"), 万人
_NUMBERISH = re.compile(r"^[\d.,%x×+\-—~～/]+$|^[\d一二三四五六七八九十百千万亿两几余多近约]+[个名家户次项条人处支座件年月日号万亿]*$", re.I)
_HAS_CJK = re.compile(rf"[{CJK}]")  # pinyin left by a damaged file (ng, sh) is not a keyword

_lock = threading.Lock()
_db: sqlite3.Connection | None = None
CHUNK = 500  # words per query, well under SQLite's limit on bound parameters


def _idf_source() -> Path:
    # find jieba.analyse's data without importing it (its import loads the table the slow way)
    spec = importlib.util.find_spec("jieba.analyse")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "idf.txt"


def parse_idf(text: str) -> dict[str, float]:
    """``"党建 8.5\\n网格 9.1"`` → ``{"党建": 8.5, "网格": 9.1}``: the format of jieba's idf.txt."""
    table: dict[str, float] = {}
    for line in text.splitlines():
        word, _, value = line.strip().partition(" ")
        if value:
            table[word] = float(value)
    return table


def _build(source: Path, target: Path) -> None:
    table = parse_idf(source.read_text(encoding="utf-8"))
    median = sorted(table.values())[len(table) // 2] if table else 0.0
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix="jieba-idf.", suffix=".tmp")
    os.close(fd)
    with sqlite3.connect(tmp) as db:
        db.execute("CREATE TABLE idf (word TEXT PRIMARY KEY, idf REAL) WITHOUT ROWID")
        db.execute("CREATE TABLE meta (median REAL)")
        db.executemany("INSERT INTO idf VALUES (?, ?)", table.items())
        db.execute("INSERT INTO meta VALUES (?)", (median,))
    db.close()
    os.replace(tmp, target)  # a second process never opens half a file


def _connect() -> sqlite3.Connection:
    global _db
    if _db is None:
        with _lock:
            if _db is None:
                source = _idf_source()
                stat = source.stat()
                target = Path(tempfile.gettempdir()) / f"jieba-idf.{stat.st_size}.{int(stat.st_mtime)}.sqlite3"
                if not target.exists():
                    _build(source, target)
                _db = sqlite3.connect(f"file:{target}?mode=ro", uri=True, check_same_thread=False)
    return _db


# Words already looked up, with their IDF (None: not in the table). Reports share most of their
# vocabulary, so after a few dozen reports nearly every word is here and the table is not asked;
# bounded, so that a long run over varied text does not grow it without end (~100 bytes a word).
_known: dict[str, float | None] = {}
_median: float | None = None
KNOWN_MAX = 200_000


def idf_of(words: Iterable[str]) -> tuple[dict[str, float], float]:
    """jieba's IDF for ``words`` (those it has) and the median, the IDF of a word it lacks."""
    global _median
    words = list(dict.fromkeys(words))
    db = _connect()  # outside the lock: it takes the lock itself on first use
    with _lock:
        if len(_known) > KNOWN_MAX:
            _known.clear()
        if _median is None:
            (_median,) = db.execute("SELECT median FROM meta").fetchone()
        missing = [w for w in words if w not in _known]
        if missing:
            _known.update(dict.fromkeys(missing))
            for i in range(0, len(missing), CHUNK):
                chunk = missing[i : i + CHUNK]
                marks = ",".join("?" * len(chunk))
                _known.update(db.execute(f"SELECT word, idf FROM idf WHERE word IN ({marks})", chunk).fetchall())
        found = {w: idf for w in words if (idf := _known.get(w)) is not None}
    return found, _median


@lru_cache(maxsize=1 << 16)
def is_candidate(token: str) -> bool:
    """A token worth ranking: two characters or more, not a number or a count, not a stop word.

    Cached: reports share most of their words, and each report asks twice (for its IDF and to rank).
    """
    token = token.strip()
    return (
        len(token) >= 2
        and bool(_HAS_CJK.search(token))
        and not _NUMBERISH.match(token)
        and token not in STOP_WORDS
    )


def rank(tokens: Iterable[str], idf: Mapping[str, float], median: float, top_k: int = TOP_K) -> list[str]:
    """The ``top_k`` tokens by term frequency × IDF; ties broken by first appearance, so the order is stable."""
    return _ranked(Counter(tokens), idf, median, top_k)


def _ranked(token_counts: Counter, idf: Mapping[str, float], median: float, top_k: int) -> list[str]:
    """``rank`` of tokens already counted (a Counter keeps their first-seen order)."""
    # judge each distinct token once: a report has a few thousand tokens but a few hundred words
    counts = {t: n for t, n in token_counts.items() if is_candidate(t)}
    if not counts:
        return []
    first = {t: i for i, t in enumerate(counts)}  # a Counter (and so the dict) keeps first-seen order
    scored = sorted(counts, key=lambda t: (-counts[t] * idf.get(t, median), first[t]))
    return scored[:top_k]


def top_keywords(tokens: Iterable[str], top_k: int = TOP_K) -> list[str]:
    counts = Counter(tokens)  # its keys are the distinct tokens in first-seen order, as dict.fromkeys has them
    idf, median = idf_of(t for t in counts if is_candidate(t))
    return _ranked(counts, idf, median, top_k)
