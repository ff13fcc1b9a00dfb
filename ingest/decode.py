"""decode: raw report bytes → text, with the encoding judged from the bytes, never the file name.

Order of the checks, and why:

1. empty / binary: an empty file, or an image, PDF or archive renamed ``.txt``, is not a
   report; its magic number (or NUL bytes outside UTF-16, or mostly control characters)
   says so before any decoder guesses at it;
2. byte-order marks (UTF-8, UTF-16, UTF-32) are certain;
3. a saved web page honours its ``<meta charset>`` when the bytes agree with it;
4. otherwise each candidate (UTF-8, GB18030, Big5, UTF-16 without BOM) decodes the bytes
   and the reading that looks most like Chinese wins: the share of common characters
   (GB2312 level 1 and Big5 常用字), less the replacement, private-use and rare ones. Strict
   UTF-8 is preferred when it succeeds, since GBK or Big5 bytes are almost never valid UTF-8.
   charset-normalizer is not used: on short Chinese texts it often confuses GBK with Big5
   (both are two-byte encodings over the same byte ranges), the case that matters here;
5. a saved page's article is taken out of its chrome by trafilatura and written as the lines
   a scraped ``.txt`` has (title, meta line, paragraphs), so the later stages read both alike
   (see ``html_to_text``).

A reading that needs a few replacement characters is kept and flagged
(``undecodable-bytes:N``); one that needs many is rejected.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from .report import Change, ReportRejected
from .vocabulary import CJK


@dataclass
class Decoded:
    text: str
    encoding: str
    flags: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


# Magic numbers of files that are often renamed or mis-saved as .txt/.html.
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"BM", None),  # too short to trust alone: checked with its header below
    (b"RIFF", "RIFF 媒体文件(WebP/WAV/AVI)"),
    (b"%PDF", "PDF 文件"),
    (b"PK\x03\x04", "ZIP 压缩包(或 docx/xlsx 文档)"),
    (b"PK\x05\x06", "ZIP 压缩包"),
    (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩文件"),
    (b"BZh", None),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文档(doc/xls)"),
    (b"\x7fELF", "可执行程序"),
    (b"SQLite format 3\x00", "SQLite 数据库"),
    (b"ID3", "MP3 音频"),
    (b"\x00\x00\x01\x00", "图标文件"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (b"OggS", "Ogg 媒体文件"),
    (b"\x1aE\xdf\xa3", "视频文件"),
)

BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

# A charset a page declares → the codec that reads it (GB2312 and GBK pages routinely
# carry characters only GBK/GB18030 has; Big5 pages characters only cp950/HKSCS has).
CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "euc-cn": "gb18030", "hz-gb-2312": "gb18030",
    "big5": "big5", "big5-hkscs": "big5hkscs", "cp950": "cp950", "x-x-big5": "big5",
    "utf-8": "utf-8", "utf8": "utf-8", "unicode": "utf-16", "utf-16": "utf-16",
    "utf-16le": "utf-16-le", "utf-16be": "utf-16-be",
}  # fmt: skip

MAX_BAD_SHARE = 0.05  # more replacement characters than this and the reading is wrong, not damaged
SNIFF_BYTES = 64 * 1024  # judging the encoding on the head of a file is enough and keeps big files cheap

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HTML_SNIFF = re.compile(
    rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<p[\s>]|<div[\s>]", re.I
)
_ANY_TAG = re.compile(rb"<(?:[a-z][a-z0-9]*)(?:\s[^>]*)?/?>", re.I)
_CJK = re.compile(f"[{CJK}]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# a character beyond ASCII that is not a space (re's \s in a str pattern is str.isspace())
_WIDE = re.compile(r"[^\x00-\x7f\s]")
# Characters a right reading of a Chinese report hardly ever holds: private use, replacement,
# and the symbols a wrong two-byte reading falls on (kana, bopomofo, box drawing, Hangul, Cyrillic, Greek).
_ODD = re.compile(
    r"[\ue000-\uf8ff\ufffd\u3040-\u30ff\u3100-\u312f\u2500-\u257f\uac00-\ud7af\u0400-\u04ff\u0370-\u03ff]"
)


def decode(raw: bytes, filename: str = "") -> Decoded:
    """Bytes → ``Decoded``; raise ``ReportRejected`` (reason in Chinese) when the bytes are not a text report."""
    if not raw.strip():
        raise ReportRejected("文件为空")
    _reject_binary(raw)

    # the name only counts when the bytes hold markup: a .html file may be plain text saved so
    is_html = _looks_like_html(raw) or (
        filename.lower().endswith((".html", ".htm", ".xhtml", ".shtml")) and bool(_ANY_TAG.search(raw[:SNIFF_BYTES]))
    )
    text, encoding, bad = _decode_text(raw, is_html)
    if not text.strip():
        raise ReportRejected("文件为空(只有空白字符)")
    if _share(_CONTROL, text) > 0.1:
        raise ReportRejected("不是文本文件(大部分是控制字符)")

    decoded = Decoded(text, encoding)
    if bad:
        i = text.find("\ufffd")
        example = text[max(0, i - 8) : i + 8].replace("\n", " ")
        decoded.flags.append(f"undecodable-bytes:{bad}")
        decoded.changes.append(Change("decode", "undecodable-bytes", bad, (f"{encoding}: {example}",)))
    if is_html:
        decoded.text = html_to_text(decoded.text)
        decoded.changes.append(Change("decode", "html", 1, ()))
        if not decoded.text.strip():
            raise ReportRejected("网页中没有正文文字")
    return decoded


# --- binary ---------------------------------------------------------------------------------------


def _reject_binary(raw: bytes) -> None:
    head = raw[:16]
    for magic, what in MAGIC:
        if what and head.startswith(magic):
            raise ReportRejected(f"不是文本文件(看起来是{what})")
    if head.startswith(b"BM") and len(raw) > 26 and raw[6:10] == b"\x00\x00\x00\x00":
        raise ReportRejected("不是文本文件(看起来是 BMP 图片)")
    if any(raw.startswith(bom) for bom, _ in BOMS):
        return  # UTF-16/32 text has NULs by design
    sample = raw[:SNIFF_BYTES]
    if sample.count(0) and not _utf16_order(sample):
        raise ReportRejected("不是文本文件(含有 NUL 字节,像是二进制数据)")


def _utf16_order(sample: bytes) -> str | None:
    """UTF-16 without a BOM: the reading (LE or BE) that gives Chinese text with no control
    characters. NULs alone do not tell: ASCII leaves them on one side, but so can 一 (U+4E00)
    on the other."""
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    best = None
    for enc in ("utf-16-le", "utf-16-be"):
        text = sample.decode(enc, errors="replace")
        if _CONTROL.search(text):
            continue
        score = _score(text)
        if score > 0.8 and (best is None or score > best[0]):
            best = (score, enc)
    return best[1] if best else None


# --- choosing the encoding ------------------------------------------------------------------------


def _looks_like_html(raw: bytes) -> bool:
    return bool(_HTML_SNIFF.search(raw[:4096].lstrip()[:4096]))


MIN_SCORE = 0.3  # a text of mixed ASCII and Chinese; real reports score above 0.9
MIN_GUESSED_UTF16_SCORE = 0.8


def _decode_text(raw: bytes, is_html: bool) -> tuple[str, str, int]:
    """Return (text, encoding, number of replaced characters) or reject."""
    for bom, enc in BOMS:
        if raw.startswith(bom):
            text = raw.decode(enc, errors="replace")
            return text.lstrip("\ufeff"), enc, text.count("\ufffd")

    if is_html:
        declared = _declared_charset(raw)
        if declared:
            text = raw.decode(declared, errors="replace")
            bad = text.count("\ufffd")
            if bad <= MAX_BAD_SHARE * max(1, len(_CJK.findall(text))) and _score(text) > 0.5:
                return text, declared, bad

    try:
        return raw.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass

    candidates = ["gb18030", "big5", "cp950", "big5hkscs"]
    order = _utf16_order(raw[:SNIFF_BYTES])
    if order:
        candidates.insert(0, order)
    elif len(raw) % 2 == 0:  # UTF-16 Chinese with no ASCII in it leaves no NULs to see
        candidates += ["utf-16-le", "utf-16-be"]
    best: tuple[float, str, str, int] | None = None
    for enc in ("utf-8", *candidates):
        text = raw.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        score = _score(text[: SNIFF_BYTES // 2])
        if best is None or score > best[0] + 1e-9:
            best = (score, enc, text, bad)
            if score >= 1.0:
                break  # a reading of common characters alone: no other can score higher (_score's top)
    score, enc, text, bad = best
    chars = max(1, len(text.strip()))
    # Almost any even-length byte string reads as *some* CJK in UTF-16, so a reading guessed without
    # a BOM or NUL pattern must look like a real report (Shift-JIS read as UTF-16-BE scores ~0.4).
    floor = MIN_GUESSED_UTF16_SCORE if enc.startswith("utf-16") and not order else MIN_SCORE
    if score < floor or bad > MAX_BAD_SHARE * chars:
        raise ReportRejected("无法识别文件编码(不是 UTF-8、GB18030/GBK、Big5 或 UTF-16 文本)")
    return text, enc, bad


def _declared_charset(raw: bytes) -> str | None:
    m = _META_CHARSET.search(raw[:8192])
    if not m:
        return None
    return CHARSET_ALIASES.get(m.group(1).decode("ascii", "ignore").lower())


@cache
def common_chars() -> frozenset[str]:
    """The characters a Chinese text is mostly made of: GB2312 level 1 (3,755 simplified) and Big5's
    常用字 (5,401 traditional), plus the Chinese punctuation of both; built once from the codecs."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            chars.add(bytes((lead, trail)).decode("gb2312", errors="ignore"))
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            chars.add(bytes((lead, trail)).decode("big5", errors="ignore"))
    chars.update("，。、：；？！“”‘’（）《》〈〉「」『』【】〔〕…—·　")
    chars.discard("")
    return frozenset(chars)


