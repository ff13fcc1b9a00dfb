"""The pipeline makes what the writer stores of a body besides its text (the search index's tokens and
the MinHash signature), and the index tokens of the title and headings, so that ``--jobs`` workers make
them; the writer uses them for that body, title and headings only."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cases import search
from cases.loading import CREATED, UPDATED, save_report
from cases.models import Case
from ingest import dedupe, pipeline
from ingest.report import ReportRejected

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "seeds").glob("*.txt")), *sorted((ROOT / "corpus" / "pages").glob("*/*.txt"))]
SENTINEL = "zzpipelinetoken"  # a token no body holds: found only if the writer stored the pipeline's tokens


def test_the_pipelines_index_tokens_and_signature_are_those_of_its_body_on_every_seed_and_page():
    """The search's own ``index_tokens`` (cutting the body afresh) and dedupe's signature, for every body."""
    differ, made = [], 0
    for page in PAGES:
        try:
            report = pipeline.process(page.read_bytes(), page.name)
        except ReportRejected:
            continue
        made += 1
        if report.index_tokens != search.index_tokens(report.body):
            differ.append(f"{page.name}: tokens")
        if report.signature != dedupe.signature(report.body):
            differ.append(f"{page.name}: signature")
        headings = "\n".join(m.heading for m in report.extraction.mechanisms)
        if report.field_index_tokens != {text: search.index_tokens(text) for text in (report.extraction.title, headings)}:
            differ.append(f"{page.name}: title and headings")
    assert made > 60 and differ == []


@pytest.mark.django_db
def test_the_writer_stores_the_pipelines_tokens_and_signature_for_the_pipelines_body():
    seed = PAGES[4]
    raw = seed.read_bytes()
    report = pipeline.process(raw, seed.name)
    report.index_tokens = [*report.index_tokens, SENTINEL]
    signature = report.signature
    report.signature = type(signature)(signature.typecode, (value ^ 1 for value in signature))  # not the body's
    result = save_report(report, pipeline.content_hash(raw))
    assert result.status == CREATED
    case = Case.objects.get(pk=result.case.pk)
    assert case in search.matching(Case.objects.all(), search.parse(SENTINEL))
    assert bytes(case.minhash) == dedupe.to_bytes(report.signature)


@pytest.mark.django_db
def test_a_curators_body_is_indexed_and_signed_from_its_own_text():
    seed = PAGES[4]
    raw = seed.read_bytes()
    case = save_report(pipeline.process(raw, seed.name), pipeline.content_hash(raw)).case
    curated_body = case.body + "\n居民议事厅每月开放一次。"
    Case.objects.filter(pk=case.pk).update(body=curated_body, curated_fields=["body"])

    changed = raw + "\n社区另设红色驿站。".encode()  # a new version of the same report
    report = pipeline.process(changed, seed.name)
    report = replace(report, index_tokens=[*report.index_tokens, SENTINEL])
    result = save_report(report, pipeline.content_hash(changed), source=seed.name)
    assert result.status == UPDATED and result.case.pk == case.pk
    case = Case.objects.get(pk=case.pk)
    assert case.body == curated_body
    everything = Case.objects.all()
    assert case not in search.matching(everything, search.parse(SENTINEL))
    assert case in search.matching(everything, search.parse("居民议事厅"))
    assert bytes(case.minhash) == dedupe.to_bytes(dedupe.signature(curated_body))


@pytest.mark.django_db
@pytest.mark.parametrize("curated_title", [False, True])
def test_the_writer_indexes_the_pipelines_title_and_headings_tokens_for_that_text_only(curated_title):
    """A new case's title and headings are indexed by the pipeline's tokens of exactly that text; a title a
    curator changed, by its own."""
    seed = PAGES[4]
    raw = seed.read_bytes()
    report = pipeline.process(raw, seed.name)
    headings = "\n".join(m.heading for m in report.extraction.mechanisms)
    assert headings, "the seed has mechanisms"
    if curated_title:
        report.extraction.title += "（修订）"
    report.field_index_tokens = {text: [*tokens, SENTINEL + str(n)]
                                 for n, (text, tokens) in enumerate(report.field_index_tokens.items())}
    case = save_report(report, pipeline.content_hash(raw)).case
    everything = Case.objects.all()
    assert (case in search.matching(everything, search.parse(SENTINEL + "0"))) is not curated_title
    assert case in search.matching(everything, search.parse(SENTINEL + "1"))
    assert case in search.matching(everything, search.parse(report.extraction.title))
