"""normalise: script detection, OpenCC t2s, width and punctuation, on short literal snippets."""

from pathlib import Path

import pytest

from ingest import normalise as n

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def norm(text: str) -> str:
    return n.normalise(text)[0]


@pytest.mark.parametrize(
    "text, script",
    [
        ("城市基层党建工作领导小组", "simplified"),
        ("城市基層黨建工作領導小組", "traditional"),
        # one stray traditional character in simplified text (a copy-paste) is still simplified
        ("探索建立市、区、街道、社区四级網格管理中心，健全公安、城管、民政等各部门联动机制。", "simplified"),
        ("寶雞市委組織部建立了党员评优、干部考察征求社区党组织意见制度", "mixed"),
        ("中山大学", "simplified"),  # characters both scripts share: nothing to convert
        ("Hello, world 2020", "unknown"),
        ("", "unknown"),
    ],
)
def test_detect_script(text, script):
    assert n.detect_script(text) == script


@pytest.mark.parametrize(
    "seed, script",
    [("000", "simplified"), ("001", "traditional"), ("002", "traditional"), ("003", "simplified"), ("004", "simplified")],
)
def test_detect_script_seeds(seed, script):
    (path,) = SEEDS.glob(f"{seed}_*.txt")
    assert n.detect_script(path.read_text(encoding="utf-8")) == script


@pytest.mark.parametrize(
    "text, expected",
    [
        # OpenCC t2s, and the words it must not damage
        ("寶雞市委組織部", "宝鸡市委组织部"),
        ("基礎保障標准化", "基础保障标准化"),
        ("標準化建設", "标准化建设"),
        ("幹部隊伍乾淨", "干部队伍干净"),
        ("乾隆年間", "乾隆年间"),
        # 著: the particle and 着眼/着力 become 着 in converted traditional text...
        ("著眼於構建簡約高效的體制", "着眼于构建简约高效的体制"),
        ("圍繞著中心工作", "围绕着中心工作"),
        ("本著為民服務的宗旨", "本着为民服务的宗旨"),
        # ...but 著名 / 显著 / 名著 keep their 著
        ("效果顯著，著名專家的著作", "效果显著，著名专家的著作"),
        # in simplified text 著 is never touched
        ("成效显著，著眼长远", "成效显著，著眼长远"),
    ],
)
def test_t2s(text, expected):
    assert norm(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("上访率下降４０％", "上访率下降40%"),
        ("２．１万名党员", "2.1万名党员"),
        ("打造“１＋６”文件", "打造“1+6”文件"),
        ("党建\u3000引领", "党建 引领"),
        ("党建\u200b引领\ufeff", "党建引领"),
        ("来源:\u00a0大连日报", "来源：大连日报"),
    ],
)
def test_width_and_spaces(text, expected):
    assert norm(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # ASCII marks beside Chinese become Chinese full-width
        ("下好“一盘棋”,建立新机制", "下好“一盘棋”，建立新机制"),
        ("宝鸡市:深化模式", "宝鸡市：深化模式"),
        ("相互听取意见;把工作纳入", "相互听取意见；把工作纳入"),
        ("(一)坚持提升组织力", "（一）坚持提升组织力"),
        ("(作者单位:锦州市委组织部)", "（作者单位：锦州市委组织部）"),
        ("打造“党建+社区”!成效如何?", "打造“党建+社区”！成效如何？"),
        ("达到xx%,建成", "达到xx%，建成"),
        # a bracket pair is judged as a pair: Chinese around ASCII content makes it Chinese
        ("党建计划(x+x+N)全面加强", "党建计划（x+x+N）全面加强"),
        # ASCII between ASCII letters and digits stays
        ("2020年09月09日22:34", "2020年09月09日22:34"),
        ("2.1万", "2.1万"),
        ("“1+6”文件", "“1+6”文件"),
        ("“7 N”个智慧应用", "“7 N”个智慧应用"),
        ("共1,000人", "共1,000人"),
        ("f(x) = y", "f(x) = y"),
        ("PC, APP", "PC, APP"),
        # a full-width colon inside a time goes back to ASCII
        ("会议于7：30开始", "会议于7:30开始"),
        # small and vertical presentation forms (Big5 conversions)
        ("相互听取意见﹔把工作", "相互听取意见；把工作"),
        ("来源︰人民网", "来源：人民网"),
        # a full-width mark carries its own spacing
        ("来源: 大连日报", "来源：大连日报"),
        ("(当地供稿 郭亚军 杨东旗 )", "（当地供稿 郭亚军 杨东旗）"),
        # lines are judged one at a time: a newline is not a neighbour
        ("第一行\n(1) first", "第一行\n(1) first"),
    ],
)
def test_punctuation(text, expected):
    assert norm(text) == expected


