"""What the API says of each thing: stable ids (a case's and a practice's slug, a place's administrative
code, an indicator's slug, a figure's number), absolute URLs to the API resource and to its page on
the site, and only public data (no curator's notes, no file paths, no review state)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Case, Indicator, Mechanism, Metric, Place, Practice


class PlaceRefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="行政区划代码")
    name = serializers.CharField()


class PracticeRefSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="slug", help_text="实践的标识（slug)")

    class Meta:
        model = Practice
        fields = ["id", "name"]


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class HtmlUrlField(serializers.Field):
    """The absolute address of the thing's page on the public site."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "网站上的页面")
        super().__init__(**kwargs)

    def to_representation(self, value):
        return _absolute(self.context.get("request"), value.get_absolute_url())


extend_schema_field({"type": "string", "format": "uri"})(HtmlUrlField)


class CaseSummarySerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="slug", help_text="案例的标识（slug)，稳定不变")
    url = serializers.HyperlinkedIdentityField(view_name="api:case-detail", lookup_field="slug",
                                               lookup_url_kwarg="slug")
    html_url = HtmlUrlField()
    province = PlaceRefSerializer(allow_null=True)
    city = PlaceRefSerializer(allow_null=True)
    district = PlaceRefSerializer(allow_null=True)
    practices = PracticeRefSerializer(many=True)

    class Meta:
        model = Case
        fields = ["id", "url", "html_url", "title", "province", "city", "district", "published_on", "source",
                  "author_org", "kind", "summary", "practices", "updated"]


class MechanismSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="pk")
    parent = serializers.IntegerField(source="parent_id", allow_null=True, help_text="上级机制的 id")

    class Meta:
        model = Mechanism
        fields = ["id", "parent", "order", "heading", "slogan", "start", "end"]


class FigureInCaseSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="pk")
    indicator = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    value = serializers.DecimalField(max_digits=24, decimal_places=4, coerce_to_string=False,
                                     help_text="以个位计的数值（“1.2万”为 12000)")
    display = serializers.CharField(source="display_value", help_text="原文的写法，连同限定词：1,120余个")
    mechanism = serializers.IntegerField(source="mechanism_id", allow_null=True)
    sentence_url = serializers.SerializerMethodField(help_text="网站上该数字所在句子的地址")

    class Meta:
        model = Metric
        fields = ["id", "subject", "indicator", "value", "unit", "qualifier", "magnitude", "display", "text",
                  "start", "end", "mechanism", "sentence_url"]

    def get_sentence_url(self, metric) -> str:
        return _absolute(self.context.get("request"), f"{metric.case.get_absolute_url()}#{metric.anchor}")


class SourceSerializer(serializers.Serializer):
    source = serializers.CharField(allow_blank=True)
    title = serializers.CharField(allow_blank=True)
    published_on = serializers.DateField(allow_null=True)


class CaseDetailSerializer(CaseSummarySerializer):
    mechanisms = MechanismSerializer(many=True)
    figures = FigureInCaseSerializer(many=True, source="metrics")
    sources = serializers.SerializerMethodField(help_text="本案例的来源，以及合并进来的其他来源")

    class Meta(CaseSummarySerializer.Meta):
        fields = [*CaseSummarySerializer.Meta.fields, "keywords", "body", "mechanisms", "figures", "sources"]

    @extend_schema_field(SourceSerializer(many=True))
    def get_sources(self, case) -> list[dict]:
        own = {"source": case.source, "title": case.title,
               "published_on": case.published_on.isoformat() if case.published_on else None}
        merged = [{"source": s.get("source") or "", "title": s.get("title") or "", "published_on": s.get("published_on")}
                  for s in case.other_sources or []]
        return [own, *merged]


class FigureSerializer(FigureInCaseSerializer):
    case = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="所属案例的标识")
    case_url = serializers.HyperlinkedRelatedField(source="case", view_name="api:case-detail",
                                                   lookup_field="slug", read_only=True)
    case_title = serializers.CharField(source="case.title")
    published_on = serializers.DateField(source="case.published_on", allow_null=True)
    province = PlaceRefSerializer(source="case.province", allow_null=True)
    city = PlaceRefSerializer(source="case.city", allow_null=True)

    class Meta(FigureInCaseSerializer.Meta):
        fields = ["id", "case", "case_url", "case_title", "published_on", "province", "city",
                  *FigureInCaseSerializer.Meta.fields[1:]]


class IndicatorSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="slug", help_text="指标的标识（slug)")
    url = serializers.HyperlinkedIdentityField(view_name="api:indicator-detail", lookup_field="slug")
    units = serializers.SerializerMethodField(help_text="此指标接受的计量单位")
    figures = serializers.IntegerField(source="figure_count", help_text="已发布案例中归入此指标的数字数")

    class Meta:
        model = Indicator
        fields = ["id", "url", "name", "unit_family", "units", "synonyms", "description", "figures"]

    def get_units(self, indicator) -> list[str]:
        return sorted(indicator.units)


class PracticeSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="slug", help_text="实践的标识（slug)")
    url = serializers.HyperlinkedIdentityField(view_name="api:practice-detail", lookup_field="slug")
    html_url = HtmlUrlField()
    cases = serializers.IntegerField(source="case_count", help_text="已发布案例数")

    class Meta:
        model = Practice
        fields = ["id", "url", "html_url", "name", "synonyms", "description", "cases"]


class PlaceSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="code", help_text="行政区划代码")
    url = serializers.HyperlinkedIdentityField(view_name="api:place-detail", lookup_field="code")
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    cases = serializers.IntegerField(source="case_count", help_text="已发布案例数（含下级地区）")

    class Meta:
        model = Place
        fields = ["id", "url", "name", "short_name", "level", "parent", "cases"]
