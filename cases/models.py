"""The archive's data: places, practices, cases with their mechanisms and metrics.

Each model holds its own rules (constraints in the database where a rule can be
one) and its named queries live on a custom QuerySet, e.g.
``Case.objects.published().in_place(city)``.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models
from django.db.models import Count, Prefetch, Q, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ingest import indicators
from ingest.indicators import IndicatorDef
from ingest.vocabulary import (
    AFTER_NUMBER,
    AFTER_UNIT,
    BEFORE_NUMBER,
    MAGNITUDES,
    QUALIFIER_POSITION,
    SENTENCE_ENDS,
)


class PlaceQuerySet(models.QuerySet):
    def provinces(self):
        return self.filter(level=Place.Level.PROVINCE)

    def cities(self):
        return self.filter(level=Place.Level.CITY)

    def districts(self):
        return self.filter(level=Place.Level.DISTRICT)


class Place(models.Model):
    """An administrative division from the gazetteer (province, prefecture-level city, county-level district)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("地级")
        DISTRICT = "district", _("县级")

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64, db_index=True)
    short_name = models.CharField(_("简称"), max_length=32, db_index=True, blank=True)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("地区")
        verbose_name_plural = _("地区")
        constraints = [
            models.CheckConstraint(condition=Q(level__in=["province", "city", "district"]), name="place_level_valid"),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True) | (~Q(level="province") & Q(parent__isnull=False)),
                name="place_parent_matches_level",
            ),
        ]

    def __str__(self):
        return self.name

    def lineage(self) -> list[Place]:
        """The place and its ancestors from the province down (北京市 / 北京市 / 东城区)."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class Practice(models.Model):
    """A named practice from the curated taxonomy (网格化管理, 双报到 …) with the synonyms that find it."""

    name = models.CharField(_("名称"), max_length=64, unique=True)
    slug = models.SlugField(_("标识"), max_length=64, unique=True, allow_unicode=True)
    synonyms = models.JSONField(_("同义词"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("实践")
        verbose_name_plural = _("实践")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:practice-detail", kwargs={"slug": self.slug})

    @property
    def all_names(self) -> list[str]:
        return [self.name, *[s for s in self.synonyms if s]]


class PracticePair(models.Model):
    """How many published cases carry both practices: what a practice's page lists as reported with it.

    Kept in both orders (a practice's row for each other practice), so a page reads its own rows by
    the key. Precomputed (``cases.practice_pairs``): counting it per request read every case of the
    practice and every practice of those cases. Changes of a case's status or practices apply their
    difference in the same transaction; ``manage.py rebuild_practice_pairs`` recounts all of it."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    # a plain integer: a difference applied to a table not yet rebuilt may pass through zero
    cases = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("实践共现")
        verbose_name_plural = _("实践共现")
        constraints = [models.UniqueConstraint(fields=["practice", "other"], name="practice_pair_unique")]

    def __str__(self):
        return f"{self.practice_id}+{self.other_id}: {self.cases}"


class IndicatorQuerySet(models.QuerySet):
    def definitions(self) -> list[IndicatorDef]:
        """The indicators as the pipeline's assigner reads them (the name counts as a synonym)."""
        return indicators.from_rows(list(self.values_list("name", "slug", "unit_family", "synonyms")))

    def id_assigner(self):
        """subject, unit → the id of the indicator they fit (or None), from the whole table as it is now.

        The table is read each time it is asked (one small query, as SQL: the ORM's compiling it cost
        six times running it): the loader asks once a run (``loading.References``), a figure edited
        on the review screen once an edit, so an edit made anywhere (the admin, another process, an
        ``update()`` that sends no signal) counts from the next ask; the assigner is only made again
        when the rows differ from those it was made from.
        """
        connection = connections[self.db]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(self.model._meta.get_field(name).column)
                            for name in ("id", "name", "slug", "unit_family", "synonyms"))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {quote(self.model._meta.db_table)} ORDER BY 1")
            rows = tuple(map(tuple, cursor.fetchall()))
        return _id_assigner(rows, connection.alias)


