"""The upload page: report files or zips through the real loader, one line per report, limits, safe zips."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Case
from tests.test_admin import editor, make_user, publisher

pytestmark = pytest.mark.django_db

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
URL = "admin:cases_case_upload"


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


@pytest.fixture
def as_editor(client):
    client.force_login(editor())
    return client


def upload(client, *files, **extra):
    return client.post(reverse(URL), {"files": list(files), **extra})


def seed(i=0) -> SimpleUploadedFile:
    return SimpleUploadedFile(SEEDS[i].name, SEEDS[i].read_bytes(), content_type="text/plain")


def zipped(members: dict[str, bytes], name="reports.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def lines(response) -> list[tuple[str, str]]:
    return [(r["name"], r["status"]) for r in response.context["results"]]


def test_page_renders_with_the_limits(as_editor):
    html = as_editor.get(reverse(URL)).content.decode()
    assert 'type="file"' in html and "multiple" in html and 'enctype="multipart/form-data"' in html
    assert "每次最多 50 份报告" in html
    assert 'name="publish"' not in html  # an editor cannot publish, so is not offered to


def test_one_file_becomes_a_draft_case_and_the_file_is_kept_under_upload_root(as_editor, upload_root):
    response = upload(as_editor, seed(0))
    assert response.status_code == 200
    assert lines(response) == [(SEEDS[0].name, "created")]
    case = Case.objects.get(source_file=SEEDS[0].name)
    assert case.status == Case.Status.DRAFT
    html = response.content.decode()
    assert reverse("admin:cases_case_change", args=[case.pk]) in html and "新建" in html
    stored = list(upload_root.rglob("*"))
    stored_files = [p for p in stored if p.is_file()]
    assert len(stored_files) == 1 and stored_files[0].read_bytes() == SEEDS[0].read_bytes()
    assert stored_files[0].stat().st_mode & 0o111 == 0  # never executable


def test_several_files_bad_ones_fail_with_a_reason_while_the_others_load(as_editor):
    files = [
        seed(0),
        SimpleUploadedFile("empty.txt", b"   "),
        SimpleUploadedFile("chrome.txt", "首页 > 新闻 > 正文\n分享到:\n".encode()),
        SimpleUploadedFile("script.exe", b"MZ\x90\x00binary"),
        seed(1),
    ]
    response = upload(as_editor, *files)
    results = {r["name"]: r for r in response.context["results"]}
    assert results[SEEDS[0].name]["status"] == "created"
    assert results[SEEDS[1].name]["status"] == "created"
    assert results["empty.txt"]["status"] == "failed" and results["empty.txt"]["reason"] == "空文件"
    assert results["chrome.txt"]["status"] == "failed" and results["chrome.txt"]["reason"]
    assert results["script.exe"]["status"] == "failed" and "不支持的文件类型" in results["script.exe"]["reason"]
    assert Case.objects.count() == 2
    assert "5 份报告：2 份已载入，3 份失败" in response.content.decode()


def test_a_zip_gives_one_line_per_report_and_uploading_again_is_unchanged(as_editor):
    members = {f"报告/{p.name}": p.read_bytes() for p in SEEDS[:3]}
    first = upload(as_editor, zipped(members))
    assert [status for _name, status in lines(first)] == ["created"] * 3
    assert lines(first)[0][0] == f"reports.zip/{SEEDS[0].name}"
    assert set(Case.objects.values_list("source_file", flat=True)) == {p.name for p in SEEDS[:3]}
    again = upload(as_editor, zipped(members))
    assert [status for _name, status in lines(again)] == ["unchanged"] * 3


def test_a_changed_file_updates_its_case(as_editor):
    upload(as_editor, seed(0))
    changed = SEEDS[0].read_bytes() + "\n另外,该市还建成了一批党群服务站。\n".encode()
    response = upload(as_editor, SimpleUploadedFile(SEEDS[0].name, changed))
    assert lines(response) == [(SEEDS[0].name, "updated")]
    assert Case.objects.count() == 1


def test_zip_slip_names_never_become_paths(as_editor, upload_root, tmp_path):
    members = {"../../escape.txt": SEEDS[0].read_bytes(), "/abs/evil.txt": b"x" * 10}
    response = upload(as_editor, zipped(members))
    assert [name for name, _status in lines(response)] == ["reports.zip/escape.txt", "reports.zip/evil.txt"]
    assert Case.objects.filter(source_file="escape.txt").exists()
    # nothing was written anywhere but the one stored upload under UPLOAD_ROOT
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 1 and upload_root in written[0].parents


def test_zip_bomb_member_is_refused_without_being_inflated(as_editor, settings):
    settings.ADMIN_UPLOAD_MAX_FILE_BYTES = 1024 * 1024
    bomb = b"\0" * (50 * 1024 * 1024)  # 50 MB of zeros deflates to about 50 KB
    response = upload(as_editor, zipped({"bomb.txt": bomb, SEEDS[0].name: SEEDS[0].read_bytes()}))
    results = {name: r for name, r in ((r["name"], r) for r in response.context["results"])}
    assert results["reports.zip/bomb.txt"]["status"] == "failed"
    assert "文件过大" in results["reports.zip/bomb.txt"]["reason"]
    assert results[f"reports.zip/{SEEDS[0].name}"]["status"] == "created"


def test_too_many_files_in_one_request_is_a_form_error(as_editor, settings):
    settings.ADMIN_UPLOAD_MAX_FILES = 2
    response = upload(as_editor, seed(0), seed(1), seed(2))
    assert "一次最多上传 2 个文件" in response.content.decode()
    assert Case.objects.count() == 0


def test_too_many_members_in_a_zip_is_refused(as_editor, settings):
    settings.ADMIN_UPLOAD_MAX_FILES = 2
    response = upload(as_editor, zipped({p.name: p.read_bytes() for p in SEEDS[:3]}))
    assert lines(response) == [("reports.zip", "failed")]
    assert "压缩包内文件过多" in response.context["results"][0]["reason"]
    assert Case.objects.count() == 0


def test_an_oversized_file_is_refused(as_editor, settings):
    settings.ADMIN_UPLOAD_MAX_FILE_BYTES = 100
    response = upload(as_editor, seed(0))
    assert lines(response) == [(SEEDS[0].name, "failed")]
    assert "文件过大" in response.context["results"][0]["reason"]


def test_no_file_is_a_form_error(as_editor):
    response = as_editor.post(reverse(URL), {})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not response.context["results"]


def test_only_a_publisher_may_publish_on_upload(client):
    client.force_login(editor())
    upload(client, seed(0), publish="on")
    assert Case.objects.get().status == Case.Status.DRAFT
    client.force_login(publisher())
    assert 'name="publish"' in client.get(reverse(URL)).content.decode()
    upload(client, seed(1), publish="on")
    assert Case.objects.get(source_file=SEEDS[1].name).status == Case.Status.PUBLISHED


def test_staff_without_add_permission_cannot_upload(client):
    client.force_login(make_user())  # staff, in no group
    assert client.get(reverse(URL)).status_code == 403
    assert client.post(reverse(URL), {"files": [seed(0)]}).status_code == 403
    assert Case.objects.count() == 0


def test_a_file_that_cannot_be_stored_is_not_loaded(as_editor, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.UPLOAD_ROOT = blocker  # mkdir under a regular file fails
    response = upload(as_editor, seed(0))
    assert lines(response) == [(SEEDS[0].name, "failed")]
    assert "无法保存" in response.context["results"][0]["reason"]
    assert Case.objects.count() == 0


# ---- the total per request, and refused files ---------------------------------------------------------


def stored_files(upload_root: Path) -> list[Path]:
    return [p for p in upload_root.rglob("*") if p.is_file() and "jobs" not in p.parts]


def test_the_total_is_checked_per_request_before_anything_is_stored(as_editor, settings, upload_root):
    settings.ADMIN_UPLOAD_MAX_TOTAL_BYTES = 1000
    files = [SimpleUploadedFile(f"r{i}.txt", "某市党建工作报告。".encode() * 20) for i in range(3)]  # 540 bytes each
    response = upload(as_editor, *files)
    assert response.status_code == 200
    assert "合计过大" in response.content.decode()
    assert stored_files(upload_root) == [] and Case.objects.count() == 0


def test_a_request_declaring_more_than_the_total_is_refused_before_it_is_parsed(as_editor, settings, upload_root):
    settings.ADMIN_UPLOAD_MAX_TOTAL_BYTES = 1000
    big = SimpleUploadedFile("big.txt", b"x" * (2 * 1024 * 1024))
    response = upload(as_editor, big)
    assert response.status_code == 200
    assert "合计过大" in response.content.decode() and "未保存任何文件" in response.content.decode()
    assert stored_files(upload_root) == []


def test_refused_uploads_are_deleted_and_loaded_ones_kept(as_editor, upload_root):
    files = [SimpleUploadedFile("empty.txt", b"   "), SimpleUploadedFile("script.exe", b"MZ\x90\x00binary"), seed(0)]
    response = upload(as_editor, *files)
    assert [status for _name, status in lines(response)] == ["failed", "failed", "created"]
    kept = stored_files(upload_root)
    assert len(kept) == 1 and kept[0].read_bytes() == SEEDS[0].read_bytes()


def test_a_zip_none_of_whose_reports_loads_is_deleted(as_editor, upload_root):
    response = upload(as_editor, zipped({"a.txt": b"   ", "b.exe": b"MZ"}))
    assert {status for _name, status in lines(response)} == {"failed"}
    assert stored_files(upload_root) == []


# ---- uploads that would outlast a request ---------------------------------------------------------------


@pytest.fixture
def launched(monkeypatch, settings):
    """Every upload runs after the response; the jobs launched are collected, to be run when the test says."""
    from cases import uploads

    settings.ADMIN_UPLOAD_INLINE_BYTES = 0
    jobs: list[str] = []
    monkeypatch.setattr(uploads, "launch", jobs.append)
    return jobs


def test_a_large_upload_is_processed_after_the_response_and_its_page_refreshes_until_done(as_editor, launched):
    from cases import uploads

    response = upload(as_editor, seed(0), SimpleUploadedFile("empty.txt", b" "))
    assert response.status_code == 302 and len(launched) == 1
    page = response["Location"]
    assert page == reverse("admin:cases_case_upload_job", args=[launched[0]])
    waiting = as_editor.get(page).content.decode()
    assert "正在处理" in waiting and 'http-equiv="refresh"' in waiting
    assert 'id="upload-form"' not in waiting and Case.objects.count() == 0

    uploads.run_job(launched[0])
    done = as_editor.get(page)
    html = done.content.decode()
    assert done.status_code == 200 and 'http-equiv="refresh"' not in html and "正在处理" not in html
    assert "2 份报告：1 份已载入，1 份失败" in html
    assert lines(done) == [(SEEDS[0].name, "created"), ("empty.txt", "failed")]
    case = Case.objects.get(source_file=SEEDS[0].name)
    assert reverse("admin:cases_case_change", args=[case.pk]) in html
    assert 'id="upload-form"' in html  # the next upload can start from the result page


def test_a_job_whose_file_vanished_reports_it_instead_of_failing(as_editor, launched, upload_root):
    from cases import uploads

    response = upload(as_editor, seed(0))
    for stored in stored_files(upload_root):
        stored.unlink()
    uploads.run_job(launched[0])
    done = as_editor.get(response["Location"])
    assert done.status_code == 200
    assert lines(done) == [(SEEDS[0].name, "failed")] and "无法读取" in done.context["results"][0]["reason"]


def test_another_users_job_is_not_found(as_editor, launched, client):
    response = upload(as_editor, seed(0))
    other = Client()
    other.force_login(editor())
    assert other.get(response["Location"]).status_code == 404
    assert as_editor.get(reverse(URL) + "00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_job_that_stopped_writing_is_shown_as_interrupted(as_editor, launched):
    import json

    from cases import uploads

    response = upload(as_editor, seed(0))
    path = uploads._job_path(launched[0])
    job = json.loads(path.read_text(encoding="utf-8"))
    job["state"], job["updated"] = uploads.RUNNING, "2000-01-01T00:00:00+00:00"
    path.write_text(json.dumps(job), encoding="utf-8")
    html = as_editor.get(response["Location"]).content.decode()
    assert "处理已中断" in html and 'http-equiv="refresh"' not in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the thread's writes are committed
def test_a_large_upload_runs_in_a_thread_of_the_serving_process(client, settings):
    from cases import uploads

    settings.ADMIN_UPLOAD_INLINE_BYTES = 0
    client.force_login(editor())
    response = upload(client, seed(0), seed(1))
    assert response.status_code == 302
    uploads.wait_for_jobs(timeout=300)
    done = client.get(response["Location"])
    assert lines(done) == [(SEEDS[0].name, "created"), (SEEDS[1].name, "created")]
    assert Case.objects.count() == 2


def test_job_files_older_than_a_week_are_forgotten_when_a_new_job_starts(as_editor, launched, upload_root):
    import os
    import time

    jobs = upload_root / "jobs"
    jobs.mkdir(parents=True)
    old = jobs / "00000000000000000000000000000000.json"
    old.write_text("{}", encoding="utf-8")
    week_ago = time.time() - 8 * 24 * 3600
    os.utime(old, (week_ago, week_ago))
    upload(as_editor, seed(0))
    assert not old.exists() and len(list(jobs.glob("*.json"))) == 1
