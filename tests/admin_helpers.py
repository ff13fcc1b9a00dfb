"""Helpers for the admin tests: users in the curator groups, small cases, and a change form's POST data.

``change_form_data`` reads the form the admin rendered (from the response context) and turns it
into what a browser would submit, inlines and management forms included, so a test changes
one value and posts the rest unchanged, exactly as a curator does.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.urls import reverse

from cases.models import Case, Mechanism, Metric, Place

_counter = itertools.count()
PASSWORD = "a-long-test-password-9"  # noqa: S105


def make_user(group: str | None = None, *, staff: bool = True, superuser: bool = False) -> User:
    n = next(_counter)
    user = User.objects.create_user(
        f"user{n}", password=PASSWORD, is_staff=staff or superuser, is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def editor() -> User:
    return make_user("编辑")


def publisher() -> User:
    return make_user("审核发布")


BODY = "锦州市建立党群服务中心120个。\n全市发展党员超过3000名,覆盖社区100余个。\n下好“一盘棋”,建立新机制。"


def make_case(status=Case.Status.DRAFT, *, figures=True, mechanisms=True, **fields) -> Case:
    n = next(_counter)
    values = {
        "slug": f"case-{n}", "title": f"测试案例{n}", "body": BODY, "content_hash": f"hash-{n}",
        "source_file": f"report-{n}.txt", "status": status,
        "place": Place.objects.get(name="锦州市"),
    }
    values.update(fields)
    case = Case.objects.create(**values)
    if mechanisms:
        start = case.body.find("下好")
        Mechanism.objects.create(case=case, order=0, heading="下好“一盘棋”", slogan="一盘棋", start=start, end=start + 8)
    if figures:
        add_figure(case, "120个", Decimal("120"), "个", "党群服务中心")
        add_figure(case, "超过3000名", Decimal("3000"), "名", "发展党员", qualifier="超过")
    return case


def add_figure(case: Case, text: str, value, unit: str, subject: str = "", qualifier: str = "") -> Metric:
    start = case.body.index(text)
    return Metric.objects.create(
        case=case, text=text, start=start, end=start + len(text), value=value, unit=unit, subject=subject,
        qualifier=qualifier, order=case.metrics.count(),
    )


def change_url(case: Case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


def changelist_url() -> str:
    return reverse("admin:cases_case_changelist")


def _serialise(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _form_fields(form, data: dict) -> None:
    for name, field in form.fields.items():
        value = form[name].value()
        if field.show_hidden_initial:  # fields with a callable default render a hidden "initial-" twin
            data[form.add_initial_prefix(name)] = _serialise(value)
        if field.widget.input_type == "checkbox" if hasattr(field.widget, "input_type") else False:
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        data[form.add_prefix(name)] = _serialise(value)


def change_form_data(response) -> dict:
    """What the rendered change form would submit unchanged: the case, every inline row, management forms."""
    data: dict = {}
    _form_fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = _serialise(management[name].value())
        for form in formset.forms:
            _form_fields(form, data)
    return data


def inline_prefix(data: dict, model, pk: int) -> str:
    """The form prefix (``metrics-1``) of an existing inline row."""
    prefix = {Mechanism: "mechanisms", Metric: "metrics"}[model]
    for key, value in data.items():
        if key.startswith(prefix + "-") and key.endswith("-id") and value == str(pk):
            return key[: -len("-id")]
    raise KeyError(pk)