@lru_cache(maxsize=4)
def _id_assigner(rows: tuple[tuple], alias: str):
    """The id assigner of the indicator table's rows (id, name, slug, unit family, synonyms as stored)."""
    synonyms = Indicator._meta.get_field("synonyms")
    assign = indicators.Assigner(indicators.from_rows(
        [(name, slug, family, synonyms.from_db_value(stored, None, connections[alias]))
         for _id, name, slug, family, stored in rows]
    ))
    ids = {slug: pk for pk, _name, slug, _family, _stored in rows}
    return lambda subject, unit: ids.get(assign(subject or "", unit or ""))


class Indicator(models.Model):
    """A comparable quantity (在职党员报到人数, 红色物业覆盖率) that figures' free-text subjects are grouped under.

    Curated data like the practices: the starting list comes from ``ingest.indicators``; staff edit
    names, unit families and synonyms in the admin, and figures are assigned from the table as it is.
    """

    UNIT_FAMILY_CHOICES = [(family, indicators.FAMILY_LABELS[family]) for family in indicators.UNIT_FAMILIES]

    name = models.CharField(_("名称"), max_length=64, unique=True)
    slug = models.SlugField(_("标识"), max_length=64, unique=True, allow_unicode=True)
    unit_family = models.CharField(_("计量单位"), max_length=8, choices=UNIT_FAMILY_CHOICES)
    synonyms = models.JSONField(
        _("同义词"), default=list, blank=True,
        help_text=_("数字的对象以其中任一词结尾即归入此指标（如“到社区报到的在职党员”归入“在职党员”）。"),
    )
    description = models.TextField(_("说明"), blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("比较指标")
        verbose_name_plural = _("比较指标")

    def __str__(self):
        return self.name

    @property
    def units(self) -> frozenset[str]:
        return indicators.UNIT_FAMILIES.get(self.unit_family, frozenset())


def in_order(queryset, ids: list[int]) -> list:
    """The rows of ``queryset`` with these ids, in their order (an id without a row left out): a page whose
    ids came first from an index, the cells or a ranking, then read whole by one query."""
    rows = queryset.in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def in_place(place: Place, prefix: str = "") -> Q:
    """The condition on a case (``prefix`` "case__": on a row of a case) of lying in ``place`` or under it."""
    column = {Place.Level.PROVINCE: "province", Place.Level.CITY: "city"}.get(place.level, "place")
    return place_is(column, place.pk, prefix)


def place_is(column: str, pk: int, prefix: str = "") -> Q:
    """The condition on a case that its ``column`` ("province", "city", "place") is the place ``pk``.

    The id as a value of the column's own type (bigint), not a bare literal (an int4 on PostgreSQL):
    the search's GIN index holds the province and city beside the words (migration 0025, btree_gin),
    and btree_gin matches a comparison only between equal types. A btree index serves either form.
    """
    return Q(**{f"{prefix}{column}_id": Cast(Value(pk), output_field=Place._meta.pk)})


class CaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Case.Status.PUBLISHED)

    def in_place(self, place: Place):
        """Cases in the place or any division under it (a city includes its districts)."""
        return self.filter(in_place(place))

    def with_related(self):
        """Everything a list or detail page shows, in a fixed number of queries."""
        # a page shows a practice's name and link only: its synonyms and description stay unread
        return self.select_related("place", "province", "city").prefetch_related(
            Prefetch("practices", queryset=Practice.objects.order_by("name").only("pk", "name", "slug")),
        )

    def practice_tags(self) -> dict[int, list[tuple[str, str]]]:
        """{case id: (name, slug) of its practices, in name order} for these cases: one query, no model built.

        What a list shows of a case's practices, each a link; prefetching them built a Practice per tag.
        """
        tags: dict[int, list[tuple[str, str]]] = defaultdict(list)
        links = Case.practices.through.objects.filter(case_id__in=self.values("pk"))
        for case_id, name, slug in links.order_by("practice__name").values_list(
                "case_id", "practice__name", "practice__slug"):
            tags[case_id].append((name, slug))
        return tags

    def with_metric_count(self):
        return self.annotate(metric_count=Count("metrics", distinct=True))

    def with_warning(self, key: str):
        """Cases a curator is warned of: ``key`` names one of ``cases.warnings.WARNINGS``, or "any" gap."""
        from .warnings import condition

        return self.filter(condition(key))

    def search(self, query):
        """The cases holding every term of ``query`` (a string or a ``search.ParsedQuery``); none without a term."""
        from . import search

        return search.matching(self, search.parse(query) if isinstance(query, str) else query)

    def by_relevance(self, query, very_common: bool = False):
        """These cases (already ``search(query)``) best match first, then newest; by date alone if ``very_common``."""
        from . import search

        return search.ranked(self, search.parse(query) if isinstance(query, str) else query, very_common)

    def related_to(self, case, limit: int = 5) -> list:
        """Up to ``limit`` of these cases sharing the most practices, then keywords, with ``case`` (a list).

        Candidates come from the RELATED_POOL most recent links to the case's practices (one index
        read, not a GROUP BY over every case of a common practice: 137 ms at 100,000 cases); the
        shared practices and keywords are counted in Python over at most 200 of them, from their
        keywords alone: only the ``limit`` chosen are built as cases with their places (building
        all 200 was most of a case page).
        """
        practice_ids = [p.pk for p in case.practices.all()]
        if not practice_ids:
            return []
        links = (Case.practices.through.objects.filter(practice_id__in=practice_ids).exclude(case_id=case.pk)
                 .order_by("-case_id").values_list("case_id", flat=True)[:RELATED_POOL])
        shared: dict[int, int] = defaultdict(int)
        for case_id in links:
            shared[case_id] += 1
        best = sorted(shared, key=lambda pk: (-shared[pk], -pk))[:200]
        keywords = set(case.keywords)
        overlap = {pk: len(keywords & set(theirs)) for pk, theirs in self.filter(pk__in=best).values_list("pk", "keywords")}
        chosen = sorted(overlap, key=lambda pk: (-shared[pk], -overlap[pk], -pk))[:limit]
        built = self.filter(pk__in=chosen).select_related("province", "city", "place").only(
            "pk", "slug", "title", "published_on", "keywords", "province__name", "city__name", "place__name",
            "place__level")
        by_pk = {c.pk: c for c in built}
        return [by_pk[pk] for pk in chosen if pk in by_pk]  # one deleted meanwhile is left out

    def counts_by_place(self) -> PlaceCounts:
        """How many of these cases each province and each city holds (one GROUP BY); see ``PlaceCounts``."""
        counts = PlaceCounts()
        for province_id, city_id, n in self.values_list("province_id", "city_id").annotate(n=Count("pk")).order_by():
            counts.by_province[province_id] = counts.by_province.get(province_id, 0) + n
            if city_id:
                counts.by_city[city_id] = counts.by_city.get(city_id, 0) + n
        return counts


