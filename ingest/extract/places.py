"""places: the report's province / city / district, with full official names, from the gazetteer.

Evidence is every mention of a division, full name (观山湖区) or short form (辽宁,
锦州), weighted by where it stands: the title and the author unit say what the
report is about; the meta lines and the lead nearly so; a passing mention in
the body (a training course "在上海、武汉等地") counts little. Each mention votes
for the division and its parents; the place is found by descending from the
province with the most votes to its best-voted city, then to a district named
in the title, author unit, meta lines or lead.

Guards against false matches:

- the longest name wins at a position (中山区 is not 中山市 + 区);
- a short form that is part of a longer dictionary word is not a place
  (中山装, 朝阳产业, 延安精神);
- a district counts by its short form only right after its city (贵阳观山湖), and a
  district whose full name is a common word (城区, 郊区, 东区) likewise;
- a name shared by several divisions (中山区 in 大连 and 台北, 鼓楼区 in four cities)
  resolves only by another place the report names; otherwise it is left out;
- a redacted report (x区, xx市) names nothing, so it gets nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from .. import gazetteer
from ..gazetteer import CITY, DISTRICT, PROVINCE, Division
from ..vocabulary import ACADEMIC_SUFFIXES, AUTHOR_NOTE_LABEL, CJK, LOCAL_NAME_ENDINGS

W_TITLE, W_AUTHOR, W_META, W_LEAD, W_BODY = 3, 3, 2, 2, 1
LEAD_CHARS = 200
MIN_VOTES = 2  # a single passing mention in the body is not where the report is from
COMMON_WORD_FREQ = 1000  # jieba's count above which a county-level city's short form reads as a word
RIVAL_SHARE = 2  # another district of the city named half as much as the chosen one: no one district
WORD_REACH = 4  # how far a dictionary word may reach past a short form (中山 + 装, 朝阳 + 产业)
# A place inside an academic body's name (某某师范大学, 某省城市社区建设研究中心): a few characters,
# none of them an office's, between the place and the suffix.
ACADEMIC_AFTER_RE = re.compile(f"[{CJK}]{{0,8}}?(?:{ACADEMIC_SUFFIXES})")
ACADEMIC_NAME_RE = re.compile(f"(?:{ACADEMIC_SUFFIXES})")
OFFICE_CHARS = set("委部局厅办府")
# Districts whose full name is also a common noun for a part of any town (老城区 "the old town",
# 新城区 "the new town", 城东区 "the east of town"): like 城区, they count only right after their city.
COMMON_NOUN_DISTRICTS = frozenset({"老城区", "新城区", "城东区", "城西区", "城南区", "城北区", "城中区", "市中区"})
LOCAL_NAME_RE = re.compile(f"(?:{LOCAL_NAME_ENDINGS})")
AUTHOR_NOTE_RE = re.compile(f"{AUTHOR_NOTE_LABEL}[^。\\n]*[。\\n]?")


@dataclass(frozen=True)
class PlaceMatch:
    province: str | None
    city: str | None
    district: str | None
    code: str | None  # adcode of the most specific division found


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str
    candidates: tuple[Division, ...]


@dataclass(frozen=True)
class Index:
    names: dict[str, tuple[Division, ...]]  # full names, and short forms of provinces and cities
    district_short: dict[str, tuple[Division, ...]]  # forms that count only right after their city
    lengths: dict[str, tuple[int, ...]]  # first character → name lengths starting with it, longest first
    openings: frozenset[str]  # the first two characters of every name: where a mention can start
    # short forms of county-level cities (宜兴 for 宜兴市): read only where the report says where it is
    # (headline, meta lines, lead), since many are also ordinary words (沙河, 大理)
    county_city_short: dict[str, tuple[Division, ...]]


@cache
def index() -> Index:
    names: dict[str, list[Division]] = defaultdict(list)
    after_city: dict[str, list[Division]] = defaultdict(list)
    county_cities: dict[str, list[Division]] = defaultdict(list)
    for d in gazetteer.divisions():
        if d.level == DISTRICT:
            short = d.short_name
            if d.name.endswith("市") and len(short) >= 2:
                county_cities[short].append(d)
            if len(d.name) <= 2 or d.name in COMMON_NOUN_DISTRICTS:  # 城区, 郊区, 东区: ordinary words
                after_city[d.name].append(d)
                continue
            names[d.name].append(d)
            if short != d.name:
                after_city[short].append(d)
        else:
            names[d.name].append(d)
            if d.short_name != d.name:
                names[d.short_name].append(d)
    # a municipality's province and city share one name: keep them once, as the province
    merged = {k: tuple(_drop_same_name_children(v)) for k, v in names.items()}
    county_cities = {k: v for k, v in county_cities.items() if k not in merged}
    lengths: dict[str, set[int]] = defaultdict(set)
    for k in (*merged, *after_city, *county_cities):
        lengths[k[0]].add(len(k))
    ordered = {ch: tuple(sorted(ns, reverse=True)) for ch, ns in lengths.items()}
    openings = frozenset(k[:2] for k in (*merged, *after_city, *county_cities))
    return Index(
        merged, {k: tuple(v) for k, v in after_city.items()}, ordered, openings,
        {k: tuple(v) for k, v in county_cities.items()},
    )


def _drop_same_name_children(divs: list[Division]) -> list[Division]:
    by_code = {d.code: d for d in divs}
    return [d for d in divs if not (d.parent_code in by_code and by_code[d.parent_code].name == d.name)]


def _is_full_name(name: str, d: Division) -> bool:
    return name == d.name


def _dictionary_word_around(text: str, start: int, end: int, freq: dict[str, int], places: dict) -> bool:
    """True when a dictionary word that is not a place covers the mention and reaches beyond it."""
    for s in range(max(0, start - WORD_REACH), start + 1):
        for e in range(end, min(len(text), end + WORD_REACH) + 1):
            if (s, e) == (start, end):
                continue
            word = text[s:e]
            if freq.get(word) and word not in places and not _starts_with_place(word, text[start:end]):
                return True
    return False


def _word_across_start(text: str, start: int, end: int, freq: dict[str, int], places: dict) -> bool:
    """True when a dictionary word that is not a place begins before the mention and ends inside it,
    and what it leaves of the name reads as a word at least as common as the name: 适应|城市 (not
    应城市), but 以上海市 is 以 + 上海市 (海市 is rarer than 上海市)."""
    for s in range(max(0, start - WORD_REACH), start):
        for e in range(start + 1, end):
            word = text[s:e]
            # 上海浦东 is a place before a place, not a word that swallows one
            if not freq.get(word) or word in places or text[s:start] in places:
                continue
            rest = text[e:end]
            if len(rest) == 1 or freq.get(rest, 0) >= freq.get(text[start:end], 0):
                return True
    return False


def _starts_with_place(word: str, name: str) -> bool:
    # 宝鸡市委, 锦州市委组织部 are the place plus an office, not a different word
    return word.startswith(name) and word[len(name) : len(name) + 1] in {"市", "省", "区", "县", "州"}


def scan(text: str, freq: dict[str, int] | None = None, where_it_is: bool = False) -> list[Mention]:
    """Mentions of divisions in ``text``, longest name first at each position, left to right.

    ``where_it_is``: the text says where the report is (headline, meta, lead), so the short forms
    of county-level cities count too."""
    idx = index()
    freq = freq if freq is not None else _freq()
    out: list[Mention] = []
    # Every name has two characters or more, so a mention starts only where the text's next two
    # characters open a name. Finding those positions first (one set lookup each) spares the
    # slices of every name length at every other position, which was most of the scan.
    openings = idx.openings
    starts = [j for j in range(len(text) - 1) if text[j : j + 2] in openings]
    i = 0
    for at in starts:
        if at < i:
            continue  # inside the previous mention
        i = at
        hit = None
        for n in idx.lengths.get(text[i], ()):
            word = text[i : i + n]
            if word in idx.names:
                hit = Mention(i, i + n, word, idx.names[word])
                break
            if word in idx.district_short and out and out[-1].end == i:
                # 贵阳观山湖: a district's short form right after the name of its city
                cities = {d.code for d in out[-1].candidates}
                near = tuple(d for d in idx.district_short[word] if d.parent_code in cities)
                if near:
                    hit = Mention(i, i + n, word, near)
                    break
            # …unless the short form is a common word (合作, 江山): then it is the word
            if where_it_is and word in idx.county_city_short and freq.get(word, 0) < COMMON_WORD_FREQ:
                hit = Mention(i, i + n, word, idx.county_city_short[word])
                break
        if hit is None:
            continue
        full = any(_is_full_name(hit.name, d) for d in hit.candidates)
        if not full and _dictionary_word_around(text, hit.start, hit.end, freq, idx.names):
            continue
        if (not full or len(hit.name) <= 2) and LOCAL_NAME_RE.match(text, hit.end):
            continue  # 中山社区, 长春路, 南区街道: a local street or estate named after a division
        # 适应城市: the word 适应 takes the first character of 应城市; but in 杭州市上城区 the place
        # before it is a place, whatever word 市上 makes
        chained = bool(out) and out[-1].end == hit.start
        if not chained and _word_across_start(text, hit.start, hit.end, freq, idx.names):
            continue
        if _inside_academic_name(text, hit.end):
            continue
        out.append(hit)
        i = hit.end
    return out


def _corroborated(lead: list[Mention], others: list[Mention], elsewhere: str) -> list[Mention]:
    """The lead's mentions, less a county-level city's short form (it may be a word: 江山就是人民) whose
    city or province the page names nowhere else, not even in its furniture (网易江苏 > 正文)."""
    county = index().county_city_short
    if not any(m.name in county for m in lead):
        return lead  # nothing to corroborate, so the furniture is not scanned
    found = [m for m in (*lead, *others, *scan(elsewhere)) if m.name not in county]
    named = {code for m in found for d in m.candidates for code in _lineage_codes(d)}
    return [m for m in lead if m.name not in county or any(named.intersection(_lineage_codes(d)[:-1]) for d in m.candidates)]


def _provinces_named(text: str) -> set[str]:
    """The provinces that the text's unambiguous mentions lie in."""
    named = set()
    for m in scan(text, where_it_is=True):
        single = m.candidates[0] if len(m.candidates) == 1 else _one_chain(m.candidates)
        if single is not None:
            named.add(_lineage_codes(single)[0])
    return named


