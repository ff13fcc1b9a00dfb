"""roles: the role of each line of a page, learned from labelled pages rather than listed.

A linear-chain CRF (python-crfsuite) labels the non-empty lines of a normalised text with the
roles of ``corpus/README.md``: chrome, title, title+, subtitle, meta, byline, h1/h2/h3 (h1+ …),
item, caption, body, footer. The hand rules of ``clean`` (chrome_kind, meta_kind, is_heading,
is_caption, is_headline, closes…) are features here, not verdicts: a page from an outlet the rules
were never written against still gets a label from what its lines look like together (a short
line between a breadcrumb and a dateline is a title; a short unclosed line between paragraphs is a
heading when its numbering recurs and a caption when it does not).

Features are generic: the form of a line (numbering style, length, punctuation, dates, brackets),
its position, generic vocabulary cues (来源, 记者, 摄…), and the same of its neighbours (±1, ±2).
None names an outlet, a place or a person.

    python -m ingest.roles train [--corpus corpus/pages] [--seeds seeds] [--out ingest/data/roles.crfsuite]

retrains the shipped model. Training is deterministic: a fixed algorithm and parameters over the
pages in sorted order.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycrfsuite

from . import clean, vocabulary

ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = Path(__file__).resolve().parent / "data" / "roles.crfsuite"
CORPUS_DIR = ROOT / "corpus" / "pages"
SEEDS_DIR = ROOT / "seeds"

ROLES = ("chrome", "title", "subtitle", "meta", "byline", "h1", "h2", "h3", "item", "caption", "body", "footer")
CONTINUED = ("title", "h1", "h2", "h3")  # roles whose line may run on to the next (title+, h1+ …)

# Fixed training parameters: L-BFGS with elastic-net regularisation. c1 keeps the model small (most
# of the many neighbour features get no weight), c2 keeps weights from chasing one page's quirks; chosen
# by leave-one-outlet-out (bench/corpus_eval.py), where a sparser model read more headlines right.
TRAIN_PARAMS = {
    "c1": 0.5,
    "c2": 0.01,
    "max_iterations": 250,
    "feature.possible_transitions": True,
}

# ---- the form of a line ----------------------------------------------------------------------------

URL_RE = re.compile(r"https?://|www\.|\.(?:com|cn|net|org|html?|shtml)\b", re.I)
BRACKETED_RE = re.compile(f"^{clean.OPEN}.*{clean.CLOSE}$")
LEAD_BRACKET_RE = re.compile(f"^{clean.OPEN}")
DIGIT_RE = re.compile(r"\d+")
SPACE_RE = re.compile(r"\S\s+\S")
ANY_SPACE_RE = re.compile(r"\s")
LATIN_RE = re.compile(r"[A-Za-z]")
HTML_RE = re.compile(r"<[a-z/][^>]*>|&[a-z]+;|&#\d+;", re.I)
ELLIPSIS_END_RE = re.compile(r"(?:…|\.\.\.)[”’」』）)]*$")
PERSON_LIST_RE = re.compile(f"^[{vocabulary.CJK}]{{2,4}}(?:[\\s、，,]+[{vocabulary.CJK}]{{2,4}})*$")
KICKER_RE = re.compile(r"^(?:——|--|—)")
# Shapes that tell page furniture and headlines apart from what a neighbour suggests:
SEO_RE = re.compile(r"[^_]_[^_].*[^_]_[^_]")  # 免费在线视频_高清影视大全_…: a keyword line for search engines
IMAGE_FILE_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp)\s*$", re.I)  # 640 (1).jpg: an image's file name
TITLE_LABEL_RE = re.compile(r"^题\s*[:：]")  # 题：… under a wire dateline names the headline
LABEL_COLON_RE = re.compile(rf"^[{vocabulary.CJK}]{{2,4}}\s*[:：]")  # 讲述人：… 摘要：… a labelled field
# two short phrases set apart by a space (初心不改 奋力向前, 党建引领 同心共建社区): a headline's or a subheading's form
SPACED_PHRASES_RE = re.compile(r"^[^\s，,。]{2,14}(?: [^\s，,。]{2,14}){1,2}$")
QUOTATION_RE = re.compile(r"^[“「『\"][^“”「」『』\"]+[”」』\"]$")  # a line that is one quotation

# Vocabulary cues, as features: the keys of clean's meta and editor lines, and a few words that
# mark page furniture or a paper's apparatus. Generic words only (never an outlet's name).
EXTRA_CUES = (
    "讯", "消息", "电", "版", "期", "摘要", "单位", "简介", "系", "首页", "频道", "推荐", "相关", "声明", "扫",
    "下载", "客户端", "APP", "登录", "注册", "热点", "排行", "评论", "网友", "报", "网", "组织部", "党委",
)  # fmt: skip
CUES = tuple(dict.fromkeys([*clean.META_KEYS.split("|"), *clean.EDITOR_KEYS.split("|"), *EXTRA_CUES]))
CUE_LEAD_RE = re.compile(f"^{clean.OPEN}?\\s*(" + "|".join(sorted(map(re.escape, CUES), key=len, reverse=True)) + ")")
CUE_ANY_RE = re.compile("|".join(sorted(map(re.escape, CUES), key=len, reverse=True)))
SHORT_CUE_LINE = 40  # a cue word inside a longer line says little (文 and 图 are in every paragraph)


def _bucket(value: float, edges: Sequence[float]) -> int:
    for n, edge in enumerate(edges):
        if value <= edge:
            return n
    return len(edges)


def _char_class(ch: str) -> str:
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
        return "cjk"
    if ch.isdigit():
        return "digit"
    if ch.isascii() and ch.isalpha():
        return "latin"
    if ch in "（(【[〔〈《<{":
        return "open"
    if ch in "）)】]〕〉》>}":
        return "close"
    if ch in "“”‘’\"'「」『』":
        return "quote"
    if ch in "。！？!?":
        return "stop"
    if ch in "：:":
        return "colon"
    if ch in "，,、；;":
        return "comma"
    if ch in "…":
        return "ellipsis"
    return "sym"


def _long_paragraph(line: str) -> bool:
    return clean.cjk_count(line) >= 30 and clean.closes(line)


def line_features(line: str) -> list[str]:
    """What one line looks like on its own (no position): the rules' verdicts and its form."""
    n = len(line)
    cjk = clean.cjk_count(line)
    feats = [f"len={_bucket(n, (4, 8, 15, 25, 40, 80, 150))}", f"cjk={_bucket(cjk / n, (0, 0.3, 0.6, 0.9))}"]
    digits = sum(map(len, DIGIT_RE.findall(line)))
    feats.append(f"dig={_bucket(digits / n, (0, 0.2, 0.5))}")
    if kind := clean.chrome_kind(line):
        feats.append("chrome=" + kind)
    if kind := clean.meta_kind(line):
        feats.append("meta=" + kind)
    if clean.is_heading(line):
        feats.append("heading")
    if clean.is_caption(line):
        feats.append("caption")
    if clean.is_headline(line):
        feats.append("headline")
    if clean.closes(line):
        feats.append("closes")
    if clean.is_org_line(line):
        feats.append("org")
    if clean.RELATED_HEAD_RE.match(line):
        feats.append("related-head")
    if clean.NEWS_LEAD_RE.match(line):
        feats.append("news-lead")
    if vocabulary.DATELINE_RE.match(line):
        feats.append("dateline-lead")
    if clean.CAPTION_SIGNAL_RE.search(line):
        feats.append("caption-signal")
    if clean.HEADING_VERB_RE.match(line):
        feats.append("heading-verb")
    if clean.TRAILING_BRACKET_RE.match(line):
        feats.append("trailing-bracket")
    if style := vocabulary.numbering(line):
        feats.append("num=" + style)
    if m := clean.DATE_RE.search(line):
        feats.append("date-lead" if m.start() == 0 else "date")
    elif clean.DATE_LEAD_RE.match(line):
        feats.append("date-lead")
    # the patterns below are asked only of a line holding a character every match needs
    if ("." in line or ":" in line) and URL_RE.search(line):
        feats.append("url")
    if ("<" in line or "&" in line) and HTML_RE.search(line):
        feats.append("html")
    if BRACKETED_RE.match(line):
        feats.append("bracketed")
    elif LEAD_BRACKET_RE.match(line):
        feats.append("bracket-lead")
    if ("…" in line or "..." in line) and ELLIPSIS_END_RE.search(line):
        feats.append("ellipsis-end")
    stops = line.count("。")
    feats.append(f"stops={min(stops, 2)}")
    commas = line.count("，") + line.count(",")
    feats.append(f"commas={min(commas, 3)}")
    feats.append(f"spaces={min(len(SPACE_RE.findall(line)), 3) if ANY_SPACE_RE.search(line) else 0}")
    feats.append("first=" + _char_class(line[0]))
    feats.append("last=" + _char_class(line.rstrip(clean.TRAILING_CLOSERS)[-1:] or line[-1]))
    if "：" in line[:8] or ":" in line[:8]:
        feats.append("colon-early")
    if line.endswith(("：", ":")):
        feats.append("colon-end")
    if KICKER_RE.match(line):
        feats.append("kicker")
    if "_" in line and SEO_RE.search(line):
        feats.append("seo")
    if "." in line and IMAGE_FILE_RE.search(line):
        feats.append("image-file")
    if TITLE_LABEL_RE.match(line):
        feats.append("title-label")
    elif LABEL_COLON_RE.match(line):
        feats.append("label-colon")
    if SPACED_PHRASES_RE.match(line) and cjk >= 4:
        feats.append("spaced-phrases")
    if QUOTATION_RE.match(line):
        feats.append("quotation")
    if (m := vocabulary.DATELINE_RE.match(line)) and not line[m.end() :].strip():
        feats.append("dateline-alone")
    if n <= 30 and PERSON_LIST_RE.match(line):
        feats.append("names")
    if n <= 40 and vocabulary.ORG_NAME_RE.search(line):
        feats.append("org-name")
    if cjk == 0 and LATIN_RE.search(line):
        feats.append("latin-only")
    if m := CUE_LEAD_RE.match(line):
        feats.append("cue-lead=" + m.group(1))
    if n <= SHORT_CUE_LINE:
        feats.extend("cue=" + w for w in dict.fromkeys(CUE_ANY_RE.findall(line)))
    return feats


