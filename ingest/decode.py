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
5. a page's article is taken out of its chrome (see ``html_to_text``).

A reading that needs a few replacement characters is kept and flagged
(``undecodable-bytes:N``); one that needs many is rejected.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from .report import Change, ReportRejected


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
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
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

    is_html = filename.lower().endswith((".html", ".htm", ".xhtml", ".shtml")) or _looks_like_html(raw)
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
    common = common_chars()
    wide = _WIDE.findall(text)
    if not wide:
        return 0.5 if text.strip() and not _CONTROL.search(text) else 0.0
    # counted per distinct character: five candidate readings of each non-UTF-8 file are scored
    good = sum(n for c, n in Counter(wide).items() if c in common)
    odd = len(_ODD.findall(text))
    return (good - 2 * odd) / len(wide)


# --- HTML -----------------------------------------------------------------------------------------

CHROME_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
               "iframe", "svg", "canvas", "button", "select", "input", "textarea", "object", "embed")  # fmt: skip
_BLOCKS = "address article blockquote dd div dl dt figcaption figure h1 h2 h3 h4 h5 h6 hr li main ol p pre section table tbody td tfoot th thead tr ul br center"  # noqa: E501
BLOCK_TAGS = frozenset(_BLOCKS.split())
# class/id words that mark page chrome in the CMSs these reports come from
_CHROME_ATTR = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumb|crumb|footer|foot|header|sidebar|side|share|bdshare|"
    r"comment|related|recommend|copyright|pager|pagination|toolbar|ad|ads|advert)([\s_-]|$)",
    re.I,
)


def html_to_text(html: str) -> str:
    """The article of a saved page as lines of text: the title (``<h1>``, else ``<title>``) first,
    then the block with the most Chinese text in paragraphs, one line per block element."""
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(html, "html.parser")
    title_tag = soup.find("title")
    page_title = title_tag.get_text(" ", strip=True) if title_tag else ""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body", "article", "main"):
            continue
        attrs = " ".join([*(tag.get("class") or []), tag.get("id") or ""])
        if attrs and _CHROME_ATTR.search(attrs) and not _holds_article(tag):
            tag.decompose()

    body = soup.body or soup
    content = _main_block(body)
    h1 = content.find("h1") or body.find("h1")
    title = h1.get_text(" ", strip=True) if h1 else _site_title(page_title)
    lines = _block_lines(content)
    if title and (not lines or lines[0] != title):
        lines = [title, *(line for line in lines if line != title)]
    return "\n".join(lines)


def _holds_article(tag) -> bool:
    # a chrome-looking wrapper (class="main-side") may still hold the article: keep it then
    return tag.find(["article", "main"]) is not None or len(_CJK.findall(tag.get_text())) > 300


def _main_block(body):
    """``<article>``/``<main>`` when they hold the text, else the element whose own paragraphs hold
    the most Chinese characters (the readability heuristic)."""
    totals: dict[int, tuple[int, object]] = {}
    for p in body.find_all(["p", "br"]):
        parent = p.parent
        if parent is None:
            continue
        n = len(_CJK.findall(p.get_text())) if p.name == "p" else 0
        if p.name == "br":  # pages that write paragraphs as text separated by <br>
            n = sum(len(_CJK.findall(s)) for s in parent.find_all(string=True, recursive=False))
        key = id(parent)
        totals[key] = (totals.get(key, (0, parent))[0] + n, parent)
    best = max(totals.values(), key=lambda item: item[0], default=(0, None))
    for tag in body.find_all(["article", "main"]) + body.find_all(attrs={"role": "main"}):
        text_len = len(_CJK.findall(tag.get_text()))
        if text_len and text_len >= 0.5 * best[0]:
            return tag
    if best[1] is None or best[0] < 20:
        return body
    return best[1]


def _block_lines(root) -> list[str]:
    """Text of ``root`` with a line break around every block element, inline elements kept inline."""
    from bs4 import NavigableString, Tag

    parts: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                parts.append(str(child))
            elif isinstance(child, Tag):
                block = child.name in BLOCK_TAGS
                if block:
                    parts.append("\n")
                walk(child)
                if block:
                    parts.append("\n")

    walk(root)
    lines = []
    for line in "".join(parts).split("\n"):
        line = re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip()
        if line:
            lines.append(line)
    return lines


def _site_title(title: str) -> str:
    """``标题_网站名`` / ``标题 - 网站名`` → ``标题``: a page title usually ends with the site's name."""
    parts = [p.strip() for p in re.split(r"\s*(?:_|\||—|–|-{1,2})\s*", title) if p.strip()]
    return max(parts[:2], key=len) if parts else ""