def _share(pattern: re.Pattern, text: str) -> float:
    return len(pattern.findall(text)) / max(1, len(text))


def _score(text: str) -> float:
    """How much ``text`` reads like a Chinese report: the share of common characters among the
    non-ASCII ones, minus replacement / private-use / odd symbols. Plain ASCII counts as neutral."""
    # counted per distinct character, each judged once per process: five to seven candidate
    # readings of each non-UTF-8 file are scored
    wide = good = odd = 0
    for c, n in Counter(text).items():
        weight = _weights.get(c)
        if weight is None:
            weight = _weight(c)
        if weight is not None:
            wide += n
            good += n * weight[0]
            odd += n * weight[1]
    if not wide:
        return 0.5 if text.strip() and not _CONTROL.search(text) else 0.0
    return (good - 2 * odd) / wide


# character → None (ASCII or a space: not counted), else (common?, odd?) as 0/1 (see _score)
_weights: dict[str, tuple[int, int] | None] = {}


def _weight(c: str) -> tuple[int, int] | None:
    weight = (int(c in common_chars()), int(bool(_ODD.match(c)))) if _WIDE.match(c) else None
    if len(_weights) >= 1 << 17:  # bounded: a reading of random bytes meets many characters
        _weights.clear()
    _weights[c] = weight
    return weight


