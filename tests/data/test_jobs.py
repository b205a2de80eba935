"""Export jobs (Celery, progress, expiring download) and the import upload page, as staff use them."""
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from analytics.data.export.jobs import export_job_create, export_jobs_purge, export_write
from analytics.data.export.options import ExportOptions
from analytics.models import ExportJob
from surveys.models import Response

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def staff(*codenames: str) -> User:
    user = User.objects.create_user(f"staff{User.objects.count()}", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def analyst():
    return staff("add_exportjob", "view_exportjob", "import_responses")


def test_staff_export_runs_as_a_job_with_progress_and_a_download_link(client, analyst, mini_responses,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/staff/data/mini-test/exports/new/", {"format": "sav", "statuses": ["submitted"],
                                                               "language": "it"})
    assert r.status_code == 302
    job = ExportJob.objects.get()
    assert (job.status, job.progress, job.rows, job.created_by) == ("done", 100, 3, analyst)
    assert job.expires_at > timezone.now() + dt.timedelta(hours=23)
    page = client.get("/staff/data/mini-test/exports/").content.decode()
    assert f"/staff/data/exports/{job.key}/download/" in page
    download = client.get(f"/staff/data/exports/{job.key}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:4] == b"$FL2"


def test_expired_download_is_gone_and_purge_removes_the_file(client, analyst, mini_responses, media,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(questionnaire=mini_responses[0].version.questionnaire,
                                options=ExportOptions(format="csv"), user=analyst)
    job.refresh_from_db()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(analyst)
    assert client.get(f"/staff/data/exports/{job.key}/download/").status_code == 410
    assert export_jobs_purge() == 1 and not list((media / "exports").iterdir())


def test_identifiers_need_the_permission(client, analyst, mini_responses):
    client.force_login(analyst)
    r = client.post("/staff/data/mini-test/exports/new/", {"format": "csv", "language": "en",
                                                           "include_identifiers": "on"})
    assert r.status_code == 403 and not ExportJob.objects.exists()
    allowed = staff("add_exportjob", "view_exportjob", "export_identifiers")
    client.force_login(allowed)
    assert client.post("/staff/data/mini-test/exports/new/", {"format": "csv", "language": "en",
                                                              "include_identifiers": "on"}).status_code == 302
    assert ExportJob.objects.get().options["include_identifiers"] is True


def test_exports_page_needs_staff_and_the_export_permission(client, mini_version):
    assert client.get("/staff/data/mini-test/exports/").status_code == 302  # to the login page
    client.force_login(staff())
    assert client.get("/staff/data/mini-test/exports/").status_code == 403


def test_failed_job_records_its_error(mini_version, monkeypatch, django_capture_on_commit_callbacks):
    import analytics.data.export.jobs

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(analytics.data.export.jobs, "export_write", boom)
    # in-process (no broker) the job runs after the commit; its failure is recorded and logged, and
    # the request that created the job does not fail with it (surveys.dispatch: a robust hook)
    with django_capture_on_commit_callbacks(execute=True):
        export_job_create(questionnaire=mini_version.questionnaire, options=ExportOptions(format="csv"))
    job = ExportJob.objects.get()
    assert job.status == "failed" and "disk full" in job.error


def test_import_page_checks_then_imports(client, analyst, mini_responses, tmp_path):
    q = mini_responses[0].version.questionnaire
    path = tmp_path / "x.csv"
    export_write(questionnaire=q, options=ExportOptions(), path=path)
    Response.objects.update(mode="import")
    client.force_login(analyst)
    ok = client.post("/staff/data/mini-test/import/", {"file": SimpleUploadedFile("x.csv", path.read_bytes())})
    assert ok.status_code == 200 and "3 unchanged" in ok.content.decode()
    bad = client.post("/staff/data/mini-test/import/",
                      {"file": SimpleUploadedFile("bad.csv", b"firm,Q3\n" + mini_responses[0].invitation.firm
                                                  .pseudonym.encode() + b",9\n")})
    assert bad.status_code == 422 and "nothing imported" in bad.content.decode()
    assert "choose one of the listed" in bad.content.decode()


def test_import_page_needs_the_import_permission(client, mini_version):
    client.force_login(staff("view_exportjob"))
    assert client.post("/staff/data/mini-test/import/", {"file": io.BytesIO(b"x")}).status_code == 403


def test_data_home_lists_questionnaires(admin_client, mini_version):
    assert "mini-test" in admin_client.get("/staff/data/").content.decode()


def test_a_job_runs_once_unless_its_worker_was_lost(mini_responses):
    from analytics.data.export.jobs import export_job_run

    job = ExportJob.objects.create(questionnaire=mini_responses[0].version.questionnaire, format="csv",
                                   options=ExportOptions().to_json(), status="running", started_at=timezone.now())
    assert export_job_run(job_id=job.pk) is None  # delivered twice while running: left alone
    ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - dt.timedelta(hours=3))
    assert export_job_run(job_id=job.pk).status == "done"
