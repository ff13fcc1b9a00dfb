"""DATABASE_REPLICA_URL: anonymous reads of the public pages go to the replica, everything else to the primary.

The routing is checked end to end in a fresh process (settings are read once, at start-up): the
primary and the "replica" are two real SQLite files that differ by one published case each, so
whichever file answered a request shows in its status code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = r"""
import json, hashlib
import django
django.setup()
from django.db import router
from django.test import Client
from django.contrib.auth.models import User
from cases.models import Case

def case(slug, using):
    return Case.objects.using(using).create(
        slug=slug, title=slug, body="正文", status="published", source_file=f"{slug}.txt",
        content_hash=hashlib.sha256(slug.encode()).hexdigest())

case("only-on-replica", "replica")
case("only-on-primary", "default")
User.objects.create_superuser("curator", "c@example.org", "pw-for-the-test-only")
out = {}
anonymous = Client()
for slug in ("only-on-replica", "only-on-primary"):
    out[f"GET {slug}"] = anonymous.get(f"/cases/{slug}/").status_code
    out[f"HEAD {slug}"] = anonymous.head(f"/cases/{slug}/").status_code
out["list"] = sorted(s for s in ("only-on-replica", "only-on-primary")
                     if s in anonymous.get("/").content.decode())
signed_in = Client()
signed_in.force_login(User.objects.get(username="curator"))
for slug in ("only-on-replica", "only-on-primary"):
    out[f"signed-in GET {slug}"] = signed_in.get(f"/cases/{slug}/").status_code
admin_list = signed_in.get("/admin/cases/case/").content.decode()
out["admin"] = sorted(s for s in ("only-on-replica", "only-on-primary") if s in admin_list)
out["outside a request"] = sorted(Case.objects.values_list("slug", flat=True))
out["write"] = router.db_for_write(Case)
print(json.dumps(out))
"""


def run(code_or_args, **env):
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else ["manage.py", *code_or_args]
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL"}}
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**clean, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", **env})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def routed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replica")
    primary, replica = folder / "primary.sqlite3", folder / "replica.sqlite3"
    run(["migrate", "-v0"], DATABASE_URL=f"sqlite:///{primary}")
    shutil.copy(primary, replica)  # the same schema and reference data, as a replica would hold
    out = run(CHECK, DATABASE_URL=f"sqlite:///{primary}", DATABASE_REPLICA_URL=f"sqlite:///{replica}")
    return json.loads(out.strip().splitlines()[-1])


def test_anonymous_public_reads_come_from_the_replica(routed):
    assert routed["GET only-on-replica"] == 200
    assert routed["GET only-on-primary"] == 404
    assert routed["HEAD only-on-replica"] == 200
    assert routed["list"] == ["only-on-replica"]


def test_a_signed_in_curator_and_the_admin_read_the_primary(routed):
    assert routed["signed-in GET only-on-primary"] == 200
    assert routed["signed-in GET only-on-replica"] == 404
    assert routed["admin"] == ["only-on-primary"]


def test_writes_and_reads_outside_a_request_use_the_primary(routed):
    assert routed["write"] == "default"
    assert routed["outside a request"] == ["only-on-primary"]


def test_without_a_replica_there_is_one_database():
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS)")
    assert run(code, DATABASE_URL="sqlite:////tmp/unused.sqlite3").split() == ["['default']", "[]"]
