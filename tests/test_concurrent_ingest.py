"""Concurrent writers: two ``manage.py ingest`` runs and an admin upload at once, as separate processes.

Each writer is its own process with its own database connection, as in production. On SQLite the
archive is a file made by ``migrate`` (the suite's in-memory test database cannot be shared between
processes); on PostgreSQL the writers use the test database itself, so the test is transactional.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "pages"
REPORTS_PER_RUN = 24

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

UPLOAD_SCRIPT = """
import json, sys
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from django.contrib.auth.models import User

setup_test_environment()  # so that the response carries its template context
user = User.objects.create_superuser("concurrent-uploader", password="a-long-test-password-9")
client = Client()
client.force_login(user)
with open(sys.argv[1], "rb") as upload:
    response = client.post("/admin/cases/case/upload/", {"files": [upload]})
print(json.dumps([[r["name"], r["status"], str(r["reason"])] for r in response.context["results"]]))
"""

COUNT_SCRIPT = """
import json
import django
django.setup()
from cases.models import Case
print(json.dumps(sorted(Case.objects.values_list("content_hash", flat=True))))
"""


def database_url(tmp_path: Path) -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "archive.sqlite3"
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{path}"}
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        return env["DATABASE_URL"]
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def start(url: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url, "CONN_MAX_AGE": "0"}
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=600)
    return process.returncode, out, err


def result_lines(out: str) -> list[tuple[str, str]]:
    """(status, file) for each report line of ``manage.py ingest``'s output (the summary line left out)."""
    lines = [line.split(maxsplit=2) for line in out.splitlines() if not line.startswith("共 ")]
    return [(parts[0], parts[1]) for parts in lines if len(parts) >= 2]


def test_two_ingests_and_an_upload_at_once_all_complete_each_report_once(tmp_path):
    reports = sorted(CORPUS.glob("*/*.txt"))[: REPORTS_PER_RUN + 4]
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in reports[:REPORTS_PER_RUN]:
        shutil.copy(path, folder / path.name)
    # the upload holds two reports of the ingest runs and four of its own
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in [*reports[:2], *reports[REPORTS_PER_RUN:]]:
            zipped.write(path, path.name)
    url = database_url(tmp_path)

    runs = [start(url, "manage.py", "ingest", str(folder)) for _ in range(2)]
    upload = start(url, "-c", UPLOAD_SCRIPT, str(archive))
    finished = [finish(p) for p in [*runs, upload]]

    seen: Counter = Counter()
    for code, out, err in finished[:2]:
        lines = result_lines(out)
        assert code == 0, out + err
        assert sorted(name for _status, name in lines) == sorted(p.name for p in reports[:REPORTS_PER_RUN])
        assert {status for status, _name in lines} <= {"created", "updated", "unchanged"}, out
        seen.update(name for status, name in lines if status == "created")
    code, out, err = finished[2]
    assert code == 0, out + err
    uploaded = json.loads(out.splitlines()[-1])
    assert sorted(name.split("/")[-1] for name, _s, _r in uploaded) == sorted(
        p.name for p in [*reports[:2], *reports[REPORTS_PER_RUN:]]
    )
    assert {status for _n, status, _r in uploaded} <= {"created", "updated", "unchanged"}, uploaded
    seen.update(name.split("/")[-1] for name, status, _r in uploaded if status == "created")

    # every report was created by exactly one writer, and the archive holds each once
    assert seen == Counter(p.name for p in reports)
    code, out, err = finish(start(url, "-c", COUNT_SCRIPT))
    assert code == 0, err
    assert len(json.loads(out)) == len(reports)