# Lines whose features are remembered: a page repeats lines (menus, list entries, a pasted copy) and an
# outlet's pages repeat theirs (breadcrumbs, tool bars, footers), and a line's features are its own.
REMEMBERED_LINES = 4096


@lru_cache(maxsize=REMEMBERED_LINES)
def _remembered_features(line: str) -> tuple[str, ...]:
    return tuple(line_features(line))


# The features of a line two away that still say something about this one.
FAR_FEATURES = ("chrome=", "meta=", "heading", "closes", "len=", "num=", "related-head", "in-related", "repeat", "caption")


def page_features(lines: Sequence[str]) -> list[list[str]]:
    """Features of every line of a page: its own, its position, and its neighbours' (±1, ±2)."""
    count = len(lines)
    own = [list(_remembered_features(line)) for line in lines]
    long_ones = [i for i, line in enumerate(lines) if _long_paragraph(line)]
    first_long = long_ones[0] if long_ones else count
    last_long = long_ones[-1] if long_ones else -1
    # The order in which numbering styles first appear: the first style seen is the top of the outline.
    style_rank: dict[str, int] = {}
    seen: set[str] = set()
    related_until = -1
    # The first line before the prose that reads like a headline and is neither chrome nor meta.
    headline = next(
        (i for i in range(min(first_long, count)) if clean.is_headline(lines[i]) and not clean.chrome_kind(lines[i])
         and not clean.meta_kind(lines[i])),
        -1,
    )
    if headline >= 0:
        own[headline].append("first-headline")
    for i, line in enumerate(lines):
        feats = own[i]
        style = vocabulary.numbering(line)
        if style and style != "bullet":
            rank = style_rank.setdefault(style, len(style_rank))
            feats.append(f"num-rank={min(rank, 2)}")
        key = clean.line_key(line)
        if key in seen:
            feats.append("repeat")
        seen.add(key)
        if clean.RELATED_HEAD_RE.match(line) and i >= related_until:
            # a head inside a list already scanned ends where that list ends: each line scanned once
            related_until = clean.related_list_end(lines, i)
        if i < related_until:
            feats.append("in-related")
    # two lines away only the broad strokes count; the detail of a line's form is noise there
    far = [[f for f in feats if f.startswith(FAR_FEATURES)] for feats in own]
    rows: list[list[str]] = []
    for i in range(count):
        row = ["bias", *own[i]]
        row.append(f"pos={min(i, 4)}")
        row.append(f"rel={_bucket(i / count, (0.1, 0.3, 0.7, 0.9))}")
        row.append(f"to-end={min(count - 1 - i, 4)}")
        row.append("zone=" + ("head" if i < first_long else "first" if i == first_long else "tail" if i > last_long else "body"))
        for off in (-2, -1, 1, 2):
            j = i + off
            if 0 <= j < count:
                near = own[j] if off in (-1, 1) else far[j]
                row.extend(f"{off}|{f}" for f in near)
            else:
                row.append(f"{off}|edge")
        rows.append(row)
    return rows


