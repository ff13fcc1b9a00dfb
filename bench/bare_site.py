"""Bench only: the site's settings with one bare page, the floor a page of ours is compared with.

``bench/web.py --sqlite`` serves it with gunicorn like the site (same settings, middleware, workers,
DEBUG off): ``DJANGO_SETTINGS_MODULE=bare_site`` with ``bench/`` on the path. Its one URL, ``/``,
lists the 20 newest published cases (title, date, province, city) through the ORM and a template:
what any Django page of 20 rows costs before it does anything of its own.
"""

from config.settings import *  # noqa: F403 (the site's settings, unchanged but for the URLs)

ROOT_URLCONF = "bare_site"

PAGE = """<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>案例</title></head><body><ul>
{% for case in cases %}<li><a href="/cases/{{ case.slug }}/">{{ case.title }}</a> {{ case.published_on|date:"Y-m-d" }}
{{ case.province.name }} {{ case.city.name }}</li>
{% endfor %}</ul></body></html>"""


_template = None


def newest_cases(request):
    from django.http import HttpResponse
    from django.template import engines

    from cases.models import Case

    global _template
    if _template is None:
        _template = engines["django"].from_string(PAGE)
    cases = (Case.objects.filter(status=Case.Status.PUBLISHED).select_related("province", "city")
             .only("slug", "title", "published_on", "province__name", "city__name")
             .order_by("-published_on", "-id")[:20])
    return HttpResponse(_template.render({"cases": cases}, request))


def _urls():
    from django.urls import path

    return [path("", newest_cases)]


urlpatterns = _urls()