def test_changes_are_recorded_per_kind():
    text, changes = n.normalise("寶雞市:著眼於Ａ１,網格")
    assert text == "宝鸡市：着眼于A1，网格"
    kinds = {c.kind: c for c in changes}
    assert set(kinds) == {"t2s", "zhe", "width", "punctuation"}
    assert kinds["t2s"].count == 4  # 寶雞於網; 著 is the zhe fixer's
    assert kinds["width"].count == 2
    assert all(c.stage == "normalise" for c in changes)
    assert "寶→宝" in kinds["t2s"].examples


def test_nothing_to_do_records_nothing():
    assert n.normalise("城市基层党建，引领基层治理。") == ("城市基层党建，引领基层治理。", [])


def test_seed_001_reads_as_natural_simplified():
    (path,) = SEEDS.glob("001_*.txt")
    text = norm(path.read_text(encoding="utf-8"))
    for natural in ("着眼于构建简约高效", "基础保障标准化", "宝鸡市委组织部", "相互听取意见；", "展风采"):
        assert natural in text
    assert "著眼" not in text
    assert not n.CJK_RE.search("".join(ch for ch in text if n.t2s(ch) != ch))


def test_converter_is_built_once():
    assert n._converter() is n._converter()


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_t2s_by_pieces_equals_whole_conversion(seed):
    # t2s hands OpenCC only the pieces that hold a character it could change
    import opencc

    (path,) = SEEDS.glob(f"{seed}_*.txt")
    text = path.read_text(encoding="utf-8")
    assert n.t2s(text) == opencc.OpenCC("t2s").convert(text)


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_t2s_of_traditional_text_equals_opencc(seed):
    # the pieces where no phrase can start are mapped character by character, without OpenCC's parse tree
    import opencc

    (path,) = SEEDS.glob(f"{seed}_*.txt")
    text = opencc.OpenCC("s2t").convert(path.read_text(encoding="utf-8"))
    n.t2s.cache_clear()
    assert n.t2s(text) == opencc.OpenCC("t2s").convert(text)


@pytest.mark.parametrize(
    "text",
    ["他一目瞭然，乾坤一擲", "乾隆年間的乾清宮", "不瞭解的乾淨", "上鍊了么麼", "乾", "瞭", "網格化管理乾乾淨淨"],
)
def test_t2s_pieces_with_phrases_equal_opencc(text):
    import opencc

    n.t2s.cache_clear()
    assert n.t2s(text) == opencc.OpenCC("t2s").convert(text)


def test_simplified_text_comes_out_as_it_went_in():
    text = "城市基层党建，引领基层治理。么麼小事，干部批准，皇后。" * 100
    n.t2s.cache_clear()
    assert n.t2s(text) == text.replace("么麼", "幺麽")  # OpenCC's one phrase that changes 么


def test_the_changes_t2s_made_are_counted_with_the_first_three_kinds_as_examples():
    assert n._pairs("黨建", "黨建") == ([], 0)
    assert n._pairs("寶寶網絡黨", "宝宝网络党") == (["寶→宝", "網→网", "絡→络"], 5)
    assert n._pairs("著名", "着名") == (["著→着"], 1)


@pytest.mark.parametrize("text, script", [("abc 123", "unknown"), ("", "unknown"), ("党建 party", "simplified"),
                                          ("工作 人口", "simplified"), ("黨建 party", "traditional")])
def test_detect_script_on_text_with_other_characters(text, script):
    assert n.detect_script(text) == script