def _collapse_chains(mentions: list[Mention]) -> list[Mention]:
    """One vote for 浙江省杭州市上城区, or 嘉兴南湖: a chain of names is one mention of its last place
    (whose lineage holds the others), not three mentions of the province. The names before it
    choose among the last one's namesakes (北京市朝阳区, not the 朝阳区 of another city)."""
    out: list[Mention] = []
    for m in mentions:
        if out and out[-1].end == m.start:
            before = {d.code for d in out[-1].candidates}
            inside = tuple(d for d in m.candidates if before.intersection(_lineage_codes(d)[:-1]))
            if inside:
                out[-1] = Mention(out[-1].start, m.end, m.name, inside)
                continue
        out.append(m)
    return out


def _inside_academic_name(text: str, end: int) -> bool:
    """True when the place opens an academic body's name (天津某某大学): where its scholars work."""
    m = ACADEMIC_AFTER_RE.match(text, end)
    return bool(m) and not OFFICE_CHARS.intersection(m.group())


def _freq() -> dict[str, int]:
    from .. import segment

    return segment.tokenizer().FREQ


def _lineage_codes(d: Division) -> list[str]:
    return [x.code for x in gazetteer.lineage(d.code)]


def _one_chain(divs: tuple[Division, ...]) -> Division | None:
    """When every candidate lies on one line of descent (吉林 → 吉林省, 吉林市), the most general one."""
    ordered = sorted(divs, key=lambda d: len(_lineage_codes(d)))
    top = ordered[0]
    if all(top.code in _lineage_codes(d) for d in ordered):
        return top
    return None


