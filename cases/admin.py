"""The curator's admin: cases with their mechanisms and figures, review workflow, upload, history, duplicates.

The admin is thin: what counts as curated is the models' (``Case.record_correction``,
``take_over``, ``clear_review``); who may move a case to which status is
``workflow.py``'s; the warnings are one table in ``warnings.py``; the review aids
are ``review.py``, merging duplicates ``merge.py``, history and restore
``history.py``, uploads ``curation.py``. Everything here wires those into pages.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import (
    curation,
    export,
    history,
    merge,
    review,
    review_screen,
    search,
    uploads,
    warnings,
    work_queue,
    workflow,
)
from .forms import (
    TEXT_OVERRIDES,
    CaseAdminForm,
    MechanismInlineForm,
    MechanismInlineFormSet,
    MetricInlineForm,
    MetricInlineFormSet,
    ReviewAddForm,
    ReviewFigureForm,
    ReviewMechanismForm,
    UploadForm,
)
from .models import Case, Indicator, Mechanism, Metric, Place, Practice
from .review_screen import review_key

log = logging.getLogger(__name__)

# The admin speaks the site's name, not Django's ("Django 站点管理员", "Django 管理").
admin.site.site_header = _("城市基层党建案例库 · 管理")
admin.site.site_title = _("案例库管理")
admin.site.index_title = _("工作台")


# --------------------------------------------------------------------------- robustness


class SoundLookupsMixin:
    """A changelist whose query string overflows a column is refused like any other bad lookup.

    Django turns a lookup it cannot apply (``?published_on__year=abc``) into a redirect to the
    plain list with ``?e=1``. A value too large for the column slips past it: the date
    hierarchy's year 99999999999999999999 raises OverflowError building the date, and
    ``pk__in=<20 digits>`` overflows SQLite's INTEGER when the list is counted.
    """

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


def harden(site: admin.AdminSite) -> None:
    """Give every model admin of ``site`` (Django's users and groups, axes' records…) the mixin."""
    from django.apps import apps

    for model in apps.get_models():
        if not site.is_registered(model):
            continue
        model_admin = type(site.get_model_admin(model))
        if not issubclass(model_admin, SoundLookupsMixin):
            site.unregister(model)
            site.register(model, type(model_admin.__name__, (SoundLookupsMixin, model_admin), {}))


def key_or_404(model, raw: str):
    """``raw`` as a primary key of ``model``, or a 404 (``abc``, or a number no column can hold)."""
    field = model._meta.pk
    try:
        value = field.to_python(raw)
        field.run_validators(value)
    except ValidationError as error:
        raise Http404(f"no {model._meta.model_name} {raw!r}") from error
    return value


# --------------------------------------------------------------------------- places and practices


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "short_name", "code"]
    list_select_related = ["parent"]
    show_facets = admin.ShowFacets.ALWAYS
    autocomplete_fields = ["parent"]
    ordering = ["code"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "synonym_list", "case_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=models.Count("cases", distinct=True))

    @admin.display(description=_("同义词"))
    def synonym_list(self, obj):
        return "、".join(obj.synonyms)

    @admin.display(description=_("案例数"), ordering="case_count")
    def case_count(self, obj):
        return obj.case_count

    def get_search_results(self, request, queryset, search_term):
        # Synonyms are a JSON list (stored \u-escaped on SQLite), so match them in Python: the
        # taxonomy is a few dozen rows. This lets the case form's autocomplete find 在职党员到社区报到.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            by_synonym = [
                pk for pk, synonyms in Practice.objects.values_list("pk", "synonyms")
                if any(term in s for s in synonyms or [])
            ]
            queryset |= self.get_queryset(request).filter(pk__in=by_synonym)
            queryset = queryset.order_by(*(self.get_ordering(request) or ["name"]))  # "|" drops the order
        return queryset, may_have_duplicates


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """Comparable indicators. Every change reassigns the figures, so the list is what the site shows at once;
    the changelist lists the subjects no indicator fits yet, the most frequent first."""

    list_display = ["name", "unit_family", "synonym_list", "figure_count"]
    list_filter = ["unit_family"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    change_list_template = "admin/cases/indicator/change_list.html"
    UNMATCHED_SHOWN = 50

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(figure_count=models.Count("metrics"))

    @admin.display(description=_("同义词"))
    def synonym_list(self, obj):
        return "、".join(obj.synonyms)

    @admin.display(description=_("数字数"), ordering="figure_count")
    def figure_count(self, obj):
        return obj.figure_count

    def changelist_view(self, request, extra_context=None):
        unmatched = Metric.objects.published().unmatched_subjects()
        extra_context = {**(extra_context or {}), "unmatched": unmatched[: self.UNMATCHED_SHOWN]}
        return super().changelist_view(request, extra_context=extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._reassign(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._reassign(request)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._reassign(request)

    def _reassign(self, request):
        changed = Metric.objects.assign_indicators()
        self.message_user(request, ngettext("已按当前指标表重新归入 %(n)d 个数字。", "已按当前指标表重新归入 %(n)d 个数字。",
                                            changed) % {"n": changed})


# --------------------------------------------------------------------------- changelist filters


class WarningFilter(admin.SimpleListFilter):
    title = _("警告")
    parameter_name = "warning"

    def lookups(self, request, model_admin):
        # the flags (待复核, 疑似重复, 非案例) have filters of their own beside this one
        return [(warnings.ANY, _("任一警告")), *((w.key, w.label) for w in warnings.GAPS)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == warnings.ANY or value in warnings.WARNINGS:
            return queryset.with_warning(value)
        return queryset


class DuplicateFilter(admin.SimpleListFilter):
    title = _("疑似重复")
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", _("疑似重复")), ("merged", _("已合并其他来源"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.with_warning("duplicate")
        if self.value() == "merged":
            return queryset.exclude(other_sources=[])
        return queryset


# --------------------------------------------------------------------------- inlines


class MechanismInline(admin.TabularInline):
    model = Mechanism
    form = MechanismInlineForm
    formset = MechanismInlineFormSet
    fk_name = "case"
    fields = ["order", "heading", "slogan", "parent", "body", "start", "end", "curated"]
    readonly_fields = ["curated"]
    extra = 0
    formfield_overrides = {models.TextField: {**TEXT_OVERRIDES, "widget": admin.widgets.AdminTextareaWidget(attrs={"rows": 2})}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent":
            field.widget.can_add_related = field.widget.can_change_related = False
        return field


class MetricInline(admin.TabularInline):
    model = Metric
    form = MetricInlineForm
    formset = MetricInlineFormSet
    fields = ["order", "subject", "value", "unit", "qualifier", "mechanism", "text", "start", "end", "span_ok", "curated"]
    readonly_fields = ["span_ok", "curated"]
    extra = 0

    @admin.display(description=_("原文位置"), boolean=True)
    def span_ok(self, obj):
        return obj.span_matches_body if obj.pk else None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "mechanism":
            field.widget.can_add_related = field.widget.can_change_related = False
        return field


# --------------------------------------------------------------------------- cases

PROVENANCE_FIELDS = [
    "source_file", "content_hash", "encoding", "script", "repairs", "curated_fields",
    "created", "updated", "original_text",
]


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    form = CaseAdminForm
    inlines = [MechanismInline, MetricInline]
    change_form_template = "admin/cases/case/change_form.html"
    change_list_template = "admin/cases/case/change_list.html"
    object_history_template = "admin/cases/case/object_history.html"

    list_display = ["title", "kind_flag", "place", "published_on", "status", "needs_review", "duplicate_flag", "updated",
                    "review_link"]
    list_display_links = ["title"]
    list_filter = [
        "status",
        "kind",
        "needs_review",
        WarningFilter,
        DuplicateFilter,
        ("province", admin.RelatedOnlyFieldListFilter),
        ("city", admin.RelatedOnlyFieldListFilter),
        ("practices", admin.RelatedOnlyFieldListFilter),
        "script",
    ]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["title", "slug", "source", "author_org", "source_file", "place__name"]
    list_select_related = ["place", "duplicate_of"]
    date_hierarchy = "published_on"
    list_per_page = 50
    autocomplete_fields = ["place", "practices"]
    readonly_fields = [
        *PROVENANCE_FIELDS, "province", "city", "duplicate_of", "other_sources_display", "review_conflicts_display",
    ]
    formfield_overrides = {models.TextField: TEXT_OVERRIDES}
    fieldsets = [
        (None, {"fields": ["title", "kind", "slug", "place", "published_on", "source", "author_org"]}),
        (_("审核"), {"fields": ["status", "needs_review", "review_conflicts_display"]}),
        (_("内容"), {"fields": ["summary", "keywords", "practices", "body", "captions"]}),
        (_("重复与其他来源"), {"fields": ["duplicate_of", "other_sources_display"]}),
        (_("来源与处理记录"), {"classes": ["collapse"], "fields": [*PROVENANCE_FIELDS, "province", "city"]}),
    ]
    actions = ["mark_reviewed", "back_to_draft", "publish", "withdraw", "mark_non_case", "mark_case", "export_json",
               "export_csv", "merge_duplicates"]

    # ---- form and saving

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The form asks the workflow which statuses this user may choose, and checks the POST.
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        if change:
            obj.record_correction(form.changed_data)
        else:
            # A case typed in by hand has no report file; give it a content hash no report can have.
            obj.content_hash = f"manual:{uuid.uuid4().hex}"
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # A row the curator added or changed is theirs; deleting one hands them the whole list.
        for obj in formset.save(commit=False):  # only the new and the changed rows
            obj.record_correction()
        if formset.deleted_objects:
            form.instance.take_over(formset.model._meta.model_name + "s")
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The case and its mechanisms are saved now: a corrected title, body or heading must be searchable.
        search.index_case(form.instance)

    # ---- display helpers

    @admin.display(description=_("类型"), ordering="kind")
    def kind_flag(self, obj):
        # a non-case stands out in the list: ingest keeps it a draft, and publishing it is the curator's call
        if obj.kind == Case.Kind.NON_CASE:
            return format_html('<strong class="rv-non-case">{}</strong>', obj.get_kind_display())
        return obj.get_kind_display()

    @admin.display(description=_("疑似重复于"))
    def duplicate_flag(self, obj):
        if not obj.duplicate_of_id:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:cases_case_change", args=[obj.duplicate_of_id]), obj.duplicate_of
        )

    @admin.display(description=_("审核"))
    def review_link(self, obj):
        return format_html('<a class="rv-review-link" href="{}">{}</a>', reverse("admin:cases_case_review", args=[obj.pk]),
                           _("审核页"))

    def view_on_site(self, obj):
        # Only a published case has a public page; a draft's link would be a 404.
        return obj.get_absolute_url() if obj.is_public else None

    @admin.display(description=_("复核冲突"))
    def review_conflicts_display(self, obj):
        return review.conflicts_html(obj)

    @admin.display(description=_("其他来源"))
    def other_sources_display(self, obj):
        return merge.sources_html(obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(review.aids(obj), can_merge=self.has_delete_permission(request))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    # ---- workflow actions

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def _move(self, request, queryset, target):
        moved, refused = workflow.bulk_transition(request.user, queryset, target)
        if moved:
            self.message_user(
                request,
                ngettext("%(n)d 个案例已改为“%(s)s”。", "%(n)d 个案例已改为“%(s)s”。", len(moved))
                % {"n": len(moved), "s": Case.Status(target).label},
                messages.SUCCESS,
            )
        for case, reason in refused:
            self.message_user(request, f"{case.title}:{reason}", messages.WARNING)

    @admin.action(description=_("标记为已审核"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        self._move(request, queryset, Case.Status.REVIEWED)

    @admin.action(description=_("退回草稿"), permissions=["change"])
    def back_to_draft(self, request, queryset):
        self._move(request, queryset, Case.Status.DRAFT)

    @admin.action(description=_("发布"), permissions=["publish"])
    def publish(self, request, queryset):
        self._move(request, queryset, Case.Status.PUBLISHED)

    @admin.action(description=_("撤回"), permissions=["publish"])
    def withdraw(self, request, queryset):
        self._move(request, queryset, Case.Status.WITHDRAWN)

    def _set_kind(self, request, queryset, kind):
        changed = 0
        for case in queryset:
            if case.kind == kind:
                continue
            case.kind = kind
            case.record_correction(["kind"])  # the curator's call: re-ingest leaves it
            case._history_user = request.user
            case._change_reason = _("改为“%(k)s”") % {"k": Case.Kind(kind).label}
            case.save()
            changed += 1
        self.message_user(request, ngettext("%(n)d 个案例已改为“%(k)s”。", "%(n)d 个案例已改为“%(k)s”。", changed)
                          % {"n": changed, "k": Case.Kind(kind).label}, messages.SUCCESS)

    @admin.action(description=_("标为非案例"), permissions=["change"])
    def mark_non_case(self, request, queryset):
        self._set_kind(request, queryset, Case.Kind.NON_CASE)

    @admin.action(description=_("确认为案例"), permissions=["change"])
    def mark_case(self, request, queryset):
        self._set_kind(request, queryset, Case.Kind.CASE)

    # ---- export

    def _export(self, content, content_type, suffix):
        response = HttpResponse(content, content_type=content_type)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.{suffix}"'
        return response

    @admin.action(description=_("导出所选案例（JSON）"), permissions=["view"])
    def export_json(self, request, queryset):
        cases = export.export_queryset(queryset.order_by("pk"))
        return self._export(export.to_json(cases), "application/json; charset=utf-8", "json")

    @admin.action(description=_("导出所选案例（CSV）"), permissions=["view"])
    def export_csv(self, request, queryset):
        cases = export.export_queryset(queryset.order_by("pk"))
        # A BOM so that Excel, which most curators open CSV with, reads the file as UTF-8.
        return self._export("\ufeff" + export.to_csv(cases), "text/csv; charset=utf-8", "csv")

    # ---- duplicates

    @admin.action(description=_("合并疑似重复案例（保留原案例及两个来源）"), permissions=["delete"])
    def merge_duplicates(self, request, queryset):
        merged, alone = merge.merge_into_originals(queryset.select_related("duplicate_of"), request.user)
        for case in alone:
            self.message_user(request, _("%(t)s：没有疑似重复的案例，未合并。") % {"t": case.title}, messages.WARNING)
        if merged:
            self.message_user(request, _("已合并 %(n)d 个重复案例。") % {"n": merged}, messages.SUCCESS)

    def conflict_view(self, request, object_id):
        """The conflict table's buttons: take the re-ingest's value of a field, or keep the curator's (POST)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = get_object_or_404(Case, pk=key_or_404(Case, unquote(object_id)))
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        take = request.POST.get("take_extracted")
        key = take or request.POST.get("keep_curated")
        if not key or key not in case.review_conflicts:
            self.message_user(request, _("这条冲突已不存在（可能已被处理）。"), messages.WARNING)
            return self._back(request, case)
        try:
            case.resolve_conflict(key, take_extracted=bool(take))
        except ValueError:
            self.message_user(request, _("这条冲突只能保留人工值。"), messages.ERROR)
            return self._back(request, case)
        case._history_user = request.user
        label = Case.conflict_label(key)
        case._change_reason = _("采用新抽取值：%(k)s") % {"k": label} if take else _("保留人工值：%(k)s") % {"k": label}
        case.save()
        if take:
            search.index_case(case)  # the title or the body may have changed
        self.message_user(request, _("已采用新抽取值。") if take else _("已保留人工值。"), messages.SUCCESS)
        return self._back(request, case)

    def compare_view(self, request, object_id, other_id):
        """Two duplicate candidates side by side: their fields, their texts aligned with the differences
        marked, and the merge buttons either way round."""
        left = get_object_or_404(Case, pk=key_or_404(Case, unquote(object_id)))
        right = get_object_or_404(Case, pk=key_or_404(Case, unquote(other_id)))
        if not (self.has_view_permission(request, left) and self.has_view_permission(request, right)):
            raise PermissionDenied
        if not merge.are_candidates(left, right):
            raise Http404("not a candidate duplicate pair")
        fields, rows = merge.side_by_side(left, right)
        can_merge = all(self.has_change_permission(request, c) and self.has_delete_permission(request, c)
                        for c in (left, right))
        context = {
            **self.admin_site.each_context(request), "opts": Case._meta, "original": left, "left": left,
            "right": right, "fields": fields, "rows": rows, "can_merge": can_merge,
            "same": sum(1 for r in rows if r.kind == "same"), "differ": sum(1 for r in rows if r.kind != "same"),
            "title": _("并排比较疑似重复：%(t)s") % {"t": left.title},
        }
        return TemplateResponse(request, "admin/cases/case/compare.html", context)

    def merge_view(self, request, object_id, other_id):
        """The change page's merge button: keep ``object_id``, merge ``other_id`` into it (POST only)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        keep = get_object_or_404(Case, pk=key_or_404(Case, unquote(object_id)))
        drop = get_object_or_404(Case, pk=key_or_404(Case, unquote(other_id)))
        if not (self.has_delete_permission(request, drop) and self.has_change_permission(request, keep)):
            raise PermissionDenied
        if not merge.are_candidates(keep, drop):
            raise Http404("not a candidate duplicate pair")
        merge.merge_duplicate(keep, drop, request.user)
        self.message_user(request, _("已合并，保留本案例及两个来源。"), messages.SUCCESS)
        return self._back(request, keep)

    @staticmethod
    def _back(request, case):
        """Where a button of the change page or the review screen returns: the page it was pressed on
        (``back=review`` in the POST: the review screen, in the queue it was walking), for ``case``."""
        if request.POST.get("back") == "review":
            return HttpResponseRedirect(review_url(case, request.POST.get("queue")))
        return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))

    # ---- history: also the mechanisms and figures; restore a whole version

    def history_view(self, request, object_id, extra_context=None):
        key_or_404(Case, unquote(object_id))
        context = {"related_history": history.row_changes(unquote(object_id)),
                   "versions": history.case_versions(unquote(object_id)), **(extra_context or {})}
        return super().history_view(request, object_id, extra_context=context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Restore the case, with its mechanisms and figures, as it was at one history record.

        Replaces django-simple-history's revert form, which restores the case row only (not its
        inlines); ``history.restore_version`` brings back the version's values and nothing else.
        """
        case = get_object_or_404(Case, pk=key_or_404(Case, unquote(object_id)))
        history_id = key_or_404(Case.history.model, unquote(version_id))
        record = get_object_or_404(Case.history.model, id=case.pk, history_id=history_id)
        if not self.has_view_history_or_change_history_permission(request, case):
            raise PermissionDenied
        can_restore = self.has_change_permission(request, case) and not self.revert_disabled(request, case)
        if request.method == "POST":
            if not can_restore:
                raise PermissionDenied
            history.restore_version(case, record, request.user)
            when = timezone.localtime(record.history_date).strftime("%Y年%-m月%-d日 %H:%M")
            self.message_user(request, _("已恢复到 %(when)s 的版本。") % {"when": when}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))
        differences = history.version_differences(case, record)
        mechanisms, metrics = history.snapshot(Mechanism, case, record), history.snapshot(Metric, case, record)
        context = {
            **self.admin_site.each_context(request),
            "opts": Case._meta,
            "original": case,
            "record": record,
            "differences": differences,
            "mechanisms": mechanisms,
            "metrics": metrics,
            "mechanism_differences": history.row_differences(list(case.mechanisms.all()), mechanisms),
            "metric_differences": history.row_differences(list(case.metrics.all()), metrics),
            "can_restore": can_restore,
            "title": _("恢复历史版本：%(t)s") % {"t": case.title},
        }
        return TemplateResponse(request, "admin/cases/case/restore_confirm.html", context)

    # ---- upload

    def get_urls(self):
        urls = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="cases_case_upload"),
            path(
                "upload/<uuid:job_id>/", self.admin_site.admin_view(self.upload_job_view), name="cases_case_upload_job"
            ),
            path("review/next/", self.admin_site.admin_view(self.review_next_view), name="cases_case_review_next"),
            path("<path:object_id>/review/", self.admin_site.admin_view(self.review_view), name="cases_case_review"),
            path("<path:object_id>/review/<str:kind>/<int:row_id>/", self.admin_site.admin_view(self.review_row_view),
                 name="cases_case_review_row"),
            path("<path:object_id>/review/add/", self.admin_site.admin_view(self.review_add_view),
                 name="cases_case_review_add"),
            path("<path:object_id>/review/decide/", self.admin_site.admin_view(self.review_decide_view),
                 name="cases_case_review_decide"),
            path("<path:object_id>/conflict/", self.admin_site.admin_view(self.conflict_view), name="cases_case_conflict"),
            path("<path:object_id>/compare/<path:other_id>/", self.admin_site.admin_view(self.compare_view),
                 name="cases_case_compare"),
            path(
                "<path:object_id>/merge/<path:other_id>/",
                self.admin_site.admin_view(self.merge_view),
                name="cases_case_merge",
            ),
        ]
        return urls + super().get_urls()

    # ---- the review screen (cases/review_screen.py; templates/admin/cases/case/review.html)

    REVIEW_DECISIONS = ("mark_reviewed", "publish", "back_to_draft", "mark_non_case", "mark_case")
    # what each decision moves the case to: offered only when it is a move the case may make
    DECISION_STATUS = {"mark_reviewed": Case.Status.REVIEWED, "publish": Case.Status.PUBLISHED,
                       "back_to_draft": Case.Status.DRAFT}
    DECISION_KIND = {"mark_non_case": Case.Kind.NON_CASE, "mark_case": Case.Kind.CASE}

    def _decisions(self, request, case) -> list[tuple[str, str]]:
        actions = self.get_actions(request)
        moves = set(workflow.allowed_targets(request.user, case)) - {case.status}
        return [(name, actions[name][2]) for name in self.REVIEW_DECISIONS if name in actions
                and (self.DECISION_STATUS.get(name) in moves or self.DECISION_KIND.get(name, case.kind) != case.kind)]

    def _review_case(self, request, object_id, *, change: bool) -> Case:
        case = get_object_or_404(Case.objects.select_related("place", "duplicate_of"),
                                 pk=key_or_404(Case, unquote(object_id)))
        allowed = self.has_change_permission(request, case) if change else self.has_view_permission(request, case)
        if not allowed:
            raise PermissionDenied
        return case

    def _row_permissions(self, request, case) -> dict[str, bool]:
        """What the curator may do to the case's rows: what the change page's inlines allow."""
        can_change = self.has_change_permission(request, case)
        return {f"can_{action}_{model}": can_change and request.user.has_perm(f"cases.{action}_{model}")
                for action in ("add", "change") for model in ("metric", "mechanism")}

    def _review_rows(self, request, case, bound=None) -> dict:
        """The screen's parts that an edit changes (the body, the figures, the mechanisms), each row with its
        form; ``bound``: a form the curator submitted with errors, shown in its row's place."""
        metrics = list(case.metrics.select_related("mechanism", "indicator").order_by("order", "start"))
        mechanisms = list(case.mechanisms.order_by("order"))
        by_pk = {m.pk: m for m in mechanisms}
        for mechanism in mechanisms:
            mechanism.parent_heading = by_pk[mechanism.parent_id].heading if mechanism.parent_id in by_pk else ""
        warned = review_screen.figure_warnings(case)
        indicators = list(Indicator.objects.order_by("name").values_list("pk", "name"))
        rows = []
        for metric in metrics:
            form = bound if isinstance(bound, ReviewFigureForm) and bound.instance.pk == metric.pk else \
                ReviewFigureForm(instance=metric, indicator_choices=indicators, prefix=review_key(metric))
            rows.append({"row": metric, "form": form, "warnings": warned.get(metric.pk, []),
                         "span_ok": case.body[metric.start:metric.end] == metric.text})
        mechanism_rows = []
        for mechanism in mechanisms:
            form = bound if isinstance(bound, ReviewMechanismForm) and bound.instance.pk == mechanism.pk else \
                ReviewMechanismForm(instance=mechanism, mechanisms=mechanisms, prefix=review_key(mechanism))
            mechanism_rows.append({"row": mechanism, "form": form})
        pieces = review_screen.body_pieces(case.body, metrics, mechanisms, set(warned))
        return {"review_body": review_screen.body_html(case.body, pieces), "figure_rows": rows,
                "mechanism_rows": mechanism_rows, **self._row_permissions(request, case)}

    def review_view(self, request, object_id):
        """One case to review: its text with every figure and mechanism marked on one side, its fields, its
        figures and mechanisms (each editable in place), its conflicts, duplicates and decisions on the other."""
        return self._render_review(request, object_id)

    def _render_review(self, request, object_id, bound=None, add_form=None, status=200):
        case = self._review_case(request, object_id, change=False)
        queue_key = walked_queue(request)
        context = {
            **self.admin_site.each_context(request),
            **self._review_rows(request, case, bound),
            "opts": Case._meta,
            "original": case,
            "is_nav_sidebar_enabled": False,  # the width is the text's and the rows'
            "title": _("审核：%(t)s") % {"t": case.title},
            "can_change": self.has_change_permission(request, case),
            "can_merge": self.has_delete_permission(request),
            "decisions": self._decisions(request, case),
            "publish_waits": case.needs_review and self.has_publish_permission(request),
            "case_warnings": warnings.in_words(
                case, [w for w in warnings.WARNINGS.values() if w.key not in review.SHOWN_APART and not w.figures]),
            "conflicts": review.conflicts_html(case) if case.review_conflicts else "",
            "duplicate_candidates": merge.candidates(case),
            "practices": list(case.practices.order_by("name").values_list("name", flat=True)),
            "add_form": add_form or ReviewAddForm(initial={"kind": "figure"}),
            "queue_key": queue_key,
            "queue_label": (work_queue.WARNINGS[queue_key].label if queue_key in work_queue.WARNINGS
                            else _("待审草稿") if queue_key else ""),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/cases/case/review.html", context, status=status)

    def _review_saved(self, request, case, text, anchor=""):
        """After an edit: to a script, the screen's changed parts as JSON; to a plain form, back to the screen."""
        if request.headers.get("x-requested-with") == "fetch":
            parts = self._review_rows(request, case)
            context = {**parts, "original": case, "opts": Case._meta, "queue_key": walked_queue(request)}
            return JsonResponse({"ok": True, "message": str(text), "anchor": anchor, "html": {
                "rv-text": str(parts["review_body"]),
                "rv-figures": render_to_string("admin/cases/case/_review_figures.html", context, request),
                "rv-mechanisms": render_to_string("admin/cases/case/_review_mechanisms.html", context, request),
            }})
        self.message_user(request, text, messages.SUCCESS)
        return HttpResponseRedirect(review_url(case, request.POST.get("queue")) + (f"#{anchor}" if anchor else ""))

    def _review_refused(self, request, object_id, errors: list[str], bound=None, add_form=None):
        if request.headers.get("x-requested-with") == "fetch":
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        for error in errors:
            self.message_user(request, error, messages.ERROR)
        return self._render_review(request, object_id, bound=bound, add_form=add_form, status=400)

    def review_row_view(self, request, object_id, kind, row_id):
        """Save one figure (``kind`` figure) or mechanism edited in place on the review screen (POST)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self._review_case(request, object_id, change=True)
        model = {"figure": Metric, "mechanism": Mechanism}.get(kind)
        if model is None:
            raise Http404(f"no row kind {kind!r}")
        if not request.user.has_perm(f"cases.change_{model._meta.model_name}"):
            raise PermissionDenied
        row = get_object_or_404(model, pk=row_id, case=case)
        if model is Metric:
            indicators = list(Indicator.objects.order_by("name").values_list("pk", "name"))
            form = ReviewFigureForm(request.POST, instance=row, indicator_choices=indicators, prefix=review_key(row))
            save = review_screen.save_figure
        else:
            form = ReviewMechanismForm(request.POST, instance=row, mechanisms=case.mechanisms.all(), prefix=review_key(row))
            save = review_screen.save_mechanism
        if not form.is_valid():
            errors = [f"{form[name].label if name in form.fields else ''}：{e}" if name != "__all__" else str(e)
                      for name, errs in form.errors.items() for e in errs]
            return self._review_refused(request, object_id, errors, bound=form)
        saved = save(case, form, request.user)
        return self._review_saved(request, case, _("已保存。") if saved else _("没有修改。"), f"row-{review_key(row)}")

    def review_add_view(self, request, object_id):
        """Add a figure or a mechanism from a selection of the body (POST: kind, start, end, reason)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self._review_case(request, object_id, change=True)
        form = ReviewAddForm(request.POST)
        if not form.is_valid():
            errors = [f"{form[name].label}：{e}" for name, errs in form.errors.items() for e in errs]
            return self._review_refused(request, object_id, errors, add_form=form)
        kind = form.cleaned_data["kind"]
        model = Metric if kind == "figure" else Mechanism
        if not request.user.has_perm(f"cases.add_{model._meta.model_name}"):
            raise PermissionDenied
        add = review_screen.add_figure if kind == "figure" else review_screen.add_mechanism
        try:
            row = add(case, form.cleaned_data["start"], form.cleaned_data["end"], request.user,
                      form.cleaned_data["reason"])
        except review_screen.ReviewError as error:
            return self._review_refused(request, object_id, [str(error)], add_form=form)
        if kind == "figure":
            text = _("已添加数字：%(s)s %(v)s。") % {"s": row.subject or "—", "v": row.display_value}
        else:
            text = _("已添加机制：%(h)s。") % {"h": row.heading}
        return self._review_saved(request, case, text, f"row-{review_key(row)}")

    def review_decide_view(self, request, object_id):
        """The screen's decision buttons: an action of the changelist (``REVIEW_DECISIONS``) on this case
        alone, with the action's own permission and messages; back to the screen (POST)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self._review_case(request, object_id, change=False)
        name = request.POST.get("action", "")
        actions = self.get_actions(request)
        if name not in self.REVIEW_DECISIONS or name not in actions:
            raise PermissionDenied
        func = actions[name][0]
        func(self, request, Case.objects.filter(pk=case.pk))
        return HttpResponseRedirect(review_url(case, request.POST.get("queue")))

    def review_next_view(self, request):
        """The next case of the work queue (``?after=<id>``, ``?queue=<item>``) on the review screen."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        key = request.GET.get("queue") or None
        if key is not None and key not in work_queue.CASE_ITEMS:
            raise Http404(f"no queue item {key!r}")
        after = request.GET.get("after")
        after = key_or_404(Case, after) if after else None
        found = work_queue.next_case(after, key)
        if found is None:
            self.message_user(request, _("队列中已没有下一个案例。"), messages.INFO)
            return HttpResponseRedirect(reverse("admin:index"))
        return HttpResponseRedirect(review_url(found, key))

    def upload_view(self, request):
        """Upload report files (or zips of them); run each through the loader; one line per report.

        A small upload is loaded in the request; a larger one after the response, on a page that
        refreshes itself until it is done (see uploads.py)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        results = []
        form = UploadForm(user=request.user)
        if request.method == "POST" and _request_too_large(request):
            # refused from its declared length, before a byte of it is parsed or written anywhere
            self.message_user(request, _total_too_large_message(), messages.ERROR)
        elif request.method == "POST":
            form = UploadForm(request.POST, request.FILES, user=request.user)
            if form.is_valid():
                files = [(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
                stored, failed = uploads.store(files)
                if not uploads.runs_inline(files):
                    job = uploads.create_job(stored, failed, publish=form.wants_publish, user_id=request.user.pk)
                    uploads.launch(job["id"])
                    return HttpResponseRedirect(reverse("admin:cases_case_upload_job", args=[job["id"]]))
                results = failed + uploads.process(stored, publish=form.wants_publish)
                text, all_loaded = upload_summary(results)
                self.message_user(request, text, messages.SUCCESS if all_loaded else messages.WARNING)
                form = UploadForm(user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": Case._meta,
            "title": _("上传报告"),
            "form": form,
            "results": results,
            "limits": curation.upload_limits(),
        }
        return TemplateResponse(request, "admin/cases/case/upload.html", context)

    def upload_job_view(self, request, job_id):
        """An upload loaded after the response: processing (the page refreshes itself), then its results."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        job = uploads.load_job(job_id)
        if job is None or (job["user_id"] != request.user.pk and not request.user.is_superuser):
            raise Http404
        processing = job["state"] != uploads.DONE and not job.get("interrupted")
        context = {
            **self.admin_site.each_context(request),
            "opts": Case._meta,
            "title": _("上传报告"),
            "form": None if processing else UploadForm(user=request.user),
            "results": job["results"],
            "job": job,
            "processing": processing,
            "summary": None if processing else upload_summary(job["results"])[0],
            "limits": curation.upload_limits(),
        }
        return TemplateResponse(request, "admin/cases/case/upload.html", context)


def walked_queue(request) -> str:
    """The work queue's item the curator walks on the review screen (``queue`` in the query or the form), or ""."""
    key = request.GET.get("queue") or request.POST.get("queue")
    return key if key in work_queue.CASE_ITEMS else ""


def review_url(case, queue: str | None = None) -> str:
    """The review screen of ``case`` (a Case or its id), walking the work queue's item ``queue`` if it is one."""
    url = reverse("admin:cases_case_review", args=[getattr(case, "pk", case)])
    return f"{url}?queue={queue}" if queue in work_queue.CASE_ITEMS else url


def upload_summary(results: list[dict]) -> tuple[str, bool]:
    """The line above an upload's results, and whether every report loaded."""
    loaded = sum(1 for r in results if r["status"] != "failed")
    text = _("共 %(n)d 份报告：%(ok)d 份已载入，%(bad)d 份失败。") % {
        "n": len(results), "ok": loaded, "bad": len(results) - loaded
    }
    return str(text), loaded == len(results)


# The multipart envelope around the files (boundaries, headers, the CSRF token) is small.
UPLOAD_ENVELOPE_BYTES = 1024 * 1024


def _request_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django refuses a malformed length itself
    return length > settings.ADMIN_UPLOAD_MAX_TOTAL_BYTES + UPLOAD_ENVELOPE_BYTES


def _total_too_large_message() -> str:
    return str(
        _("上传的文件合计过大（上限 %(limit).1f MB），未保存任何文件。")
        % {"limit": settings.ADMIN_UPLOAD_MAX_TOTAL_BYTES / 2**20}
    )
