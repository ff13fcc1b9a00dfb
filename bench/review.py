"""Timings of the review screen: render it for the largest seed (the most figures
and mechanisms) and save a figure edited in place.

    DEBUG=1 .venv/bin/python bench/review.py [--samples 50] [--database-url URL]

Loads the five seeds with the loader into a temporary SQLite database (or, with ``--database-url``,
into that PostgreSQL database, made afresh and dropped at the end: give it a name of its own), logs in
a curator of the 编辑 group through Django's test client, and times ``--samples`` requests of each
in-process, without DEBUG's query log: the review screen
(GET, the whole page) of the seed case with the most figures and mechanisms, and a save of one of its figures as the screen's script posts it (the
subject alternates between two values, so every save writes). Prints median and p95 in ms, and the
queries each makes. Targets (issue 13): render < 300 ms, save < 500 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RENDER_TARGET_MS, SAVE_TARGET_MS = 300, 500


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--database-url", help="a PostgreSQL database to (re)create and use; default a temporary SQLite file")
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory(prefix="bench-review-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{folder.name}/review.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if args.database_url:
        _recreate(connection)
    call_command("migrate", verbosity=0)

    from django.contrib.auth.models import Group, User
    from django.db.models import Count
    from django.urls import reverse

    from cases.loading import ingest_paths
    from cases.models import Case

    results = list(ingest_paths([ROOT / "seeds"]))
    # the largest for the screen: the most rows to mark and list (then the longest text)
    case = max(Case.objects.with_metric_count().annotate(mechanism_count=Count("mechanisms", distinct=True)),
               key=lambda c: (c.metric_count + c.mechanism_count, len(c.body)))
    metric = case.metrics.order_by("order").first()
    print(f"{len(results)} seeds loaded into {connection.vendor}; the largest: {case.source_file}, "
          f"{len(case.body):,} characters, {case.metrics.count()} figures, {case.mechanisms.count()} mechanisms")

    settings.DEBUG = False  # no per-request query log while measuring
    settings.ALLOWED_HOSTS = ["testserver"]  # the test client's host (the test environment's template signals stay off)
    user = User.objects.create_user("bench-curator", password="not-used-bench-only", is_staff=True)  # noqa: S106
    user.groups.add(Group.objects.get(name="编辑"))
    client = Client()
    client.force_login(user)
    review = reverse("admin:cases_case_review", args=[case.pk])
    save = reverse("admin:cases_case_review_row", args=[case.pk, "figure", metric.pk])

    def post(subject: str):
        data = {f"f{metric.pk}-{name}": value for name, value in {
            "subject": subject, "value": format(metric.value.normalize(), "f"), "unit": metric.unit,
            "qualifier": metric.qualifier, "indicator": metric.indicator_id or "", "reason": ""}.items()}
        return client.post(save, data, HTTP_X_REQUESTED_WITH="fetch")

    def timed(request) -> tuple[list[float], int]:
        assert request(0).status_code == 200  # warm: connection, templates, jieba for the subject parser
        executed = []
        with connection.execute_wrapper(lambda execute, sql, *rest: executed.append(sql) or execute(sql, *rest)):
            assert request(1).status_code == 200
        times = []
        for i in range(args.samples):
            started = time.perf_counter()
            response = request(i)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        return times, len(executed)

    render_ms, render_queries = timed(lambda i: client.get(review))
    size = len(client.get(review).content)
    subjects = (metric.subject or "数字", (metric.subject or "数字") + "（核）")
    save_ms, save_queries = timed(lambda i: post(subjects[(i + 1) % 2]))
    print(f"review screen: median {statistics.median(render_ms):.1f} ms, p95 {percentile(render_ms, .95):.1f} ms "
          f"(target < {RENDER_TARGET_MS} ms), {render_queries} queries, {size / 1024:.0f} KB")
    print(f"save a figure: median {statistics.median(save_ms):.1f} ms, p95 {percentile(save_ms, .95):.1f} ms "
          f"(target < {SAVE_TARGET_MS} ms), {save_queries} queries")
    connection.close()
    if args.database_url:
        _drop(connection)
    folder.cleanup()


def _server(connection, *statements: str) -> None:
    """Run statements on the PostgreSQL server DATABASE_URL names, from its ``postgres`` database."""
    import psycopg

    params = {k: v for k, v in {"host": connection.settings_dict["HOST"], "port": connection.settings_dict["PORT"],
                                "user": connection.settings_dict["USER"],
                                "password": connection.settings_dict["PASSWORD"]}.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        for statement in statements:
            admin.execute(statement)


def _recreate(connection) -> None:
    name = connection.settings_dict["NAME"]
    _server(connection, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')


def _drop(connection) -> None:
    _server(connection, f'DROP DATABASE IF EXISTS "{connection.settings_dict["NAME"]}"')


if __name__ == "__main__":
    main()