def _lone_province(divs: tuple[Division, ...]) -> Division | None:
    """A bare name shared by a province and a prefecture elsewhere (海南) means the province."""
    provinces = [d for d in divs if d.level == PROVINCE]
    return provinces[0] if len(provinces) == 1 else None


def vote(weighted: list[tuple[Mention, int, bool]]) -> tuple[dict[str, float], dict[str, float]]:
    """Votes per division code (a mention votes for its division and every parent) and, separately,
    the weight of mentions that name a division directly from a strong place (title, author, lead)."""
    votes: dict[str, float] = defaultdict(float)
    strong: dict[str, float] = defaultdict(float)

    def add(d: Division, w: int, is_strong: bool) -> None:
        for code in _lineage_codes(d):
            votes[code] += w
        if is_strong:
            strong[d.code] += w

    pending = []
    for m, w, is_strong in weighted:
        single = m.candidates[0] if len(m.candidates) == 1 else _one_chain(m.candidates)
        if single is not None:
            add(single, w, is_strong)
        else:
            pending.append((m, w, is_strong))
    for m, w, is_strong in pending:
        # an ambiguous name (中山区, 鼓楼区) resolves only by the other places named
        support = {d.code: max((votes.get(c, 0) for c in _lineage_codes(d)[:-1]), default=0) for d in m.candidates}
        best = max(support.values())
        winners = [d for d in m.candidates if support[d.code] == best]
        if best > 0 and len(winners) == 1:
            add(winners[0], w, is_strong)
        elif best == 0 and (lone := _lone_province(m.candidates)):
            add(lone, w, is_strong)
    return votes, strong


