"""Paradata in one place: page rows for web and telephone responses, call attempts, burden, the
command (CSV and Parquet read back by pandas, no personal data) and the staff data page download."""
import datetime as dt
import io
import time
import zipfile

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from analytics.data.export.paradata import SCHEMAS, interviewer_pseudonym
from analytics.models import ExportJob
from surveys.answering.paradata import device_class
from surveys.cati.calls import call_attempt_record, case_lock
from surveys.models import PageVisit, Response
from tests.cati.conftest import (
    PAGE1,
    PAGE2,
    PAGE3,
    _user,
    open_case,
    outcome,
    roles,  # noqa: F401 (a fixture)
)
from tests.data.test_jobs import staff

pytestmark = pytest.mark.django_db
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
            "Mobile Safari/537.36")
DESKTOP_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
              "Safari/537.36")
PERSONAL = {"name", "firm_name", "firm_identifier", "identifier", "email", "phone", "number", "note", "contact_name",
            "user_agent", "username", "interviewer_username"}


@pytest.fixture
def caller(roles):  # noqa: F811 (the fixture imported above)
    from surveys.accounts.roles import INTERVIEWER

    return _user("iris", INTERVIEWER)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def post_page(client, token, module, data, revision, ago, agent):
    """Post a page served `ago` seconds before (a string: the page_started value as posted)."""
    url = reverse("surveys:page", kwargs={"token": token, "module": module})
    started = ago if isinstance(ago, str) else time.time() - ago
    return client.post(url, {**data, "page_revision": revision, "page_started": started}, HTTP_USER_AGENT=agent)


