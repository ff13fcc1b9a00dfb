"""One table of qualifiers (ingest.vocabulary.QUALIFIERS) serves extraction, display and export: every
qualifier the extractor can emit is shown where the report writes it (不超过3名, 95%以内, 1120余个),
and a figure the text counts in 万 is shown in 万 (1101万平方米) while its value stays in base units."""

from __future__ import annotations

import csv
import importlib
import io
import json
from decimal import Decimal

import pytest

from cases.models import Metric
from ingest.extract.metrics import PREFIX_QUALIFIERS, extract_metrics
from ingest.vocabulary import AFTER_NUMBER, BEFORE_NUMBER, QUALIFIERS, RANGE_QUALIFIER
from tests.site_factories import make_case


def written(word: str, position: str, number: str) -> str:
    """The figure as a report writes it with this qualifier: 不超过30名 / 30余名 / 30名以上."""
    if position == BEFORE_NUMBER:
        return f"{word}{number}名"
    if position == AFTER_NUMBER:
        return f"{number}{word}名"
    return f"{number}名{word}"


def as_stored(extracted) -> Metric:
    """The Metric the loader makes of an extracted figure (the fields display reads)."""
    return Metric(value=extracted.value, unit=extracted.unit, qualifier=extracted.qualifier,
                  magnitude=extracted.magnitude)


@pytest.mark.parametrize("number", ["30", "1.2万", "1,120"])
@pytest.mark.parametrize("qualifier", QUALIFIERS, ids=lambda q: q.word)
def test_every_qualifier_round_trips_in_the_texts_order(qualifier, number):
    figure = written(qualifier.word, qualifier.position, number)
    body = f"全市共有社区党员{figure},分布在各个网格。"
    (extracted,) = extract_metrics(body, [])
    assert extracted.qualifier == qualifier.word
    assert extracted.text == figure
    assert as_stored(extracted).display_value == figure


def test_the_table_covers_what_extraction_emits():
    """Prefix words, the words between number and unit, after the unit, and the range's lower bound."""
    words = {q.word for q in QUALIFIERS}
    assert set(PREFIX_QUALIFIERS) == {q.word for q in QUALIFIERS if q.position == BEFORE_NUMBER}
    assert RANGE_QUALIFIER in words
    body = ("建成网格3至5个,配备网格员近2.1万名,活动1120余次,覆盖率40%左右,"
            "满意度95%以内,投入不少于500万元,服务8.9万余人次,新增30多个,签约200名以上。")
    emitted = {m.qualifier for m in extract_metrics(body, [])}
    assert emitted - {""} <= words
    assert emitted >= {"不少于", "近", "余", "左右", "以内", "多", "以上"}


@pytest.mark.parametrize(("value", "qualifier", "unit", "magnitude", "shown"), [
    ("3", "不超过", "名", "", "不超过3名"),  # was 3不超过名
    ("95", "以内", "%", "", "95%以内"),  # was 95以内%
    ("5", "至少", "个", "", "至少5个"),  # was 5至少个
    ("11010000", "", "平方米", "万", "1101万平方米"),  # was 11,010,000平方米
    ("89000", "余", "人次", "万", "8.9万余人次"),
    ("510000", "超过", "人", "万", "超过51万人"),
    ("300000000", "近", "元", "亿", "近3亿元"),
    ("1120", "余", "个", "", "1,120余个"),
    ("12000", "", "个", "", "12,000个"),  # no multiplier written: grouped in base units, as before
    ("3000", "达", "名", "", "达3,000名"),  # a word outside the table (a curator's) stands before the number
])
def test_display_value(value, qualifier, unit, magnitude, shown):
    metric = Metric(value=Decimal(value), qualifier=qualifier, unit=unit, magnitude=magnitude)
    assert metric.display_value == shown


def test_a_curated_value_is_still_shown_in_the_texts_multiplier():
    assert Metric(value=Decimal("11015000"), unit="平方米", magnitude="万").display_value == "1101.5万平方米"


@pytest.mark.parametrize(("text", "magnitude", "value"), [
    ("1101万平方米", "万", Decimal("11010000")),
    ("近2.1万名", "万", Decimal("21000")),
    ("8.9万余人次", "万", Decimal("89000")),
    ("10余万人", "万", Decimal("100000")),
    ("3亿元", "亿", Decimal("300000000")),
    ("1120余个", "", Decimal("1120")),
])
def test_extraction_keeps_the_multiplier_the_text_counts_in(text, magnitude, value):
    (extracted,) = extract_metrics(f"全区{text},成效明显。", [])
    assert (extracted.magnitude, extracted.value) == (magnitude, value)


@pytest.mark.django_db
def test_the_site_shows_the_figure_in_wan_and_exports_the_base_value(client):
    body = "全市建成185处1101万平方米公园绿地。"
    case = make_case("绿地案例", body, metrics=(("1101万平方米", "11010000", "平方米", "", "公园绿地"),))
    Metric.objects.filter(case=case).update(magnitude="万")
    html = client.get(case.get_absolute_url()).content.decode()
    assert "1101万平方米" in html and "11,010,000" not in html
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/figures.csv").streaming_content).decode("utf-8-sig"))))
    assert (rows[0]["display"], rows[0]["value"]) == ("1101万平方米", "11010000")
    metric = json.loads(client.get("/cases.json").content)["results"][0]["metrics"][0]
    assert (metric["value"], metric["magnitude"]) == (11010000, "万")


@pytest.mark.django_db
def test_the_loader_stores_the_multiplier():
    from cases.loading import ingest_bytes

    text = ("锦州市推进城市绿化\n"
            "锦州市坚持党建引领,全市建成185处1101万平方米公园绿地,服务居民8.9万余人次。"
            "社区党组织把绿地管护纳入网格,发动党员志愿者参与日常巡查,居民满意度明显提升。\n")
    case = ingest_bytes("green.txt", text.encode()).case
    shown = {m.text: (m.magnitude, m.display_value) for m in case.metrics.all()}
    assert shown["1101万平方米"] == ("万", "1101万平方米")
    assert shown["8.9万余人次"] == ("万", "8.9万余人次")


@pytest.mark.parametrize(("text", "value", "magnitude"), [
    ("1101万平方米", "11010000", "万"), ("8.9万余人次", "89000", "万"), ("10余万人", "100000", "万"),
    ("近3亿元", "300000000", "亿"), ("1120余个", "1120", ""), ("2万元", "30000", ""),  # curated: no longer 2万
    ("百余名", "100", ""),
])
def test_migration_backfills_the_multiplier_from_the_text(text, value, magnitude):
    migration = importlib.import_module("cases.migrations.0010_metric_magnitude")
    assert migration.magnitude_of(text, Decimal(value)) == magnitude