# ---- the model ---------------------------------------------------------------------------------------


# Roles a line's form rules out, whatever its neighbours suggest: (feature, roles it excludes).
HEADINGS = ("h1", "h2", "h3")
FORBIDDEN = (
    ("seo", ("title", "subtitle", *HEADINGS)),
    ("image-file", ("title", "subtitle", "caption", *HEADINGS)),
    ("kicker", ("title",)),  # ——记… is the line under a headline
    ("dateline-alone", ("title", *HEADINGS)),
    ("chrome=tools", ("title", *HEADINGS)),
    ("chrome=breadcrumb", ("title", *HEADINGS)),
    ("caption-signal", HEADINGS),
    ("chrome=aggregator-note", ("title", "body", *HEADINGS)),  # 来源：网络整理 … is the mirror's note, not the report
    # 一、 and （一） number the article's sections; navigation and tool bars are not numbered so
    ("num=cn", ("chrome",)),
    ("num=cn_paren", ("chrome",)),
    ("num=bullet", ("title",)),  # - … or • …: an entry of a list
    # 题：… names the headline under a wire dateline
    ("title-label", tuple(r for r in ROLES if r not in ("title", "subtitle"))),
    # a source, date, author or reporter line is never the headline or a section heading
    *((f"meta={kind}", ("title", *HEADINGS)) for kind in ("source", "dateline", "author", "author-unit", "byline", "reporter")),
)
TITLE_FALLBACK = 0.25


