"""The text side of search, the same on every database: a reader's query as index clauses, a text as index tokens.

Why bigrams: a Chinese query word must match inside longer words (网格 in 网格化管理, 党建 in
基层党建), whatever jieba made of the surrounding text. So a term of two or more CJK characters
matches when every one of its character bigrams is indexed, and a one-character term matches any
token that starts with it (a prefix query). For that to find every occurrence, the index holds,
besides ``ingest.segment.search_tokens``, every bigram of each CJK run (also those that straddle
jieba's word boundaries) and the last character of each run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.vocabulary import CJK

_CJK_RUN = re.compile(f"[{CJK}]+")
# A term is a run of CJK characters or a run of other letters and digits (never punctuation).
_TERM = re.compile(f"[{CJK}]+|[^\\W_{CJK}]+")

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
    """Tokens to index ``text`` by: jieba search tokens, then every CJK bigram and run-final character.

    ``words`` are the text's jieba tokens when the caller has them already (the loader passes the
    body's, cut once by the pipeline), so the body is not segmented a second time.
    Every token is either all CJK or all letters/digits, lower case, so that FTS5's unicode61
    tokenizer and PostgreSQL's parser see exactly the tokens we made.
    """
    from ingest.segment import search_tokens, search_tokens_from_words

    tokens: list[str] = []
    for token in search_tokens(text) if words is None else search_tokens_from_words(words):
        tokens.extend(_TERM.findall(token.lower()))
    present = set(tokens)
    starts = {t[0] for t in tokens}
    for run in _CJK_RUN.findall(text):
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
