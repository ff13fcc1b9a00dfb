"""dedupe: the same report from another outlet, found by the text it shares, not by how it opens.

An outlet that reprints a report often gives it its own opening (a dateline, an editor's line,
a different first paragraph) and its own furniture, so comparing leads misses such copies.
Instead each body gets a MinHash signature (rensa) of its character shingles, and the
signature is cut into LSH bands: two reports that share most of their shingles share several
bands with near certainty, two unrelated reports almost never one. The bands are plain strings
(``band_keys``), so the archive's own database can index them and answer "which cases share
bands with this one" with an indexed lookup; the candidates are then compared by their
signatures (``similarity_to_stored``).

Pure functions over text: no database, no Django.
"""

from __future__ import annotations

import hashlib
import re
from array import array

import rensa

from .vocabulary import CJK

NUM_PERM = 128  # hash functions in a signature
BANDS, ROWS = 32, 4  # BANDS × ROWS = NUM_PERM; a pair of Jaccard similarity s shares a band with
# probability 1 − (1 − s⁴)³²: 0.9998 at s = 0.7, 0.87 at 0.5, 0.23 at 0.3, 0.03 at 0.2
MIN_SHARED_BANDS = 2  # a candidate shares this many bands: ~7.7 expected at s = 0.7, 0.3 at s = 0.3
SHINGLE = 5  # characters in a shingle: long enough that unrelated Chinese prose rarely shares one
SEED = 1  # the hash functions' seed: fixed, since signatures are stored and compared across runs
# A stored signature is only comparable with one the same algorithm made: pyproject pins rensa's
# minor version, and ``manage.py reindex`` remakes every case's signature after an upgrade.
_TYPECODE = "Q"  # hash values as unsigned 64-bit integers

# What a shingle is made of: Chinese characters, letters and digits; punctuation, spaces and line
# breaks differ between outlets' copies of one text and say nothing about it.
_TEXT_RE = re.compile(f"[{CJK}A-Za-z0-9]+")


def shingles(body: str) -> set[str]:
    """The body's character shingles (its text without punctuation or spaces, SHINGLE at a time)."""
    text = "".join(_TEXT_RE.findall(body))
    if len(text) <= SHINGLE:
        return {text} if text else set()
    return {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def signature(body: str) -> array:
    """The body's MinHash signature: NUM_PERM hash values."""
    minhash = rensa.RMinHash(num_perm=NUM_PERM, seed=SEED)
    # each hash value is a minimum over the shingles, so their order changes nothing (tested)
    minhash.update(list(shingles(body)))
    return array(_TYPECODE, minhash.digest())


def band_keys(sig: array) -> list[str]:
    """One key per LSH band: the band's number and a digest of its hash values."""
    return [
        f"{band:02d}{hashlib.blake2b(sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).hexdigest()}"
        for band in range(BANDS)
    ]


def to_bytes(sig: array) -> bytes:
    """The signature as bytes, to store beside the report."""
    return sig.tobytes()


def from_bytes(data: bytes) -> array:
    """A stored signature back."""
    sig = array(_TYPECODE)
    sig.frombytes(data)
    return sig


def similarity(a: array, b: array) -> float:
    """The estimated Jaccard similarity of two bodies' shingle sets: the share of equal hash values."""
    if len(a) != len(b) or not a:
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def similarity_to_stored(sig: array, data: bytes) -> float:
    """``similarity`` to a stored signature (``to_bytes``)."""
    if len(data) != len(sig) * sig.itemsize:
        return 0.0
    return similarity(sig, from_bytes(data))