# --- HTML -----------------------------------------------------------------------------------------

# The label of a page's own meta line: 发布时间：… 来源：… 作者：…
_META_LABEL = re.compile(r"(?:稿件|文章|信息|新闻)?来源\s*[:：]|作者\s*[:：]|(?:发布|发表|更新)?(?:时间|日期)\s*[:：]")
_NEXT_LABEL = r"(?=\s|$|[|｜丨【\[]|(?:作者|编辑|责编|发布|时间|日期|浏览|点击|阅读|字号)\s*[:：]?)"
_SOURCE_VALUE = re.compile(r"(?:稿件|文章|信息|新闻)?来源\s*[:：]\s*(?P<v>[^\s|｜丨【\[]+?)" + _NEXT_LABEL)
_AUTHOR_VALUE = re.compile(r"作者\s*[:：]\s*(?P<v>[^\s|｜丨【\[]+?)" + _NEXT_LABEL)
_DATE_VALUE = re.compile(r"\d{4}\s*(?:年|[-/.])\s*\d{1,2}\s*(?:月|[-/.])\s*\d{1,2}\s*日?")
# 来源：网络整理 names no publisher: the site's own name says more
_AGGREGATOR = re.compile(r"^(?:网络|互联网|网友|本站|转载|综合|整理)")
# a page title ends with the site's name after one of these: 标题_网站名, 标题 - 网站名, 标题--网站名
_TITLE_SEPARATOR = re.compile(rf"\s*(?:_|\||｜|--|\s[-–—]\s)\s*|(?<=[{CJK}”」》）])-(?=[{CJK}])")
_PERSON = re.compile(rf"^[{CJK}A-Za-z·• 、]{{2,30}}$")  # names: no colon, bracket or 编辑： key
META_LINE_MAX = 160  # a meta line is short; a longer block holding 来源： is an article or a list
SKIPPED_TAGS = ("script", "style", "noscript", "template", "title", "head", "textarea", "select", "option")


@cache
def _trafilatura_config():
    from trafilatura.settings import use_config

    config = use_config()
    # Trafilatura falls back to a whole-page baseline when the article is under 250 characters;
    # 250 Chinese characters are a long news item, so the bar is set for Chinese text.
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "40")
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # no SIGALRM: extraction also runs in worker processes
    return config


