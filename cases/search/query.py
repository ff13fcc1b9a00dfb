"""The text side of search, the same on every database: a reader's query as index clauses, a text as index tokens.

Why bigrams: a Chinese query word must match inside longer words (网格 in 网格化管理, 党建 in
基层党建), whatever jieba made of the surrounding text. So a term of two or more CJK characters
matches when every one of its character bigrams is indexed, and a one-character term matches any
token that starts with it (a prefix query). For that to find every occurrence, the index holds,
besides ``ingest.segment.search_tokens``, every bigram of each CJK run (also those that straddle
jieba's word boundaries) and the last character of each run: ``ingest.segment.index_tokens``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.vocabulary import CJK_RUN_RE as _CJK_RUN
from ingest.vocabulary import SEARCH_TERM_RE as _TERM

MAX_QUERY_LENGTH = 200
MAX_CLAUSES = 40  # a pasted paragraph must not become a 500-operand query


@dataclass(frozen=True)
class Clause:
    token: str
    prefix: bool = False

    def fts5(self) -> str:
        return f'"{self.token}"' + ("*" if self.prefix else "")

    def tsquery(self) -> str:
        return f"'{self.token}'" + (":*" if self.prefix else "")


@dataclass
class ParsedQuery:
    """A reader's query after normalisation: its terms and the index clauses they require."""

    text: str
    terms: list[str] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def fts5(self) -> str:
        return " AND ".join(c.fts5() for c in self.clauses)

    def tsquery(self) -> str:
        return " & ".join(c.tsquery() for c in self.clauses)


def parse(query: str) -> ParsedQuery:
    """网格化管理 → bigrams 网格 & 格化 & 化管 & 管理; 網 → prefix 网*; APP → app. Tokens are \\w only, never syntax."""
    from ingest.normalise import normalise

    text = normalise((query or "")[:MAX_QUERY_LENGTH])[0].lower()
    terms = list(dict.fromkeys(_TERM.findall(text)))
    clauses: list[Clause] = []
    for term in terms:
        if _CJK_RUN.fullmatch(term) and len(term) == 1:
            clauses.append(Clause(term, prefix=True))
        elif _CJK_RUN.fullmatch(term):
            clauses.extend(Clause(term[i : i + 2]) for i in range(len(term) - 1))
        else:
            clauses.append(Clause(term))
    return ParsedQuery(text=text, terms=terms, clauses=list(dict.fromkeys(clauses))[:MAX_CLAUSES])


def index_tokens(text: str, words: list[str] | None = None) -> list[str]:
    """``ingest.segment.index_tokens``: the tokens to index ``text`` by (``words``: its ``cut`` tokens, if made).

    The function lives with the segmenter, Django-free, so the pipeline's workers make a body's index
    tokens with the very function used here for a title, headings or a curator's body. Imported on
    first use: the segmenter loads jieba (0.4 s), which a process that never indexes need not pay.
    """
    from ingest.segment import index_tokens as tokens

    return tokens(text, words)
