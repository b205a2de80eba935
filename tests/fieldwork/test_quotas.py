"""Quotas: a full cell screens a case out at the page that answers its quota items and at submit;
the case keeps its answers, counts as AAPOR 4.80, and leaves the telephone call list."""
import pytest
from django.contrib.auth import get_user_model

from surveys.answering.saves import ScreenedOut, response_save_page, response_submit
from surveys.cati.calls import call_list, cati_cases_open
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.fieldwork.quotas import quota_fill
from surveys.fieldwork.tracking import cases_frame, dispositions
from surveys.models import Quota, QuotaCell, Response
from tests.factories import FirmFactory

SMALL = {"Q1": "1990", "Q2": "2000", "Q3": "0"}  # $SIZE = SMALL
LARGE = {"Q1": "1990", "Q2": "12000", "Q3": "0"}
REST = {"Q8.1": "3"}  # module M2 for a firm that does not outsource


@pytest.fixture
def wave(mini_version):
    wave = wave_default(questionnaire=mini_version.questionnaire)
    quota = Quota.objects.create(wave=wave, name="size", variables=["$SIZE"])
    QuotaCell.objects.create(quota=quota, values={"$SIZE": "SMALL"}, label={"en": "Small firms"}, target=1)
    QuotaCell.objects.create(quota=quota, values={"$SIZE": "LARGE"}, label={"en": "Large firms"}, target=5)
    return wave


def case(wave) -> Response:
    return invitation_issue(wave=wave, firm=FirmFactory())[0].response


def save(response: Response, module: str, raw: dict) -> Response:
    revision = Response.objects.get(pk=response.pk).revision
    result, saved = response_save_page(response_id=response.pk, module_code=module, raw=raw, revision=revision)
    assert result.ok, result.errors
    return saved


def complete(response: Response) -> Response:
    save(response, "M2", REST)
    submitted, done = response_submit(response_id=response.pk)
    assert done
    return submitted


def test_a_case_joins_its_cell_when_the_quota_items_are_answered(wave):
    saved = save(case(wave), "M1", SMALL)
    assert [c.label["en"] for c in saved.quota_cells.all()] == ["Small firms"]
    assert saved.screened_out_at is None


def test_the_page_answering_a_full_cell_screens_the_case_out_and_keeps_its_answers(wave):
    complete(save(case(wave), "M1", SMALL))
    late = save(case(wave), "M1", SMALL)
    assert late.screened_out_at is not None and late.answers["Q2"] == 2000
    with pytest.raises(ScreenedOut):
        save(late, "M2", REST)
    other = save(case(wave), "M1", LARGE)  # the other cell still has room
    assert other.screened_out_at is None


def test_submit_screens_out_when_the_cell_filled_meanwhile(wave):
    first, second = save(case(wave), "M1", SMALL), save(case(wave), "M1", SMALL)  # both had room when answering
    complete(first)
    save(second, "M2", REST)
    response, submitted = response_submit(response_id=second.pk)
    assert not submitted and response.screened_out_at is not None
    assert Response.objects.get(pk=second.pk).status == Response.Status.STARTED


def test_inactive_quotas_close_nothing(wave):
    Quota.objects.update(active=False)
    complete(save(case(wave), "M1", SMALL))
    assert save(case(wave), "M1", SMALL).screened_out_at is None


def test_screened_out_cases_are_aapor_4_80_and_the_fill_is_counted(wave):
    complete(save(case(wave), "M1", SMALL))
    late = save(case(wave), "M1", SMALL)
    save(case(wave), "M1", LARGE)
    frame = cases_frame(wave)
    codes = dict(zip(frame["invitation_id"].astype(int), dispositions(frame, 0.5), strict=True))
    assert codes[late.invitation_id] == "4.80"
    cells = {c["label"]: c for c in quota_fill(wave=wave)[0]["cells"]}
    assert cells["Small firms"] | {"id": 0} == {"id": 0, "label": "Small firms", "values": {"$SIZE": "SMALL"},
                                                 "target": 1, "completed": 1, "in_progress": 0, "screened_out": 1,
                                                 "full": True, "fill": 1.0}
    assert cells["Large firms"]["in_progress"] == 1 and not cells["Large firms"]["full"]


def test_the_call_list_skips_cases_whose_cell_is_full(wave):
    interviewer = get_user_model().objects.create_user("ivo")
    small, large, fresh = case(wave), case(wave), case(wave)
    cati_cases_open(invitations=[small.invitation, large.invitation, fresh.invitation], interviewer=interviewer)
    save(small, "M1", SMALL)  # an interrupted interview: its cell is known
    save(large, "M1", LARGE)
    listed = lambda: {c.invitation_id for c in call_list(user=interviewer)["due"]}  # noqa: E731
    assert listed() == {small.invitation_id, large.invitation_id, fresh.invitation_id}
    complete(save(case(wave), "M1", SMALL))  # the small cell fills up
    assert listed() == {large.invitation_id, fresh.invitation_id}


def test_the_admin_refuses_unknown_variables_and_cells_that_do_not_match(wave, admin_client):
    form = {"wave": wave.pk, "name": "sector", "variables": '["$SIZE"]', "active": "on",
            "cells-TOTAL_FORMS": "1", "cells-INITIAL_FORMS": "0", "cells-MIN_NUM_FORMS": "0",
            "cells-MAX_NUM_FORMS": "1000", "cells-0-position": "0", "cells-0-values": '{"Q3": "1"}',
            "cells-0-label": "{}", "cells-0-target": "4"}
    refused = admin_client.post("/admin/surveys/quota/add/", form)
    assert refused.status_code == 200 and "must give exactly one value" in refused.content.decode()
    unknown = admin_client.post("/admin/surveys/quota/add/", {**form, "variables": '["NOPE"]'})
    assert "neither an item nor a derived variable" in unknown.content.decode()
    admin_client.post("/admin/surveys/quota/add/", {**form, "cells-0-values": '{"$SIZE": "SMALL"}'})
    assert Quota.objects.get(name="sector").cells.get().values == {"$SIZE": "SMALL"}


def test_a_page_save_of_a_wave_without_quotas_asks_once_per_process_and_a_new_quota_counts_at_once(mini_version):
    """Most waves have no quota: page saves keep that per process instead of one query each; the
    process that adds a quota sees it at the next save, and submission always looks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wave = wave_default(questionnaire=mini_version.questionnaire)
    first, second = case(wave), case(wave)
    save(first, "M1", SMALL)
    with CaptureQueriesContext(connection) as queries:
        save(second, "M1", SMALL)
    assert not [q for q in queries if "surveys_quota" in q["sql"]]
    quota = Quota.objects.create(wave=wave, name="size", variables=["$SIZE"])
    QuotaCell.objects.create(quota=quota, values={"$SIZE": "SMALL"}, label={"en": "Small firms"}, target=1)
    assert [c.label["en"] for c in save(case(wave), "M1", SMALL).quota_cells.all()] == ["Small firms"]
