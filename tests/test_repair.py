"""repair: pinyin annotations and shifted GBK, on literal snippets (real ones from seed 002 and
damage made here the way the faulty decoder makes it), and never a change to clean text."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import opencc
import pytest

from ingest import gbk_shift, pinyin
from ingest.decode import decode
from ingest.repair import repair

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DAMAGED = "002_e3f147fd4aee9609.txt"
CLEAN = [
    "000_632eb3e313c8bbac.txt",
    "001_2a0395a21e9b23bd.txt",
    "003_b71aa84b4d782c3f.txt",
    "004_c00685ac888a8406.txt",
]


# --- pinyin annotations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("關(guān)于", "關于"),
        ("根據(jù)《方案》", "根據《方案》"),
        ("標準(zhǔn)化", "標準化"),
        ("綠(lǜ)色", "綠色"),
        ("婦(fù)女(nǚ)", "婦女"),
        ("這(Zhè)是", "這是"),  # a capitalised syllable
        ("的(de)", "的"),  # toneless, but a real syllable
        ("綠(lv)化", "綠化"),
        ("綠(lü)化", "綠化"),
        ("學（xué）習", "學習"),  # full-width brackets
        ("不夠?qū)、方法", "不夠?、方法"),  # the ( was swallowed with a lost byte: the ? stays
    ],
)
def test_pinyin_annotations_are_removed(text, expected):
    assert pinyin.remove_annotations(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "（一）當好", "(一)当好", "(作者单位:中共锦州市委组织部)", "调解志愿者”(x+x+N)的调解团队",
        "《条例(试行)》", "中央商务区(CBD)", "采用(PPP)模式", "规划(2019)", "中山区(a)", "方案(e)",
        "网格长(员)x人", "社区(村)", "Python(py)", "(guān)开头不在字后", "区(abc)", "区(ban ban)",
    ],
)  # fmt: skip
def test_real_brackets_are_kept(text):
    assert pinyin.remove_annotations(text)[0] == text


def test_pinyin_changes_are_recorded_with_examples():
    text, changes = repair("關(guān)于據(jù)此")
    assert text == "關于據此"
    (change,) = changes
    assert (change.stage, change.kind, change.count) == ("repair", "pinyin", 2)
    assert change.examples[0] == "關(guān) → 關"


# --- shifted GBK: the real snippets of seed 002 ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("。ㄒ唬┊(dāng)好“主心骨”", "（一）當好“主心骨”"),
        ("好“主心骨”,確;鶎咏M織堅(jiān)強(qiáng)過硬。", "好“主心骨”,確保基層組織堅強過硬。"),
        ("。ǘ┊(dāng)好“領(lǐng)頭雁”,促進(jìn)", "（二）當好“領頭雁”,促進"),
        ("。ㄈ┊(dāng)好“火車頭”,推動(dòng)", "（三）當好“火車頭”,推動"),
        ("。ㄒ唬┗鶎狱h(huán)建工作有短板。", "（一）基層黨建工作有短板。"),
        ("。ǘ┗鶎又卫眢w(tǐ)系不完善。", "（二）基層治理體系不完善。"),
        ("。ㄈ┗鶎臃⻊(wù)能力待提高。", "（三）基層服務能力待提高。"),
        ("。ㄒ唬┰谑卣齽(chuàng)新,提升", "（一）在守正創新,提升"),
        ("。ǘ┰趶(qiáng)基固本,提升", "（二）在強基固本,提升"),
        ("。ㄈ┰趶(qiáng)化治理,提升", "（三）在強化治理,提升"),
        (
            "的實(shí)際問題,F(xiàn)將有關(guān)情況",
            "的實際問題,現將有關情況",
        ),  # the stretch: a lost lead byte
    ],
)
def test_seed_snippets_are_put_back_in_step(text, expected):
    assert repair(text)[0] == expected


def test_shift_repairs_are_recorded_with_examples():
    _, changes = repair("好“主心骨”,確;鶎咏M織堅強過硬。")
    (change,) = changes
    assert (change.stage, change.kind, change.count) == ("repair", "gbk-shift", 1)
    assert change.examples == (";鶎咏M → 保基層組",)


# --- shifted GBK: damage made here ----------------------------------------------------------------


def faulty_decode(data: bytes) -> str:
    """The decoder that did the damage: GBK pairs; an orphan lead before ASCII is dropped; a pair
    it cannot decode is dropped whole."""
    out, i = [], 0
    while i < len(data):
        if data[i] < 0x80:
            out.append(chr(data[i]))
            i += 1
        elif i + 1 >= len(data) or data[i + 1] < 0x40 or data[i + 1] == 0x7F:
            i += 1
        else:
            with contextlib.suppress(UnicodeDecodeError):  # a pair it cannot decode is dropped whole
                out.append(data[i : i + 2].decode("gbk"))
            i += 2
    return "".join(out)


def damage(text: str, index: int, how: str) -> str:
    """Lose the lead byte of ``text[index]`` or slip a stray byte in before it, then decode."""
    at = len(text[:index].encode("gbk"))
    data = text.encode("gbk")
    data = data[:at] + data[at + 1 :] if how == "lose-lead" else data[:at] + b"\xa1" + data[at:]
    return faulty_decode(data)


S1 = "坚持党建引领,推动基层社会治理创新发展,取得明显成效。"
T1 = "堅持黨建引領,推動基層社會治理創新發展,取得明顯成效。"
S2 = "建立健全街道社区党组织领导下的居民自治机制,形成工作合力。"
T2 = "推行“一肩挑”,選優配強社區黨組織書記,提升組織力。"


@pytest.mark.parametrize(
    ("text", "index", "how"),
    [
        (S1, 20, "stray"),
        (S1, 21, "lose-lead"),
        (S1, 22, "lose-lead"),
        (T1, 1, "stray"),
        (T1, 13, "lose-lead"),
        (T1, 17, "lose-lead"),
        (S2, 22, "lose-lead"),
        (S2, 22, "stray"),
        (S2, 24, "lose-lead"),
        (T2, 14, "lose-lead"),
        (T2, 22, "lose-lead"),
    ],
)
def test_made_shifts_are_restored(text, index, how):
    damaged = damage(text, index, how)
    assert damaged != text
    assert repair(damaged)[0] == text


def test_the_faulty_decoder_makes_the_seed_damage():
    # 確保基層組織 losing the lead byte of 保 reads 確；鶎咏M織: the helper above is the real thing
    assert damage("確保基層組織", 1, "lose-lead") == "確；鶎咏M織"


# --- clean text is never touched ------------------------------------------------------------------


@pytest.mark.parametrize("seed", CLEAN)
def test_clean_seeds_come_out_identical(seed):
    text = decode((SEEDS / seed).read_bytes()).text
    assert repair(text) == (text, [])


@pytest.mark.parametrize(
    "text",
    [
        "主要是x個方面:", "培养x名协商联络员,建成“x空间+x驿站”", "覆盖率达到xx%。",
        "发展A股市场", "开展“e路同行”活动", "①完善制度;②强化考核", "第Ⅱ期培训班", "支持5G基站建设",
        "他说:“这是真的吗?”", "2020年09月09日22:34", "（一）坚持党建引领", "办好“8890”热线",
        "堅持黨建引領，推動基層治理", "社區(村)", "大连日报记者许晓楠", "人民网-中国共产党新闻网",
    ],
)  # fmt: skip
def test_clean_snippets_are_untouched(text):
    assert repair(text) == (text, [])


def test_clean_report_is_fast():
    text = decode((SEEDS / CLEAN[3]).read_bytes()).text
    text = (text * 3)[:10_000]
    repair(text)
    start = time.perf_counter()
    for _ in range(10):
        repair(text)
    assert (time.perf_counter() - start) / 10 < 0.005
    assert not gbk_shift.has_suspects(text)


# --- seed 002 end to end --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_002():
    raw = (SEEDS / DAMAGED).read_bytes()
    decoded = decode(raw, DAMAGED)
    text, changes = repair(decoded.text)
    return decoded.text, opencc.OpenCC("t2s").convert(text), changes


@pytest.mark.parametrize(
    "phrase",
    ["确保基层组织坚强过硬", "当好“领头雁”", "当好“火车头”", "当好“主心骨”", "现将有关情况报告如下",
     "（二）基层治理体系不完善", "（三）在强化治理"],
)  # fmt: skip
def test_seed_002_reads_right(seed_002, phrase):
    assert phrase in seed_002[1]


@pytest.mark.parametrize("garbage", ["鶎", "ㄒ唬", "┊", "┰", "(dāng)", "(jù)", "(guān)", "(qiáng)"])
def test_seed_002_has_no_garbage_left(seed_002, garbage):
    assert garbage not in seed_002[1]


def test_seed_002_is_valid_utf8_and_all_damage_is_in_the_characters(seed_002):
    original, _, changes = seed_002
    assert original == (SEEDS / DAMAGED).read_text(encoding="utf-8")
    counts = {c.kind: c.count for c in changes}
    assert counts["pinyin"] >= 670
    assert counts["gbk-shift"] >= 11
