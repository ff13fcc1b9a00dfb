"""decode: bytes → str. STUB: replaced by the decode helper."""

from __future__ import annotations

from dataclasses import dataclass, field

from .report import Change, ReportRejected


@dataclass
class Decoded:
    text: str
    encoding: str
    flags: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


def decode(raw: bytes, filename: str = "") -> Decoded:
    if not raw.strip():
        raise ReportRejected("文件为空")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return Decoded(raw.decode(enc), enc)
        except UnicodeDecodeError:
            continue
    return Decoded(raw.decode("utf-8", errors="replace"), "utf-8", ["undecodable-bytes"])
