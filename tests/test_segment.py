"""segment: one tokenizer with the domain dictionary; accurate tokens and search tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import segment


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # terms of the field that jieba's general dictionary splits
        ("以党建引领推动基层治理", ["党建引领"]),
        ("深化双报到机制", ["双报到"]),
        ("推行网格化管理", ["网格化管理"]),
        ("打造红色物业", ["红色物业"]),
        ("实行吹哨报到", ["吹哨报到"]),
        ("全面推行一肩挑", ["一肩挑"]),
        ("建设党群服务中心", ["党群服务中心"]),
        ("成立党建融合体", ["党建融合体"]),
        # practice synonyms from the taxonomy
        ("推行积分制管理", ["积分制管理"]),
        # place names, full and short
        ("贵州省贵阳市观山湖区", ["贵州省", "贵阳市"]),
        ("观山湖区委组织部", ["观山湖"]),
        ("乌鲁木齐市", ["乌鲁木齐市"]),
        # ordinary words stay as jieba has them
        ("穿着中山装", ["中山装"]),
    ],
)
def test_cut_keeps_domain_words_whole(text, words):
    tokens = segment.cut(text)
    for word in words:
        assert word in tokens, tokens
    assert "".join(tokens) == text.replace(" ", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("党建 引领\n", ["党建", "引领"]),
        ("   ", []),
        ("", []),
    ],
)
def test_cut_drops_whitespace(text, expected):
    assert segment.cut(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("网格化管理", ["网格化管理", "网格化", "网格", "格化", "化管", "管理"]),
        ("社区党建", ["社区", "党建"]),  # no bigram across the two words (区党)
        ("党建", ["党建"]),
        ("，。、", []),  # punctuation is not a search term
        ("APP平台", ["app", "平台"]),
    ],
)
def test_search_tokens(text, expected):
    assert segment.search_tokens(text) == expected


@pytest.mark.parametrize(
    ("query", "document"),
    [
        ("网格", "全面推行网格化管理"),
        ("党建", "城市基层党建工作"),
        ("社区", "社区党组织书记"),
        ("物业", "打造红色物业"),
        ("报到", "深化双报到机制"),
    ],
)
def test_short_words_match_inside_longer_ones(query, document):
    assert set(segment.search_tokens(query)) <= set(segment.search_tokens(document))


def test_search_tokens_are_deterministic():
    text = "推行网格化管理,深化双报到,打造红色物业。"
    assert segment.search_tokens(text) == segment.search_tokens(text)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["党建引领", "，"], ["党建引领", "党建", "建引", "引领"]),
        (["3.5万", "余名"], ["3.5万", "余名"]),
        (["  "], []),
        (["报", "到"], ["报到"]),  # two single characters jieba split apart: a shattered word
        (["在", "社", "区"], ["在社", "社区"]),
        (["的", "党建"], ["的", "党建"]),  # no bigram across a real word
        (["报", "，", "到"], ["报", "到"]),  # nor across punctuation
    ],
)
def test_expand(words, expected):
    assert segment.expand(words, {}) == expected


def test_domain_words_come_from_taxonomy_gazetteer_and_terms():
    words = set(segment.domain_words())
    assert {"网格化管理", "两新组织党建", "党建引领", "观山湖区", "观山湖", "辽宁省", "辽宁"} <= words
    assert all(len(w) >= 2 and w.strip() == w for w in words)


def test_one_tokenizer_per_process():
    assert segment.tokenizer() is segment.tokenizer()


SEED_FILES = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.name)
def test_search_tokens_from_the_pipelines_words_are_the_same(seed):
    """The loader indexes the body from the tokens the pipeline cut, instead of cutting it again."""
    text = seed.read_text(encoding="utf-8")
    assert segment.search_tokens_from_words(segment.cut(text)) == segment.search_tokens(text)


def _bodies():
    from ingest import pipeline

    pages = sorted(Path(__file__).resolve().parent.parent.glob("corpus/pages/*/*.txt"))
    seeds = sorted(Path(__file__).resolve().parent.parent.glob("seeds/*.txt"))
    for page in [*seeds, *pages]:
        try:
            yield page.name, pipeline.process(page.read_bytes(), page.name).body
        except Exception:  # a page the pipeline rejects has no body to cut
            continue


def test_rjieba_cuts_as_jieba_does_on_the_seeds_and_the_corpus():
    differ = [name for name, body in _bodies() if segment.cut(body) != segment.jieba_cut(body)]
    assert differ == []


@pytest.mark.parametrize(
    "text",
    ["党建-引领 X-Y 3.5% a+b c#d e_f 1,000", "2008年4-6月", "红色物业-小区党支部_a", "-", "_x_", ""],
)
def test_rjieba_cuts_marks_as_jieba_does(text):
    assert segment.cut(text) == segment.jieba_cut(text)


def test_a_practice_a_curator_removes_is_no_word_for_rjieba_either():
    segment.use_practices([("红楼议事厅", [])])
    assert "红楼议事厅" in segment.cut("社区红楼议事厅开门了")
    segment.use_practices(segment.starting_taxonomy())
    assert segment.cut("社区红楼议事厅开门了") == segment.jieba_cut("社区红楼议事厅开门了")
    assert "红楼议事厅" not in segment.cut("社区红楼议事厅开门了")


def test_a_words_index_terms_follow_the_dictionary_when_a_practice_is_added_and_removed():
    """index_tokens makes each word's terms once; a word added to the dictionary (a curator's practice)
    changes the three-grams a longer word gives, from the next report on."""
    text = "建设党群服务中心"
    before = segment.index_tokens(text)
    assert "群服务" not in before
    try:
        segment.use_practices([*segment.starting_taxonomy(), ("群服务", [])])
        assert segment.cut(text) == ["建设", "党群服务中心"]
        assert segment.index_tokens(text)[:3] == ["建设", "党群服务中心", "群服务"]
    finally:
        segment.use_practices(segment.starting_taxonomy())
    assert segment.index_tokens(text) == before


@pytest.mark.parametrize(
    "token, form",
    [("党", ("党", segment._SINGLE)), (" AB ", ("ab", segment._WORD)), ("网格化", ("网格化", segment._WORD)),
     ("，", ("，", segment._NOTHING)), (" ", ("", segment._NOTHING))],
)
def test_what_a_token_is_to_the_index(token, form):
    assert segment._form(token) == form