@dataclass
class PageFacts:
    """What a saved page says about its article besides the text."""

    title: str = ""
    date: str = ""  # ISO from htmldate, else the page's own date as written
    source: str = ""  # the page's 来源, else the site's name
    author: str = ""
    paragraphs: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The page as a scraped .txt reads: title, one meta line, then the paragraphs."""
        meta = " ".join(
            f"{label}{value}"
            for label, value in (("发布时间：", self.date), ("来源：", self.source), ("作者：", self.author))
            if value
        )
        return [line for line in (self.title, meta, *self.paragraphs) if line]


def html_to_text(html: str) -> str:
    """The article of a saved page as the lines a scraped .txt has: the title, a meta line
    (``发布时间：… 来源：… 作者：…``, the parts found), then one line per paragraph."""
    facts = read_page(html)
    return "\n".join(facts.lines()) if facts.paragraphs else ""


def read_page(html: str) -> PageFacts:
    """Trafilatura's main text, title, date (htmldate), author and site name, and the page's own
    meta line for what trafilatura does not read in Chinese (来源：…, 作者：…). Never fetches: the page
    is given as text and no URL is passed."""
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        return PageFacts()
    _unwrap_layout_tables(tree)
    own = _page_meta(tree)
    doc = trafilatura.bare_extraction(
        tree, with_metadata=True, include_comments=False, include_tables=True, config=_trafilatura_config(),
        # markup only (meta tags, <time>, known classes): the free-text search takes a year
        # anywhere on the page (a related item, the copyright line) for the publication date
        date_extraction_params={"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%d"},
    )
    if doc is None:
        return PageFacts()
    title, site = _split_site_title(_clean(doc.title or ""))
    meta_texts = {_clean(text) for text in own["texts"]}
    paragraphs = []
    for line in (doc.text or "").splitlines():
        line = _clean(line)
        if line and line != title and line not in meta_texts:
            paragraphs.append(line)
    if not any(_CJK.search(p) for p in paragraphs):
        return PageFacts(title=title)
    sitename = _clean(doc.sitename or "")
    author = re.sub(r"^作者\s*[:：]\s*", "", _clean(doc.author or ""))
    if not _PERSON.match(author):
        author = ""  # trafilatura reads an author out of a class name: an editor's line is no author
    return PageFacts(
        title=title,
        date=doc.date or own["date"],
        source=own["source"] or (sitename if _CJK.search(sitename) else "") or site,
        author=own["author"] or author,
        paragraphs=paragraphs,
    )


def _clean(text: str) -> str:
    return re.sub(r"[ \t\r\f\v\xa0\u3000]+", " ", text).strip()


def _split_site_title(title: str) -> tuple[str, str]:
    """``标题_网站名`` / ``标题 - 网站名`` → (``标题``, ``网站名``); a title with no site part is kept whole."""
    parts = [p for p in _TITLE_SEPARATOR.split(title) if p and p.strip()]
    if len(parts) < 2:
        return title, ""
    head = parts[0] if len(parts[0]) >= 6 else max(parts[:2], key=len)
    site = parts[-1].strip() if len(parts[-1]) <= 20 and parts[-1] != head else ""
    return head.strip(), site


def _unwrap_layout_tables(tree) -> None:
    """Old CMS pages lay the whole page out in tables; trafilatura then reads the article as one
    table cell, its ``<br>`` paragraphs run together. A table that lays out (a cell holding a
    table, a block or line breaks, or a paragraph's worth of text) becomes plain ``<div>``s; a
    table of figures (short cells) stays a table."""
    layout = []
    for table in tree.iter("table"):
        for cell in table.xpath("./tr/td | ./tr/th | ./*/tr/td | ./*/tr/th"):
            text = cell.text_content()
            if cell.xpath(".//table | .//p | .//div | .//br") or len(_CJK.findall(text)) > 60:
                layout.append(table)
                break
    for table in layout:
        for node in [table, *table.xpath("./tr | ./*/tr | ./*/tr/td | ./*/tr/th | ./tr/td | ./tr/th | ./*")]:
            node.tag = "div"


def _page_meta(tree) -> dict:
    """The page's own meta lines (short blocks with 来源：/作者：/日期：), outermost first, and the
    source, author and date text they give."""
    found = {"texts": [], "source": "", "author": "", "date": ""}
    body = tree.find(".//body")
    if body is None:
        return found
    inside: set = set()
    for node in body.iter():
        if not isinstance(node.tag, str) or node.tag in SKIPPED_TAGS or node in inside:
            continue
        text = _visible_text(node)
        if not text or len(text) > META_LINE_MAX or not _META_LABEL.search(text):
            continue
        inside.update(node.iterdescendants())
        found["texts"].append(text)
        source = _SOURCE_VALUE.search(text)
        if source and not found["source"] and not _AGGREGATOR.match(source.group("v")):
            found["source"] = source.group("v").strip("：:，,。")
        author = _AUTHOR_VALUE.search(text)
        if author and not found["author"]:
            found["author"] = author.group("v").strip("：:，,。")
        date = _DATE_VALUE.search(text)
        if date and not found["date"]:
            found["date"] = re.sub(r"\s+", "", date.group())
    return found


def _visible_text(node) -> str:
    """The text a reader sees in ``node``, its elements' texts set apart by a space (scripts left out)."""
    parts: list[str] = []

    def walk(element) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            if isinstance(child.tag, str) and child.tag not in SKIPPED_TAGS:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(node)
    return _clean(" ".join(p for p in parts if p.strip()))