def _best(codes: list[str], votes: dict[str, float], floor: float) -> str | None:
    ranked = sorted((c for c in codes if votes.get(c, 0) >= floor), key=lambda c: -votes[c])
    if not ranked or (len(ranked) > 1 and votes[ranked[0]] == votes[ranked[1]]):
        return None  # nothing, or a tie: unknown stays empty
    return ranked[0]


@cache
def _children() -> dict[str, list[Division]]:
    kids: dict[str, list[Division]] = defaultdict(list)
    for d in gazetteer.divisions():
        if d.parent_code:
            kids[d.parent_code].append(d)
    return kids


@cache
def _province_codes() -> list[str]:
    # built once: walking every division for the provinces cost more than the rest of resolve()
    return [d.code for d in gazetteer.divisions() if d.level == PROVINCE]


def resolve(votes: dict[str, float], strong: dict[str, float]) -> PlaceMatch | None:
    """Descend province → city → district by votes; a district must be named in a strong place."""
    table = gazetteer.by_code()
    province = _best(_province_codes(), votes, MIN_VOTES)
    if province is None:
        return None
    kids = _children()[province]
    cities = [d.code for d in kids if d.level == CITY]
    same_name = [c for c in cities if table[c].name == table[province].name]
    if same_name:
        # a municipality: its city is itself (北京市 / 北京市); 重庆市 has two such rows, urban and counties
        city = max(same_name, key=lambda c: (votes.get(c, 0), -int(c)))
    else:
        city = _best(cities, votes, MIN_VOTES)
    district = None
    if city is not None:
        districts = [d.code for d in _children()[city] if d.level == DISTRICT]
        district = _best(districts, strong, 1e-9)
        rivals = [c for c in districts if c != district and votes.get(c, 0) * RIVAL_SHARE >= votes.get(district, 0)]
        if district and rivals:
            district = None  # 丰台区 and 西城区 alike: a report about its city, with examples from several districts
    code = district or city or province
    return PlaceMatch(
        province=table[province].name,
        city=table[city].name if city else None,
        district=table[district].name if district else None,
        code=code,
    )


def find_place(
    title: str | None, meta_lines: list[str] | None, body: str, author_org: str | None, publisher: str | None = None,
    elsewhere: str = "",
    body_beyond_lead: bool = True,
) -> PlaceMatch | None:
    """The report's place, or None when it names none (or only in passing, or only ambiguously).

    ``elsewhere``: the rest of the page (its furniture), which only corroborates a short form.
    ``body_beyond_lead`` False: the body counts only up to the end of its lead, for a paper, a speech
    or a commentary, whose examples from many places are not where it is from.

    A local publisher (某某日报, 某某区融媒体中心) counts as much as a meta line: a city's paper
    reports on its city, so a report that names only its streets and communities is still placed.
    """
    weighted: list[tuple[Mention, int, bool]] = []
    if len(_provinces_named(title or "")) > 1:
        return None  # 以广东省某社区和广西某社区为例: a headline that compares places names no one place
    # a university or research body is where the author works, not the place written about
    author_org = "" if author_org and ACADEMIC_NAME_RE.search(author_org) else author_org
    sources = [(title or "", W_TITLE), (author_org or "", W_AUTHOR), (publisher or "", W_META)]
    # an affiliation or a biography in the meta lines (某某大学，天津; 作者简介：…，某省某市人) says
    # where the author works or was born
    sources += [(line, W_META) for line in meta_lines or [] if not ACADEMIC_NAME_RE.search(line)]
    for text, w in sources:
        weighted += [(m, w, True) for m in _collapse_chains(scan(text, where_it_is=True))]
    # an author's note run into the text (［作者简介］张某，男，某省某市人，某大学讲师。) says where
    # the author was born and works, not where the report is from
    body = AUTHOR_NOTE_RE.sub("", body)
    body = body if body_beyond_lead else body[:LEAD_CHARS]
    lead = _collapse_chains(scan(body[:LEAD_CHARS], where_it_is=True))
    rest = _collapse_chains(scan(body[LEAD_CHARS:]))
    weighted += [(m, W_LEAD, True) for m in _corroborated(lead, [*rest, *(m for m, _, _ in weighted)], elsewhere)]
    weighted += [(m, W_BODY, False) for m in rest]
    votes, strong = vote(weighted)
    return resolve(votes, strong)
