"""dedupe: MinHash signatures (rensa) and LSH band keys find a reprint whose opening differs."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import rensa

from ingest import dedupe

REPORT = (
    "今年以来，青溪区坚持以党建引领物业服务，在全区推行“红色物业”。区委组织部牵头，"
    "把党支部建在小区里，让党员物业经理亮身份、领任务。小区里的停车难、加装电梯、"
    "垃圾分类等老问题，一件件摆上议事会的桌面，居民、业委会和物业公司坐下来一起商量。"
    "截至目前，全区已建成物业党支部46个，收集居民诉求5600余条，办结率达到97%。"
    "下一步，青溪区将把经验推广到老旧小区，让党组织的作用在家门口看得见、摸得着。"
)
OTHER = (
    "南岸区推行网格化管理，划分网格312个，2400多名党员进网格。网格员每天巡查，"
    "把居民反映的问题记在本子上，当天能办的当天办，办不了的报到街道统一调度。"
    "一年来，全区收集的问题大多在网格里解决，群众满意度明显提升。"
)


def test_shingles_ignore_punctuation_and_spacing():
    assert dedupe.shingles("党建，引领 治理。") == dedupe.shingles("党建引领治理")
    assert dedupe.shingles("党建") == {"党建"}
    assert dedupe.shingles("，。 ") == set()


@pytest.mark.parametrize(
    ("copy", "same"),
    [
        (REPORT, True),
        # a reprint with its own dateline, an editor's line and other punctuation
        ("本报讯（记者 张某）编者按：这是一篇来稿。" + REPORT.replace("，", ",").replace("。", ".\n"), True),
        # a reprint that drops the first sentence and adds a closing line
        (REPORT.split("。", 1)[1] + "（来源：某某日报）", True),
        (OTHER, False),
        ("", False),
    ],
)
def test_a_reprint_shares_a_band_and_scores_high(copy, same):
    a, b = dedupe.signature(REPORT), dedupe.signature(copy)
    shares_band = bool(set(dedupe.band_keys(a)) & set(dedupe.band_keys(b)))
    assert shares_band is same
    assert (dedupe.similarity(a, b) >= 0.6) is same


def test_band_keys_are_stable_strings():
    keys = dedupe.band_keys(dedupe.signature(REPORT))
    assert len(keys) == dedupe.BANDS == len(set(keys))
    assert keys == dedupe.band_keys(dedupe.signature(REPORT))  # the same text, the same keys, every run
    assert all(len(k) == 18 and k[:2].isdigit() for k in keys)


def test_a_stored_signature_compares_as_the_original():
    sig = dedupe.signature(REPORT)
    back = dedupe.from_bytes(dedupe.to_bytes(sig))
    assert dedupe.band_keys(back) == dedupe.band_keys(sig)
    assert dedupe.similarity(back, dedupe.signature(OTHER)) == dedupe.similarity(sig, dedupe.signature(OTHER))


def test_similarity_to_a_stored_signature_is_the_estimated_jaccard():
    a, b = dedupe.signature(REPORT), dedupe.signature(OTHER)
    assert dedupe.similarity_to_stored(a, dedupe.to_bytes(b)) == dedupe.similarity(a, b)
    assert dedupe.similarity_to_stored(a, dedupe.to_bytes(a)) == 1.0
    assert dedupe.similarity_to_stored(a, b"") == 0.0


def test_the_signature_does_not_depend_on_the_order_of_the_shingles():
    """``signature`` hands rensa the shingles unsorted: each hash value is a minimum, so any order gives
    the same signature (stored signatures stay comparable)."""
    for seed in sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt")):
        body = seed.read_text(encoding="utf-8", errors="replace")
        shuffled = sorted(dedupe.shingles(body))
        random.Random(seed.name).shuffle(shuffled)
        for order in (sorted(dedupe.shingles(body)), shuffled):
            minhash = rensa.RMinHash(num_perm=dedupe.NUM_PERM, seed=dedupe.SEED)
            minhash.update(order)
            assert dedupe.signature(body).tolist() == list(minhash.digest())
