"""Forms of the curator's admin: the case form (status through the workflow), its inlines, the upload form."""

from __future__ import annotations

import functools

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ingest import sources

from . import workflow
from .models import Case, Mechanism, Metric


class NewlineNormalisedField(forms.CharField):
    """A text field that treats CRLF from a browser's textarea as the LF the body was stored with.

    Browsers submit textareas with CRLF line ends. Without this, opening and saving a case would
    "change" the body (shifting every figure's span by one per line) and mark it curated.
    """

    def __init__(self, *args, **kwargs):
        kwargs["strip"] = False  # trailing newlines of a body are content, and spans count them
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


TEXT_OVERRIDES = {"form_class": NewlineNormalisedField}


class CaseAdminForm(forms.ModelForm):
    """The case change form. ``user`` is set by the admin per request (see CaseAdmin.get_form)."""

    user = None

    class Meta:
        model = Case
        fields = [
            "title", "slug", "place", "published_on", "source", "author_org", "status", "needs_review",
            "summary", "keywords", "practices", "body", "captions",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            allowed = workflow.allowed_targets(self.user, self.instance)
            self.fields["status"].choices = [(s, Case.Status(s).label) for s in allowed]

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("status")
        if target is not None:
            try:
                workflow.check_transition(self.user, self._status_before(cleaned), target)
            except workflow.TransitionNotAllowed as exc:
                self.add_error("status", forms.ValidationError(str(exc), code="transition"))
        return cleaned

    def _status_before(self, cleaned) -> Case:
        """The case as the workflow judges it: the status stored now, and needs_review as submitted.

        The stored status, not the instance's: the form may be bound to a stale or a historical
        instance (the history page's revert form), and the move is from what is in the database.
        """
        stored = Case.objects.filter(pk=self.instance.pk).values_list("status", flat=True).first()
        needs_review = cleaned.get("needs_review", self.instance.needs_review)
        return Case(status=stored or Case.Status.DRAFT, needs_review=needs_review)


class SameCaseFormSet(forms.BaseInlineFormSet):
    """Inline formset whose choice of mechanism is limited to the case being edited.

    Limiting the queryset (not only the widget) makes the rule hold on the server: a POST naming
    another case's mechanism fails validation.
    """

    mechanism_field = ""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get(self.mechanism_field)
        if field is not None:
            field.queryset = (
                Mechanism.objects.filter(case=self.instance).order_by("order")
                if self.instance.pk
                else Mechanism.objects.none()
            )


class MechanismInlineFormSet(SameCaseFormSet):
    mechanism_field = "parent"


class MetricInlineFormSet(SameCaseFormSet):
    mechanism_field = "mechanism"


class MechanismInlineForm(forms.ModelForm):
    class Meta:
        model = Mechanism
        fields = ["order", "heading", "slogan", "parent", "body", "start", "end"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent and self.instance.pk and parent.pk == self.instance.pk:
            raise forms.ValidationError(_("机制不能以自己为上级。"))
        return parent


class MetricInlineForm(forms.ModelForm):
    class Meta:
        model = Metric
        fields = ["order", "subject", "value", "unit", "qualifier", "mechanism", "text", "start", "end"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None and start >= end:
            raise forms.ValidationError(_("起始位置必须小于结束位置。"))
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented pattern for an <input type=file multiple>: clean each file, return a list."""

    def __init__(self, *args, **kwargs):
        accept = ",".join([*sorted(sources.REPORT_SUFFIXES), ".zip"])
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("报告文件"),
        help_text=_("一个或多个报告文件（.txt / .html），或包含报告的 .zip 压缩包。"),
    )
    publish = forms.BooleanField(label=_("直接发布"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not workflow.can_publish(user):
            del self.fields["publish"]  # and clean() ignores it: publishing needs the permission

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise forms.ValidationError(_("请选择至少一个文件。"))
        if len(files) > settings.ADMIN_UPLOAD_MAX_FILES:
            raise forms.ValidationError(
                _("一次最多上传 %(max)d 个文件。") % {"max": settings.ADMIN_UPLOAD_MAX_FILES}
            )
        # The cap is on the whole request, checked before anything is stored: a zip may be larger than
        # one report (it holds many), but no set of files together goes over it.
        total = sum(f.size for f in files)
        if total > settings.ADMIN_UPLOAD_MAX_TOTAL_BYTES:
            raise forms.ValidationError(
                _("上传的文件合计过大（%(size).1f MB，上限 %(limit).1f MB），未保存任何文件。")
                % {"size": total / 2**20, "limit": settings.ADMIN_UPLOAD_MAX_TOTAL_BYTES / 2**20}
            )
        return files

    @property
    def wants_publish(self) -> bool:
        return workflow.can_publish(self.user) and bool(self.cleaned_data.get("publish"))


# --------------------------------------------------------------------------- the review screen's forms


class DirectRender:
    """A widget that writes its HTML itself, not through the form renderer's templates.

    The review screen has a form on every figure and mechanism, and a template per input and per
    ``<option>`` made most of its time (a select of 40 indicators on each of 26 figures: 1,000
    option templates a page). The attributes are Django's own (``build_attrs``), escaped by ``flatatt``."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        if isinstance(self, forms.Select):
            options = _options_html(tuple(self.choices))
            if value is not None and value != "":  # the options of every row's select are one string; mark the chosen
                chosen = format_html('<option value="{}">', value)
                options = mark_safe(options.replace(chosen, chosen[:-1] + " selected>", 1))
            return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)
        value = self.format_value(value)
        if value is not None:
            final["value"] = value
        return format_html('<input type="{}" name="{}"{}>', self.input_type, name, flatatt(final))


@functools.lru_cache(maxsize=64)
def _options_html(choices: tuple) -> SafeString:
    return format_html_join("", '<option value="{}">{}</option>', choices)


class DirectTextInput(DirectRender, forms.TextInput):
    pass


class DirectNumberInput(DirectRender, forms.NumberInput):
    pass


class DirectSelect(DirectRender, forms.Select):
    pass


class ReasonField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(label=_("修改原因"), required=False, max_length=100, widget=DirectTextInput,
                         help_text=_("写入历史记录；不填则记下改了什么。"), **kwargs)


class TypedNumberField(forms.DecimalField):
    """A number whose initial value is the text a curator reads (1120, not 1120.0000): changed only when
    the number typed differs."""

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial) != self.to_python(data)
        except forms.ValidationError:
            return True


class ReviewFigureForm(forms.ModelForm):
    """A figure edited in place on the review screen. The value is typed as the text counts it (in 万
    when the text writes 1101万) and stored in base units. ``indicator_choices`` is read once for the
    page, so a page of many figures costs no query per figure."""

    value = TypedNumberField(label=_("数值"), max_digits=24, decimal_places=4, widget=DirectNumberInput)
    indicator = forms.TypedChoiceField(label=_("比较指标"), required=False, coerce=int, empty_value=None,
                                       widget=DirectSelect)
    reason = ReasonField()

    class Meta:
        model = Metric
        fields = ["subject", "value", "unit", "qualifier"]  # and the indicator, set by id in _post_clean
        widgets = {"subject": DirectTextInput, "unit": DirectTextInput, "qualifier": DirectTextInput}

    def __init__(self, *args, indicator_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .models import magnitude_multiplier
        from .review_screen import plain_number

        self.multiplier = magnitude_multiplier(self.instance.magnitude)
        self.initial["value"] = plain_number(self.instance.value / self.multiplier)
        self.initial["indicator"] = self.instance.indicator_id
        self.fields["indicator"].choices = [("", "—"), *indicator_choices]
        if self.multiplier > 1:
            self.fields["value"].help_text = _("按原文的计数单位（%(m)s）填写。") % {"m": self.instance.magnitude}

    def clean_value(self):
        value = self.cleaned_data["value"] * self.multiplier
        if value.adjusted() >= 20:  # the column holds 24 digits, 4 of them decimals
            raise forms.ValidationError(_("数值过大。"))
        return value

    def _post_clean(self):
        super()._post_clean()
        self.instance.indicator_id = self.cleaned_data.get("indicator")


class ReviewMechanismForm(forms.ModelForm):
    """A mechanism edited in place: its heading and its parent (another mechanism of the same case, never
    itself or one below it). ``parent_choices``: the case's mechanisms, read once for the page."""

    parent = forms.TypedChoiceField(label=_("上级机制"), required=False, coerce=int, empty_value=None,
                                    widget=DirectSelect)
    reason = ReasonField()

    class Meta:
        model = Mechanism
        fields = ["heading"]  # and the parent, set by id in _post_clean
        widgets = {"heading": DirectTextInput}

    def __init__(self, *args, mechanisms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.mechanisms = list(mechanisms)
        below = self._below(self.instance.pk)
        self.fields["parent"].choices = [("", "—"), *((m.pk, m.heading) for m in self.mechanisms
                                                       if m.pk != self.instance.pk and m.pk not in below)]
        self.initial["parent"] = self.instance.parent_id

    def _below(self, pk) -> set[int]:
        below, frontier = set(), {pk}
        while frontier:
            frontier = {m.pk for m in self.mechanisms if m.parent_id in frontier} - below
            below |= frontier
        return below

    def _post_clean(self):
        super()._post_clean()
        self.instance.parent_id = self.cleaned_data.get("parent")


class ReviewAddForm(forms.Form):
    """A figure or a mechanism added from a selection of the body: its offsets, filled by the page's
    script from the selection (or typed, without the script)."""

    KINDS = [("figure", _("数据")), ("mechanism", _("机制"))]
    kind = forms.ChoiceField(label=_("添加"), choices=KINDS)
    start = forms.IntegerField(label=_("起始位置"), min_value=0, max_value=10**9)
    end = forms.IntegerField(label=_("结束位置"), min_value=1, max_value=10**9)
    reason = ReasonField()
