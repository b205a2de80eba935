"""Response burden: minutes per firm from page times, by size class and mode, against figures
computed by hand; the respondent's own "time needed to answer" beside the measured one."""
import pandas as pd
import pytest
from django.urls import reverse

from surveys.fieldwork.burden import burden_frame, burden_summary
from surveys.fieldwork.invitations import invitation_issue
from surveys.fieldwork.tracking import tracking_recompute
from surveys.models import Response
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db


def submitted(wave, employees, mode, seconds: dict, reported=None, status="submitted"):
    invitation, _, _ = invitation_issue(wave=wave, firm=FirmFactory(employees=employees))
    answers = {"TIME_NEEDED": reported} if reported is not None else {}
    Response.objects.filter(invitation=invitation).update(status=status, mode=mode, page_seconds=seconds,
                                                          answers=answers)
    return invitation


@pytest.fixture
def five_firms(wave):
    # minutes: small web 2, 4, 10 (reported 5, 15); small cati 6; large web 1; plus cases left out
    submitted(wave, 20, "web", {"M1": 60, "M2": 60}, reported=5)
    submitted(wave, 30, "web", {"M1": 180, "M2": 60})
    submitted(wave, 45, "web", {"M1": 300, "M2": 300}, reported=15)
    submitted(wave, 12, "cati", {"M1": 360})
    submitted(wave, 900, "web", {"M1": 30, "M3": 30})
    submitted(wave, 20, "import", {})  # no page times: left out
    submitted(wave, 20, "web", {"M1": 600}, status="started")  # not submitted: left out
    return wave


def test_burden_by_size_class_and_mode_matches_the_hand_computed_figures(five_firms):
    frame = burden_frame(five_firms)
    assert sorted(frame["minutes"]) == [1, 2, 4, 6, 10]
    summary = burden_summary(frame)
    # all five: 1, 2, 4, 6, 10 -> Q1 2, median 4, Q3 6 (linear interpolation)
    assert summary["overall"] == {"responses": 5, "q1": 2.0, "median": 4.0, "q3": 6.0, "reported_responses": 2,
                                  "reported_median": 10.0}
    groups = {(g["size_class"], g["mode"]): g for g in summary["groups"]}
    # small web: 2, 4, 10 -> Q1 3 (2 + 0.5 * 2), median 4, Q3 7 (4 + 0.5 * 6)
    assert (groups["SMALL", "web"]["q1"], groups["SMALL", "web"]["median"], groups["SMALL", "web"]["q3"]) == (3, 4, 7)
    # small, every mode: 2, 4, 6, 10 -> Q1 3.5, median 5, Q3 7
    assert (groups["SMALL", "all"]["q1"], groups["SMALL", "all"]["median"], groups["SMALL", "all"]["q3"]) == (
        3.5, 5.0, 7.0)
    assert groups["LARGE", "web"]["median"] == 1 and groups["all", "cati"]["median"] == 6
    assert groups["all", "web"]["responses"] == 4 and groups["all", "web"]["median"] == 3.0
    assert [(g["size_class"], g["mode"]) for g in summary["groups"]] == [
        ("SMALL", "cati"), ("SMALL", "web"), ("SMALL", "all"), ("LARGE", "web"), ("LARGE", "all"), ("all", "cati"),
        ("all", "web")]


def test_an_empty_wave_has_no_burden(wave):
    assert burden_summary(burden_frame(wave))["overall"]["responses"] == 0
    assert burden_summary(pd.DataFrame(columns=["minutes", "reported_minutes", "size_class", "mode"]))["groups"] == []


def test_the_tracking_page_shows_burden_beside_the_reported_time(five_firms, client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("fw", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_wavetracking"]))
    client.force_login(user)
    tracking_recompute(wave_id=five_firms.pk)
    page = client.get(reverse("fieldwork:tracking", kwargs={"wave_id": five_firms.pk})).content.decode()
    assert 'id="burden"' in page and 'data-burden="SMALL/web"' in page
    row = page.split('data-burden="all/all"')[1].split("</tr>")[0]
    assert ">5<" in row and ">4.0<" in row and ">10.0<" in row  # responses, median, reported median


def test_the_documented_time_needed_item_loads_and_its_answer_is_shown_beside_the_measured_time(db):
    """The YAML snippet of docs/definition-format.md, added to the mini instrument's first page."""
    from pathlib import Path

    import yaml

    from surveys.answering.saves import response_save_page
    from surveys.fieldwork.invitations import wave_default
    from surveys.questionnaire.definitions import normalise, read_reference_lists, version_store
    from tests.cati.conftest import PAGE1
    from tests.conftest import MINI

    doc = (Path(__file__).resolve().parents[2] / "docs" / "definition-format.md").read_text()
    snippet = doc.split("- code: TIME_NEEDED")[1].split("```")[0]
    raw = yaml.safe_load(MINI.read_text())
    raw["modules"][0]["items"].append(yaml.safe_load("- code: TIME_NEEDED" + snippet)[0])
    definition = normalise(raw, {"COUNTRY": read_reference_lists()["COUNTRY"]}, source="mini+time")
    version, _ = version_store(definition)
    wave = wave_default(questionnaire=version.questionnaire)
    invitation, _, _ = invitation_issue(wave=wave, firm=FirmFactory(employees=8))
    response = invitation.response
    result, saved = response_save_page(response_id=response.pk, module_code="M1", raw={**PAGE1, "TIME_NEEDED": "0"},
                                       revision=0, seconds=60)
    assert "TIME_NEEDED" in result.errors  # below the documented minimum
    result, saved = response_save_page(response_id=response.pk, module_code="M1", raw={**PAGE1, "TIME_NEEDED": "25"},
                                       revision=0, seconds=60)
    assert result.ok and saved.answers["TIME_NEEDED"] == 25
    Response.objects.filter(pk=response.pk).update(status="submitted")
    summary = burden_summary(burden_frame(wave))
    assert summary["overall"]["median"] == 1.0 and summary["overall"]["reported_median"] == 25.0