class RoleTagger:
    """A trained model, opened once: ``tag(lines)`` gives one role per line."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(self.path))

    def tag(self, lines: Sequence[str]) -> list[str]:
        if not lines:
            return []
        rows = page_features(lines)
        self._tagger.set(rows)
        excluded = [frozenset(role for feature, roles in FORBIDDEN if feature in features for role in roles)
                    for features in map(set, rows)]
        labels = [self._best(i, ex) if label.removesuffix("+") in ex else label
                  for i, (label, ex) in enumerate(zip(self._tagger.tag(), excluded, strict=True))]
        return consistent(self._one_headline(lines, self._fill_title(lines, labels, excluded), excluded))

    def _best(self, i: int, exclude: frozenset[str]) -> str:
        """The likeliest label of line ``i`` that its form allows (a search-engine keyword line is never the
        headline, an image's file name never a heading)."""
        options = [y for y in self._tagger.labels() if y.removesuffix("+") not in exclude]
        return max(options, key=lambda y: self._tagger.marginal(y, i))

    def _one_headline(self, lines: Sequence[str], labels: list[str], excluded: list[frozenset[str]]) -> list[str]:
        """A page has one headline (printed twice at most): of title lines that differ, the one nearest above
        the article stays (a site's or a column's name sits higher up), else the likeliest; the others take
        their likeliest other role."""
        starts = [i for i, y in enumerate(labels) if y == "title"]
        if len({clean.line_key(lines[i]) for i in starts}) < 2:
            return labels
        first = next((i for i, y in enumerate(labels) if y in ("body", *HEADINGS, "item")), len(labels))
        above = [i for i in starts if i < first]
        best = above[-1] if above else max(starts, key=lambda i: self._tagger.marginal("title", i))
        keep = clean.line_key(lines[best])
        out = list(labels)
        for i in starts:
            if clean.line_key(lines[i]) != keep:
                out[i] = self._best(i, excluded[i] | {"title"})
        return out

    def _fill_title(self, lines: Sequence[str], labels: list[str], excluded: list[frozenset[str]]) -> list[str]:
        """A page whose likeliest labelling has no headline gets the line above the article that is likeliest one,
        when it reads like a headline and the model gives it at least TITLE_FALLBACK (a page scraped without its
        headline has none)."""
        if "title" in labels:
            return labels
        first = next((i for i, y in enumerate(labels) if y in ("body", *HEADINGS, "item")), len(labels))
        candidates = [i for i in range(first) if "title" not in excluded[i] and clean.is_headline(lines[i])]
        best = max(candidates, key=lambda i: self._tagger.marginal("title", i), default=None)
        if best is not None and self._tagger.marginal("title", best) >= TITLE_FALLBACK:
            labels = [*labels[:best], "title", *labels[best + 1 :]]
        return labels


def consistent(labels: Sequence[str]) -> list[str]:
    """A continuation (h1+) only follows its own role; otherwise it is a line of that role."""
    out: list[str] = []
    for label in labels:
        base = label.removesuffix("+")
        if label != base and (not out or out[-1].removesuffix("+") != base):
            label = base
        out.append(label)
    return out


_opened: dict[Path, RoleTagger] = {}


def tagger(model: RoleTagger | str | Path | None = None) -> RoleTagger:
    """The tagger for a model: a RoleTagger as given, a path (opened once per process), or the shipped one."""
    if isinstance(model, RoleTagger):
        return model
    path = Path(model) if model is not None else MODEL_PATH
    key = path.resolve()
    if key not in _opened:
        _opened[key] = RoleTagger(key)
    return _opened[key]


# ---- training ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledPage:
    outlet: str
    name: str
    lines: tuple[str, ...]
    roles: tuple[str, ...]


def read_roles(path: Path) -> list[str]:
    """The roles of a ``.roles`` file, one per non-empty line of its page."""
    return [row.partition("\t")[0].strip() for row in path.read_text(encoding="utf-8").splitlines() if row.strip()]


def normalised_lines(raw: bytes, name: str) -> list[str]:
    """The lines clean sees: decode → repair → normalise, as the pipeline runs them."""
    from . import decode, normalise, repair

    text = decode.decode(raw, filename=name).text
    text, _ = repair.repair(text)
    text, _ = normalise.normalise(text)
    return clean.page_lines(text)


def load_page(page: Path, outlet: str) -> LabelledPage | None:
    """A labelled page, or None (with a note on stderr) when its roles do not line up with its lines."""
    roles = read_roles(page.with_suffix(".roles"))
    lines = normalised_lines(page.read_bytes(), page.name)
    if len(lines) != len(roles):
        print(f"roles: skipped {page.name}: {len(roles)} roles for {len(lines)} lines", file=sys.stderr)
        return None
    return LabelledPage(outlet, page.name, tuple(lines), tuple(roles))


def labelled_pages(corpus: Path | None = CORPUS_DIR, seeds: Path | None = SEEDS_DIR) -> list[LabelledPage]:
    """Every page with a ``.roles`` file: the corpus (outlet = its folder) and the seeds (outlet ``seeds``)."""
    found: list[tuple[str, Path]] = []
    if corpus is not None and corpus.is_dir():
        found += [(p.parent.name, p) for p in corpus.glob("*/*.txt") if p.with_suffix(".roles").exists()]
    if seeds is not None and seeds.is_dir():
        found += [("seeds", p) for p in seeds.glob("*.txt") if p.with_suffix(".roles").exists()]
    pages = (load_page(path, outlet) for outlet, path in sorted(found, key=lambda f: (f[0], f[1].name)))
    return [p for p in pages if p is not None]


def train(pages: Iterable[LabelledPage], out: str | Path) -> Path:
    """Train a model on the pages (in the order given: sort them for a reproducible model) into ``out``."""
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    trainer.set_params(TRAIN_PARAMS)
    for page in pages:
        trainer.append(page_features(page.lines), list(page.roles))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.roles", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("train", help="train the line-role model from the labelled corpus and seeds")
    cmd.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    cmd.add_argument("--seeds", type=Path, default=SEEDS_DIR)
    cmd.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    pages = labelled_pages(args.corpus, args.seeds)
    if not pages:
        parser.error("no labelled pages (a .txt with a .roles beside it) under --corpus or --seeds")
    train(pages, args.out)
    outlets = sorted({p.outlet for p in pages})
    print(f"trained {args.out} on {len(pages)} pages, {sum(len(p.lines) for p in pages)} lines, {len(outlets)} outlets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
