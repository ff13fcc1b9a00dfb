"""repair: pinyin annotations and shifted GBK, on literal snippets (real ones from seed 002 and
damage made here the way the faulty decoder makes it), and never a change to clean text."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import opencc
import pytest

from ingest import pinyin
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
    # a lone letter in step on both sides is repaired only where the text holds other shift damage
    evidence = "好“主心骨”,確;鶎咏M織堅強過硬。\n"
    assert repair(evidence + damaged)[0] == "好“主心骨”,確保基層組織堅強過硬。\n" + text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Python's own gbk decoder (errors="replace") prints U+FFFD for the orphan lead; normalised
        # pages have ？ for it
        (
            "建⒔∪\ufffd街道社区党组织领导下的居民自治机制,形成工作合力。",
            "建立健全街道社区党组织领导下的居民自治机制,形成工作合力。",
        ),
        ("在职党员到社区报到,认领服务项恳磺в喔觥？", "在职党员到社区报到,认领服务项目一千余个。"),
        ("通过“吹哨报到”机制，街道和部门形成合Α\ufffd", "通过“吹哨报到”机制，街道和部门形成合力。"),
    ],
)
def test_runs_ending_in_a_marker_are_restored(text, expected):
    assert repair(text)[0] == expected


def test_a_lone_letter_alone_is_mixed_writing():
    damaged = damage("選優配強社區黨組織書記", 6, "lose-lead")
    assert damaged == "選優配強社區h組織書記"
    assert repair(damaged) == (damaged, [])


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


# mixed writing, numbers, references and half-width punctuation that clean reports hold
TRICKY_CLEAN = [
    "打造“党群e家”服务品牌", "开通“**党建e家”智慧党建平台", "成立e支部", "推广“i西安”APP", "5G基站全覆盖",
    "下载APP办理", "小区Wi-Fi覆盖", "拨打12345热线", "升级为2.0版", "香港a级标准", "A股上市", "做B超检查",
    "见https://www.12371.cn/2019/07/18/ARTI1563416799243226.shtml", "邮箱dangjian@example.com.cn",
    "〔2019〕3号文件", "中组发〔2019〕3号", "谁该成为社区治理的主人?太湖街道广纳小区", "这是为什么？活动结束后",
    "怎么办?我们的做法是", "是否满意？请打分", "T恤衫", "K歌比赛", "Q群交流", "X光检查", "O2O模式", "N个网格",
    "1+N模式", "“1+3+X”体系", "共有3.5万名党员", "R&D投入", "AT&T公司", "a&b;c", "小区建支部 组织覆盖到“末梢”",
    "记者 王伟 通讯员 李明", "王  伟", "（一）坚持党建引领", "1.坚持党建引领;2.强化考核", "PPP模式(试行)",
]  # fmt: skip


@pytest.mark.parametrize("text", TRICKY_CLEAN)
def test_tricky_clean_strings_are_untouched(text):
    assert repair(text) == (text, [])


CORPUS = SEEDS.parent / "corpus" / "pages"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DAMAGE_WORDS = (
    "gbk",
    "shift",
    "pinyin",
    "spaced",
    "entit",
    "&",
    "乱码",
    "拼音",
    "错位",
    "空格",
    "实体",
    "seo",
)


def _undamaged(page: Path) -> bool:
    gold = page.with_suffix(".json")
    if not gold.exists():
        return True
    notes = json.dumps(
        json.loads(gold.read_text(encoding="utf-8")).get("notes", ""), ensure_ascii=False
    ).lower()
    return not any(word in notes for word in DAMAGE_WORDS)


CLEAN_PAGES = [p for p in sorted(CORPUS.glob("**/*.txt")) if _undamaged(p)] + sorted(
    FIXTURES.glob("**/*.txt")
)


@pytest.mark.parametrize("page", CLEAN_PAGES, ids=lambda p: p.name)
def test_clean_pages_come_out_identical(page):
    text = decode(page.read_bytes(), page.name).text
    fixed, changes = repair(text)
    assert changes == [] and fixed == text


def test_clean_bodies_of_the_seeds_come_out_identical():
    """The pipeline's own reading of every seed, damaged one included, is clean: repair leaves it."""
    from ingest.pipeline import process_file

    for seed in sorted(SEEDS.glob("*.txt")):
        body = process_file(seed).body
        assert repair(body) == (body, []), seed.name


# --- HTML entities and spaced characters ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("&ldquo;党建+&rdquo;模式", "“党建+”模式"),
        ("&#8220;末梢&#8221;", "“末梢”"),
        ("&#x4E2D;国", "中国"),
        ("党建&nbsp;引领", "党建\xa0引领"),
        ("R&amp;D", "R&D"),
        ("R&D", "R&D"),  # no entity
        ("&foo;", "&foo;"),  # not a name HTML defines
        ("a&#10;b", "a&#10;b"),  # a line break: never added
        ("a&#x2028;b", "a&#x2028;b"),
        ("&#0;", "&#0;"),
    ],
)
def test_entities(text, expected):
    assert repair(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("社 区 大 党 委", "社区大党委"),
        ("成立 社 区 大 党 委 ， 统 筹", "成立 社区大党委，统筹"),
        ("小区建支部 组织覆盖到“末梢”", "小区建支部 组织覆盖到“末梢”"),  # phrases
        ("记者 王伟", "记者 王伟"),  # a name after a title
        ("王  伟", "王  伟"),  # two spaces of alignment
        ("党 委", "党 委"),  # two characters are not a run
        ("A B C", "A B C"),
        ("关 键 词：党建", "关 键 词：党建"),  # a spaced label
        ("字号：大 中 小", "字号：大 中 小"),
        (
            "社 区 大 党\n委 员 会 议",
            "社区大党\n委员会议",
        ),  # each line on its own: no line is joined to the next
    ],
)
def test_spaced_characters(text, expected):
    assert repair(text)[0] == expected


def test_new_fixers_are_recorded_by_kind():
    _, changes = repair("&ldquo;社 区 大 党 委&rdquo;")
    assert [(c.stage, c.kind, c.count) for c in changes] == [("repair", "entity", 2), ("repair", "spaced", 1)]
    assert changes[1].examples == ("社 区 大 党 委 → 社区大党委",)


@pytest.mark.parametrize(
    "text",
    ["&ldquo;社 区&#10;大 党 委\n\n&#x2028;", "社 区 大\r\n党 委 会", "確;鶎咏M織\n?。ㄒ唬?ldquo;\n"],
)
def test_no_fixer_adds_or_removes_a_line(text):
    assert len(repair(text)[0].splitlines()) == len(text.splitlines())



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