RELATED_POOL = 3000  # practice links ``related_to`` looks at; a common practice has thousands of cases at 100,000


@dataclass
class PlaceCounts:
    """Cases per province id (None: cases without a place) and per city id."""

    by_province: dict[int | None, int] = field(default_factory=dict)
    by_city: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_province.values())


class Case(models.Model):
    """One report, cleaned and extracted, as the archive shows it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEWED = "reviewed", _("已审核")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Kind(models.TextChoices):
        CASE = "case", _("案例")
        # a paper, commentary, speech or how-to: kept for the record, never published by ingest
        NON_CASE = "non-case", _("非案例")

    class Script(models.TextChoices):
        SIMPLIFIED = "simplified", _("简体")
        TRADITIONAL = "traditional", _("繁体")
        MIXED = "mixed", _("繁简混合")
        UNKNOWN = "unknown", _("未知")

    # Fields a curator can correct; the loader never overwrites one listed in ``curated_fields``.
    CURATABLE_FIELDS = (
        "title",
        "place",
        "published_on",
        "source",
        "author_org",
        "summary",
        "body",
        "keywords",
        "practices",
        "kind",
    )

    slug = models.SlugField(_("标识"), max_length=100, unique=True, allow_unicode=True)
    title = models.CharField(_("标题"), max_length=300)
    place = models.ForeignKey(
        Place, verbose_name=_("地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # Denormalised from ``place`` on save so that facet counts and filters are single-column lookups.
    province = models.ForeignKey(
        Place, verbose_name=_("省份"), null=True, blank=True, editable=False, on_delete=models.PROTECT,
        related_name="+",
    )
    city = models.ForeignKey(
        Place, verbose_name=_("城市"), null=True, blank=True, editable=False, on_delete=models.PROTECT,
        related_name="+",
    )
    published_on = models.DateField(_("发布日期"), null=True, blank=True, db_index=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    author_org = models.CharField(_("作者单位"), max_length=200, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    body = models.TextField(_("正文"), help_text=_("清洗后的简体正文；指标与机制的位置以此为准。"))
    captions = models.JSONField(_("图片说明"), default=list, blank=True)
    original_text = models.TextField(_("原文"), blank=True, help_text=_("解码后、修复与转换前的原始文本。"))
    script = models.CharField(_("原文字体"), max_length=12, choices=Script.choices, default=Script.UNKNOWN)
    encoding = models.CharField(_("原文编码"), max_length=32, blank=True)
    repairs = models.JSONField(_("处理记录"), default=list, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    practices = models.ManyToManyField(Practice, verbose_name=_("实践"), blank=True, related_name="cases")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.CASE, db_index=True)
    content_hash = models.CharField(_("内容指纹"), max_length=64, unique=True)
    source_file = models.CharField(_("源文件"), max_length=255, db_index=True)
    # jieba search-mode tokens and character bigrams of title, headings and body, space-separated.
    # PostgreSQL only (a GIN index is made by migration 0003); on SQLite the FTS5 table cases_case_fts is used.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    # PostgreSQL only: title (A) and mechanism headings (B) alone, a small vector with its own GIN index
    # (migration 0006), so ranking never unpacks the whole body's vector for a word most cases contain.
    rank_vector = SearchVectorField(null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("疑似重复于"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    # sha1 of the first 200 Chinese characters of the body: the same report from two outlets shares it.
    # the body's MinHash signature (ingest.dedupe): compared with a candidate duplicate's
    minhash = models.BinaryField(_("文本签名"), blank=True, default=b"", editable=False)
    other_sources = models.JSONField(_("其他来源"), default=list, blank=True, help_text=_("合并重复案例时保留的来源"))
    curated_fields = models.JSONField(_("人工修订字段"), default=list, blank=True)
    needs_review = models.BooleanField(_("待复核"), default=False, db_index=True)
    review_conflicts = models.JSONField(
        _("复核冲突"), default=dict, blank=True, help_text=_("字段 → {人工值，新抽取值}")
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["search_vector", "rank_vector", "original_text", "minhash"]
    )
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("案例")
        verbose_name_plural = _("案例")
        permissions = [("publish_case", _("可以发布或撤回案例"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "reviewed", "published", "withdrawn"]), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(script__in=["simplified", "traditional", "mixed", "unknown"]), name="case_script_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=["case", "non-case"]), name="case_kind_valid"),
        ]
        # The public list's filters and facet counts read only these columns of published cases: on
        # PostgreSQL the INCLUDE columns make the counts index-only scans, never visiting the wide rows
        # (migration 0008 also adds them to the date-order index, which serves the unfiltered list).
        indexes = [
            models.Index(fields=["province"], include=["city", "published_on"],
                         condition=Q(status="published"), name="case_published_province"),
            models.Index(fields=["city"], include=["province", "published_on"],
                         condition=Q(status="published"), name="case_published_city"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # the loader inserts a new case without calling this (cases.loading.insert_case): what is added
        # here must be added there too
        self.sync_place_columns()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("cases:case-detail", kwargs={"slug": self.slug})

    def sync_place_columns(self):
        lineage = self.place.lineage() if self.place_id else []
        by_level = {p.level: p for p in lineage}
        self.province = by_level.get(Place.Level.PROVINCE)
        self.city = by_level.get(Place.Level.CITY)

    @property
    def district(self) -> Place | None:
        return self.place if self.place_id and self.place.level == Place.Level.DISTRICT else None

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    # Whole lists a curator took over by deleting a row of them: re-ingest leaves the list as it is.
    CURATED_LISTS = ("mechanisms", "metrics")

    def mark_curated(self, *fields: str):
        """Record that a curator changed these fields, so re-ingest leaves them alone."""
        for name in fields:
            if name not in self.curated_fields:
                self.curated_fields.append(name)

    def record_correction(self, changed: Iterable[str]) -> None:
        """A curator saved the case with these fields changed (a form's ``changed_data``); the caller saves.

        The curatable ones become the curator's: re-ingest leaves them alone. Clearing 待复核 by hand
        means the curator has looked at the conflicts, so they go with the flag.
        """
        changed = list(changed)
        self.mark_curated(*[name for name in changed if name in self.CURATABLE_FIELDS])
        if "needs_review" in changed and not self.needs_review:
            self.clear_review()

    def clear_review(self) -> None:
        """The conflicts are settled: no 待复核 flag, no conflicts kept (the caller saves)."""
        self.needs_review = False
        self.review_conflicts = {}

    @classmethod
    def conflict_label(cls, key: str) -> str:
        """How a conflict's key reads to a curator: a field's label; a row's own key otherwise."""
        return str(cls._meta.get_field(key).verbose_name) if key in cls.CURATABLE_FIELDS else key

    def resolve_conflict(self, key: str, take_extracted: bool) -> None:
        """Settle one conflict a re-ingest found (the caller saves).

        Taking the extracted value gives the field back to the pipeline (it is no longer curated, so
        the next re-ingest keeps it current); keeping the curator's value leaves the field curated.
        A conflict about a figure or mechanism can only be kept: the row stays as the curator left it.
        When no conflict is left, the case is no longer 待复核.
        """
        conflict = self.review_conflicts.get(key)
        if conflict is None:
            raise KeyError(key)
        if take_extracted:
            if key not in self.CURATABLE_FIELDS or "value" not in conflict:
                raise ValueError(f"no extracted value to take for {key!r}")
            value = conflict["value"]
            if key == "place":
                value = Place.objects.filter(code=value).first() if value else None
            elif key == "published_on":
                value = datetime.date.fromisoformat(value) if value else None
            setattr(self, key, value)
            self.curated_fields = [name for name in self.curated_fields if name != key]
        self.review_conflicts = {k: v for k, v in self.review_conflicts.items() if k != key}
        if not self.review_conflicts:
            self.needs_review = False

    def take_over(self, rows: str) -> None:
        """The curator deleted one of the case's ``rows`` (a name of ``CURATED_LISTS``): the whole list is theirs.

        A deleted row must not come back on re-ingest, so re-ingest leaves the list as it is. Written
        at once, with that column alone: the case row itself was saved before its rows.
        """
        if rows not in self.CURATED_LISTS:
            raise ValueError(f"not a list of rows a curator can take over: {rows!r}")
        self.mark_curated(rows)
        type(self).objects.filter(pk=self.pk).update(curated_fields=self.curated_fields)


class CuratedRow:
    """A mechanism or a figure, which a curator can correct row by row."""

    def record_correction(self) -> None:
        """A curator added or changed this row: it is theirs, and re-ingest keeps it as it is."""
        self.curated = True
        self.save()


class MergedReport(models.Model):
    """A report merged into another case as its duplicate: re-ingesting its bytes finds that case."""

    case = models.ForeignKey(Case, verbose_name=_("并入案例"), on_delete=models.CASCADE, related_name="merged_reports")
    content_hash = models.CharField(_("内容指纹"), max_length=64, unique=True)
    source_file = models.CharField(_("源文件"), max_length=255)

    class Meta:
        verbose_name = _("已合并的报告")
        verbose_name_plural = _("已合并的报告")

    def __str__(self):
        return self.source_file


class DuplicateBand(models.Model):
    """One LSH band of a case's MinHash signature (ingest.dedupe.band_keys): cases sharing a band are
    candidate duplicates, found by an indexed lookup however their openings differ."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="duplicate_bands")
    key = models.CharField(max_length=18, db_index=True)

    class Meta:
        verbose_name = _("重复检测分段")
        verbose_name_plural = _("重复检测分段")

    def __str__(self):
        return self.key


class Mechanism(CuratedRow, models.Model):
    """A named practice of the report (下好“一盘棋”…), possibly nested under another."""

    case = models.ForeignKey(Case, verbose_name=_("案例"), on_delete=models.CASCADE, related_name="mechanisms")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级机制"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    order = models.PositiveIntegerField(_("顺序"), default=0)
    heading = models.CharField(_("标题"), max_length=300)
    slogan = models.CharField(_("口号"), max_length=100, blank=True)
    body = models.TextField(_("内容"), blank=True)
    start = models.PositiveIntegerField(_("起始位置"), null=True, blank=True)
    end = models.PositiveIntegerField(_("结束位置"), null=True, blank=True)
    curated = models.BooleanField(_("人工修订"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "order"]
        verbose_name = _("机制")
        verbose_name_plural = _("机制")
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(start__lt=models.F("end")),
                name="mechanism_span_ordered",
            ),
        ]

    def __str__(self):
        return self.heading

    @property
    def anchor(self) -> str:
        return f"m{self.order}"


class MetricQuerySet(models.QuerySet):
    def published(self):
        """Figures of published cases: the only ones the public site and the API show."""
        return self.filter(case__status=Case.Status.PUBLISHED)

    def without_indicator(self):
        return self.filter(indicator__isnull=True)

    def unmatched_subjects(self):
        """Subjects of figures no indicator fits, the most frequent first: where the indicator list should grow."""
        return (
            self.without_indicator().exclude(subject="").values("subject", "unit")
            .annotate(figures=Count("id"), cases=Count("case", distinct=True)).order_by("-figures", "subject", "unit")
        )

    def assign_indicators(self) -> int:
        """Give every figure the indicator its subject and unit fit, as the indicator table stands now.

        A figure a curator has edited keeps what the curator left. Returns how many figures changed.
        Goes by distinct (subject, unit, current indicator): the assigner runs once per pair, and the
        figures that change are updated by a few UPDATEs (one per ASSIGN_BATCH pairs), not one per figure.
        """
        indicator_id = Indicator.objects.id_assigner()
        figures = self.filter(curated=False)
        changing: list[tuple[str, str, int | None, int | None]] = []  # subject, unit, current, wanted
        changed = 0
        triples = figures.values_list("subject", "unit", "indicator_id").annotate(n=Count("id")).order_by()
        wanted_of: dict[tuple[str, str], int | None] = {}
        for subject, unit, current, n in triples:
            if (subject, unit) not in wanted_of:
                wanted_of[subject, unit] = indicator_id(subject, unit)
            wanted = wanted_of[subject, unit]
            if wanted != current:
                changing.append((subject, unit, current, wanted))
                changed += n
        for start in range(0, len(changing), ASSIGN_BATCH):
            batch = changing[start:start + ASSIGN_BATCH]
            figures.filter(_any_of(Q(unit=unit, subject__in=subjects) & (
                Q(indicator__isnull=True) if current is None else Q(indicator_id=current))
                for (unit, current), subjects in _subjects_by(batch, lambda row: (row[1], row[2])).items())).update(
                indicator_id=models.Case(
                    *(models.When(_any_of(Q(unit=unit, subject__in=subjects) for unit, subjects in
                                          _subjects_by(group, lambda row: row[1]).items()), then=models.Value(wanted))
                      for wanted, group in _group(batch, lambda row: row[3]).items()),
                    default=models.F("indicator_id"), output_field=models.BigIntegerField()))
        return changed


ASSIGN_BATCH = 2000  # pairs an UPDATE names (SQLite allows 32,766 parameters a statement)


def _group(rows, key) -> dict:
    grouped: dict = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


def _subjects_by(rows, key) -> dict:
    """{key(row): the subjects of those rows}, the rows being (subject, unit, …)."""
    return {k: [row[0] for row in group] for k, group in _group(rows, key).items()}


def _any_of(conditions) -> Q:
    return functools.reduce(operator.or_, conditions)


class Metric(CuratedRow, models.Model):
    """A figure the report gives: value in base units, unit, qualifier and the span it came from."""

    case = models.ForeignKey(Case, verbose_name=_("案例"), on_delete=models.CASCADE, related_name="metrics")
    mechanism = models.ForeignKey(
        Mechanism, verbose_name=_("所属机制"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="metrics",
    )
    subject = models.CharField(_("对象"), max_length=100, blank=True)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("比较指标"), null=True, blank=True, on_delete=models.SET_NULL, related_name="metrics",
    )
    value = models.DecimalField(_("数值"), max_digits=24, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    qualifier = models.CharField(_("限定词"), max_length=10, blank=True)
    magnitude = models.CharField(
        _("数量级"), max_length=4, blank=True,
        help_text=_("原文计数所用的单位词（如“1101万平方米”中的“万”）；数值始终以个位计。"),
    )
    text = models.CharField(_("原文片段"), max_length=200)
    start = models.PositiveIntegerField(_("起始位置"))
    end = models.PositiveIntegerField(_("结束位置"))
    order = models.PositiveIntegerField(_("顺序"), default=0)
    curated = models.BooleanField(_("人工修订"), default=False)

    history = HistoricalRecords()

    objects = MetricQuerySet.as_manager()

    class Meta:
        ordering = ["case", "order", "start"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="metric_span_ordered"),
        ]

    def __str__(self):
        return f"{self.subject} {self.display_value}"

    @property
    def display_value(self) -> str:
        """The figure as the report writes it: 1,120余个, 不超过3名, 95%以内, 1101万平方米.

        The qualifier stands where ``vocabulary.QUALIFIERS`` says; a word outside the table (typed
        by a curator) stands before the number. A figure the text counts in 万 or 亿 is shown in
        them, without grouping (1101万, 8.9万余); ``value`` stays in base units for sorting and export.
        """
        value = self.value if isinstance(self.value, Decimal) else Decimal(str(self.value))
        multiplier = magnitude_multiplier(self.magnitude)
        if multiplier > 1:
            number = _plain_number(value / multiplier) + self.magnitude
        else:
            number = _plain_number(value, grouped=True)
        position = QUALIFIER_POSITION.get(self.qualifier, BEFORE_NUMBER)
        if position == AFTER_NUMBER:
            return f"{number}{self.qualifier}{self.unit}"
        if position == AFTER_UNIT:
            return f"{number}{self.unit}{self.qualifier}"
        return f"{self.qualifier}{number}{self.unit}"

    @property
    def anchor(self) -> str:
        return f"f{self.pk}"

    def sentence_bounds(self) -> tuple[int, int]:
        """The [start, end) of the sentence in the case body that holds this figure."""
        return sentence_bounds(self.case.body, self.start, self.end)

    @property
    def span_matches_body(self) -> bool:
        return self.case.body[self.start : self.end] == self.text


def magnitude_multiplier(magnitude: str) -> int:
    """What a magnitude as written multiplies by: 万 → 10,000, 百万 → 1,000,000; "" (or junk) → 1."""
    multiplier = 1
    for char in magnitude or "":
        multiplier *= MAGNITUDES.get(char, 1)
    return multiplier


def _plain_number(value: Decimal, grouped: bool = False) -> str:
    """12000 → "12,000" (grouped) or "12000"; 64.50 → "64.5"; never an exponent."""
    value = value.normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    number = f"{value:,f}" if grouped else f"{value:f}"
    return number.rstrip("0").rstrip(".") if "." in number else number

SENTENCE_END = SENTENCE_ENDS + "\n"  # a line break ends one too


def sentence_bounds(body: str, start: int, end: int) -> tuple[int, int]:
    left = start
    while left > 0 and body[left - 1] not in SENTENCE_END:
        left -= 1
    right = end
    while right < len(body) and body[right] not in SENTENCE_END:
        right += 1
    if right < len(body) and body[right] != "\n":
        right += 1  # keep the closing punctuation with its sentence
    return left, right
