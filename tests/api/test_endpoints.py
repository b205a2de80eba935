"""The API's endpoints with the roles of the screens: analysts read pseudonymised data only."""
import time

import pytest

from analytics.models import ExportJob
from tests.api.conftest import client_for, save_first_page

BASE = "/api/v1/questionnaires/mini-test"


def test_questionnaires_versions_and_codebook(analyst, mini_version):
    client = client_for(analyst)
    listed = client.get("/api/v1/questionnaires/").json()
    assert listed[0]["versions"][0]["number"] == 1
    version = client.get(f"{BASE}/versions/1/").json()
    assert version["definition"]["code"] == "mini-test"
    assert client.get(f"{BASE}/versions/999999999/").status_code == 404
    codebook = client.get(f"{BASE}/codebook/").json()
    assert "Q1" in {item["code"] for item in codebook["items"]}


def _feed(client, want: int, **params) -> dict:
    """A feed page, asked again for a while until `want` results are final: on PostgreSQL the feed
    waits for every older transaction on the server to end (surveys/answering/changes.py)."""
    deadline = time.monotonic() + 20
    while True:
        page = client.get(f"{BASE}/responses/", params).json()
        if len(page["results"]) >= want or time.monotonic() > deadline:
            return page
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)  # each save its own transaction, as in production
def test_the_feed_pages_by_cursor_and_serves_a_saved_again_response_once_more(analyst, saved_responses):
    client = client_for(analyst)
    first = _feed(client, 2, limit=2)
    assert [r["id"] for r in first["results"]] == [r.pk for r in saved_responses[:2]] and first["has_more"]
    rest = _feed(client, 1, since=first["next"], limit=2)
    assert [r["id"] for r in rest["results"]] == [saved_responses[2].pk] and not rest["has_more"]
    save_first_page(saved_responses[0].pk, Q1="1970")
    again = _feed(client, 1, since=rest["next"])
    assert [(r["id"], r["answers"]["Q1"]) for r in again["results"]] == [(saved_responses[0].pk, 1970)]
    assert client.get(f"{BASE}/responses/", {"since": again["next"]}).json()["results"] == []


def test_analysts_see_pseudonyms_and_administrators_identifiers(analyst, admin_user, saved_responses):
    seen = client_for(analyst).get(f"{BASE}/responses/").json()["results"][0]
    assert seen["firm"].startswith("F") and "firm_identifier" not in seen and "firm_name" not in seen
    full = client_for(admin_user).get(f"{BASE}/responses/").json()["results"][0]
    assert full["firm_identifier"] == saved_responses[0].invitation.firm.identifier


@pytest.mark.parametrize("query", [{"since": "x"}, {"since": "1.2.3"}, {"since": "9" * 30}, {"limit": "0"},
                                   {"limit": "100000"}, {"since": "1\x00"}, {"limit": "1e9"}])
def test_bad_feed_parameters_get_400_with_a_message(analyst, mini_version, query):
    response = client_for(analyst).get(f"{BASE}/responses/", query)
    assert response.status_code == 400 and response.json()


def test_interviewers_have_no_api_access_to_data(interviewer, mini_version):
    client = client_for(interviewer)
    for url in ("/api/v1/questionnaires/", f"{BASE}/responses/", f"{BASE}/waves/"):
        assert client.get(url).status_code == 403


def test_tracking_with_quota_fill(fieldwork_user, saved_responses):
    client = client_for(fieldwork_user)
    waves = client.get(f"{BASE}/waves/").json()
    tracking = client.get(f"{BASE}/waves/{waves[0]['code']}/tracking/").json()
    assert tracking["totals"]["started"] == 3 and tracking["quotas"] == []
    assert client.get(f"{BASE}/waves/nope/tracking/").status_code == 404


def test_results_index_and_unknown_report(analyst, mini_version):
    client = client_for(analyst)
    index = client.get(f"{BASE}/results/").json()
    assert index["reports"] and index["snapshot_at"] is None
    assert client.get(f"{BASE}/results/no-such-report/").status_code == 404


def test_export_job_create_poll_download(analyst, saved_responses, django_capture_on_commit_callbacks, settings,
                                         tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(f"{BASE}/exports/", {"format": "csv", "statuses": ["started"]}, format="json")
    assert created.status_code == 202
    job = client.get(f"/api/v1/exports/{created.json()['key']}/").json()
    assert job["status"] == "done" and job["rows"] == 3
    download = client.get(job["download"])
    assert download.status_code == 200 and b"Q1" in b"".join(download.streaming_content)


def test_analysts_may_not_export_identifiers(analyst, saved_responses):
    response = client_for(analyst).post(f"{BASE}/exports/", {"format": "csv", "include_identifiers": True},
                                        format="json")
    assert response.status_code == 403 and not ExportJob.objects.exists()


def test_bad_export_requests_get_400(analyst, mini_version):
    response = client_for(analyst).post(f"{BASE}/exports/", {"format": "exe"}, format="json")
    assert response.status_code == 400 and "format" in response.json()