@pytest.mark.parametrize("agent, expected", [
    (PHONE_UA, "phone"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", "phone"),
    ("Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", "tablet"),
    ("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 Chrome/120.0 Safari/537.36", "tablet"),
    (DESKTOP_UA, "desktop"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15", "desktop"),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", "desktop"),
    ("Googlebot/2.1 (+http://www.google.com/bot.html)", "other"),
    ("curl/8.5.0", "other"),
    ("", "other"),
    ("\x00" * 5000, "other"),
])
def test_device_class_from_the_user_agent(agent, expected):
    assert device_class(agent) == expected


def test_web_pages_record_times_visits_mode_and_device_but_not_the_user_agent(client, caller, mini_version,
                                                                             settings):
    case, token = open_case(mini_version, caller)
    assert post_page(client, token, "M1", PAGE1, 0, 95, PHONE_UA).status_code == 302
    assert post_page(client, token, "M2", PAGE2, 1, 40, PHONE_UA).status_code == 302
    assert post_page(client, token, "M1", PAGE1, 2, 20, DESKTOP_UA).status_code == 302  # came back
    assert post_page(client, token, "M2", PAGE2, 3, 10 * 86400, DESKTOP_UA).status_code == 302  # tab left open
    rows = {v.module_code: v for v in PageVisit.objects.filter(response__invitation=case.invitation)}
    assert rows["M1"].visits == 2 and rows["M1"].active_seconds == pytest.approx(115, abs=2)
    assert rows["M1"].device == "desktop" and rows["M1"].mode == "web"
    assert rows["M2"].active_seconds == pytest.approx(40 + settings.PARADATA_PAGE_CAP_SECONDS, abs=2)
    assert rows["M1"].first_seen_at < rows["M2"].first_seen_at <= rows["M1"].last_saved_at
    assert rows["M1"].first_seen_at == pytest.approx(rows["M1"].last_saved_at - dt.timedelta(seconds=95),
                                                     abs=dt.timedelta(seconds=60))
    response = Response.objects.get(invitation=case.invitation)
    assert response.page_seconds["M1"] == pytest.approx(rows["M1"].active_seconds, abs=0.2)
    assert not [f.name for f in PageVisit._meta.fields if "agent" in f.name]


def test_a_forged_page_start_counts_nothing_odd(client, caller, mini_version, settings):
    case, token = open_case(mini_version, caller)
    for n, forged in enumerate(["nan", "inf", "-1e308", "abc", str(time.time() + 86400), "1e400"]):
        assert post_page(client, token, "M1", PAGE1, n, forged, DESKTOP_UA).status_code == 302, forged
    visit = PageVisit.objects.get(response__invitation=case.invitation)
    assert visit.visits == 6 and 0 <= visit.active_seconds <= settings.PARADATA_PAGE_CAP_SECONDS  # never more


def test_telephone_pages_and_calls_are_rows_with_interviewer_pseudonyms(client, caller, mini_version, tmp_path):
    case, _ = open_case(mini_version, caller)
    started = timezone.now()
    case_lock(case_id=case.pk, user=caller, now=started - dt.timedelta(minutes=3))
    call_attempt_record(case_id=case.pk, user=caller, outcome=outcome("no-answer"), now=started)
    phone = Client()
    phone.force_login(caller)
    phone.post(reverse("cati:interview", kwargs={"pk": case.pk}))
    for n, (module, data) in enumerate([("M1", PAGE1), ("M2", PAGE2), ("M3", PAGE3)]):
        reply = phone.post(reverse("cati:page", kwargs={"pk": case.pk, "module": module}),
                           {**data, "page_revision": n, "page_started": time.time() - 30}, HTTP_USER_AGENT=DESKTOP_UA)
        assert reply.status_code == 302
    assert phone.post(reverse("cati:submit", kwargs={"pk": case.pk})).status_code == 302

    call_command("export_paradata", survey="mini-test", format="parquet", output=str(tmp_path), stdout=io.StringIO())
    pages = pd.read_parquet(tmp_path / "mini-test-paradata-pages.parquet")
    calls = pd.read_parquet(tmp_path / "mini-test-paradata-calls.parquet")
    assert list(pages["mode"]) == ["cati"] * 3 and list(pages["module"]) == ["M1", "M2", "M3"]
    assert set(pages["firm"]) == {case.invitation.firm.pseudonym} and (pages["revisits"] == 0).all()
    assert list(calls["outcome"]) == ["no-answer", "complete"] and list(calls["attempt"]) == [1, 2]
    assert calls["duration_seconds"].iloc[0] == 180
    assert set(calls["interviewer"]) == {interviewer_pseudonym(caller.pk)}
    assert caller.username not in calls.to_csv() and case.invitation.firm.phone not in calls.to_csv()
    assert list(calls["case_origin"]) == ["staff", "staff"]


def test_the_command_writes_csv_and_parquet_that_pandas_reads_without_personal_data(client, caller,
                                                                                   mini_version, tmp_path):
    case, token = open_case(mini_version, caller, employees=12)
    for n, (module, data) in enumerate([("M1", PAGE1), ("M2", PAGE2), ("M3", PAGE3)]):
        post_page(client, token, module, data, n, 60, PHONE_UA)
    client.post(reverse("surveys:submit", kwargs={"token": token}))
    for fmt in ("csv", "parquet"):
        out = io.StringIO()
        call_command("export_paradata", survey="mini-test", format=fmt, output=str(tmp_path / fmt), stdout=out)
        paths = out.getvalue().split()
        assert [p.rsplit("-", 1)[-1] for p in paths] == [f"pages.{fmt}", f"calls.{fmt}", f"burden.{fmt}"]
        read = pd.read_csv if fmt == "csv" else pd.read_parquet
        pages, calls, burden = (read(p) for p in paths)
        assert list(pages.columns) == SCHEMAS["pages"].names and list(calls.columns) == SCHEMAS["calls"].names
        assert not PERSONAL & (set(pages.columns) | set(calls.columns) | set(burden.columns))
        assert len(pages) == 3 and set(pages["device"]) == {"phone"} and len(calls) == 0
        assert pages["active_seconds"].sum() == pytest.approx(180, abs=5)
        overall = burden[(burden["size_class"] == "all") & (burden["mode"] == "all")].iloc[0]
        assert overall["responses"] == 1 and overall["median_minutes"] == pytest.approx(3.0, abs=0.1)
        assert set(burden["size_class"]) == {"SMALL", "all"}
        text = "".join(open(p, errors="replace").read() for p in paths if p.endswith(".csv"))
        for secret in (case.invitation.firm.name, case.invitation.firm.identifier, case.invitation.firm.email):
            assert secret not in text


def test_the_command_refuses_unknown_surveys_waves_and_formats(mini_version, tmp_path):
    with pytest.raises(CommandError, match="unknown survey"):
        call_command("export_paradata", survey="nope", format="csv", output=str(tmp_path))
    with pytest.raises(CommandError, match="unknown wave"):
        call_command("export_paradata", survey="mini-test", format="csv", output=str(tmp_path), wave="x'; --")
    with pytest.raises(CommandError):
        call_command("export_paradata", survey="mini-test", format="xlsx", output=str(tmp_path))


def test_the_staff_data_page_produces_the_paradata_zip_in_the_background(client, caller, mini_version,
                                                                        django_capture_on_commit_callbacks):
    case, token = open_case(mini_version, caller)
    post_page(client, token, "M1", PAGE1, 0, 30, DESKTOP_UA)
    analyst = staff("add_exportjob", "view_exportjob")
    web = Client()
    web.force_login(analyst)
    assert b"paradata-form" in web.get("/staff/data/mini-test/exports/").content
    with django_capture_on_commit_callbacks(execute=True):
        reply = web.post("/staff/data/mini-test/exports/paradata/", {"paradata-format": "parquet"})
    assert reply.status_code == 302
    job = ExportJob.objects.get()
    assert (job.status, job.rows, job.options["extra"]) == ("done", 1, {"dataset": "paradata"})
    download = web.get(f"/staff/data/exports/{job.key}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == ["burden.parquet", "calls.parquet", "pages.parquet"]
    pages = pd.read_parquet(io.BytesIO(archive.read("pages.parquet")))
    assert list(pages["module"]) == ["M1"] and list(pages["device"]) == ["desktop"]


@pytest.mark.parametrize("data", [
    {"paradata-format": "xlsx"},
    {"paradata-format": "csv", "paradata-waves": ["nope"]},
    {"paradata-format": "'; DROP TABLE analytics_exportjob; --"},
    {"paradata-format": "csv\x00"},
    {},
])
def test_the_paradata_form_refuses_hostile_input_with_400(data, mini_version):
    from surveys.fieldwork.invitations import wave_default

    wave_default(questionnaire=mini_version.questionnaire)
    web = Client()
    web.force_login(staff("add_exportjob", "view_exportjob"))
    assert web.post("/staff/data/mini-test/exports/paradata/", data).status_code == 400
    assert not ExportJob.objects.exists()


def test_the_paradata_download_needs_the_export_permission(mini_version):
    web = Client()
    web.force_login(staff("view_exportjob"))
    assert web.post("/staff/data/mini-test/exports/paradata/", {"paradata-format": "csv"}).status_code == 403
