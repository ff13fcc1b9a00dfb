"""dedupe: the same report from another outlet, found by the text it shares, not by how it opens.

An outlet that reprints a report often gives it its own opening (a dateline, an editor's line,
a different first paragraph) and its own furniture, so comparing leads misses such copies.
Instead each body gets a MinHash signature (datasketch) of its character shingles, and the
signature is cut into LSH bands: two reports that share most of their shingles share at least
one band with near certainty, two unrelated reports almost never. The bands are plain strings
(``band_keys``), so the archive's own database can index them and answer "which cases share a
band with this one" with an indexed lookup; the candidates are then compared by their
signatures (``similarity``) and, by the loader, by their text.

Pure functions over text: no database, no Django.
"""

from __future__ import annotations

import hashlib
import re

from .vocabulary import CJK

NUM_PERM = 128  # hash functions in a signature
BANDS, ROWS = 32, 4  # BANDS × ROWS = NUM_PERM; a pair of Jaccard similarity s shares a band with
# probability 1 − (1 − s⁴)³²: 0.9998 at s = 0.7, 0.87 at 0.5, 0.23 at 0.3, 0.03 at 0.2
MIN_SHARED_BANDS = 2  # a candidate shares this many bands: ~7.7 expected at s = 0.7, 0.3 at s = 0.3
SHINGLE = 5  # characters in a shingle: long enough that unrelated Chinese prose rarely shares one
SEED = 1  # the hash functions' seed: fixed, since signatures are stored and compared across runs
SCHEME = "affine32"  # datasketch's hashing scheme, named so that stored signatures stay comparable

# What a shingle is made of: Chinese characters, letters and digits; punctuation, spaces and line
# breaks differ between outlets' copies of one text and say nothing about it.
_TEXT_RE = re.compile(f"[{CJK}A-Za-z0-9]+")


def shingles(body: str) -> set[bytes]:
    """The body's character shingles (its text without punctuation or spaces, SHINGLE at a time)."""
    text = "".join(_TEXT_RE.findall(body))
    if len(text) <= SHINGLE:
        return {text.encode("utf-8")} if text else set()
    return {text[i : i + SHINGLE].encode("utf-8") for i in range(len(text) - SHINGLE + 1)}


def signature(body: str):
    """The body's MinHash signature (a ``datasketch.MinHash``)."""
    from datasketch import MinHash  # numpy and datasketch load only when a signature is made

    sig = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    sig.update_batch(list(shingles(body)))
    return sig


def band_keys(sig) -> list[str]:
    """One key per LSH band: the band's number and a digest of its hash values."""
    values = sig.hashvalues
    return [
        f"{band:02d}{hashlib.blake2b(values[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).hexdigest()}"
        for band in range(BANDS)
    ]


def to_bytes(sig) -> bytes:
    """The signature as bytes, to store beside the report."""
    return sig.hashvalues.tobytes()


def from_bytes(data: bytes):
    """A stored signature back as a MinHash."""
    import numpy as np
    from datasketch import MinHash

    dtype = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).hashvalues.dtype
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashvalues=np.frombuffer(data, dtype=dtype).copy())


def similarity(a, b) -> float:
    """The estimated Jaccard similarity of the two bodies' shingle sets."""
    return float(a.jaccard(b))


def similarity_to_stored(sig, data: bytes) -> float:
    """``similarity`` to a stored signature (``to_bytes``), without building a MinHash for it: the
    share of hash values the two signatures have in common, which is what ``MinHash.jaccard`` is."""
    import numpy as np

    stored = np.frombuffer(data, dtype=sig.hashvalues.dtype)
    if stored.shape != sig.hashvalues.shape:
        return 0.0
    return float(np.count_nonzero(stored == sig.hashvalues)) / NUM_PERM
