"""Tracking: AAPOR dispositions and rates match hand-computed values on a small case list."""
import datetime as dt

import pandas as pd
import pytest
from django.utils import timezone

from surveys.fieldwork.invitations import invitation_issue
from surveys.fieldwork.sampling import sample_draw
from surveys.fieldwork.tracking import aapor_rates, daily_progress, tracking_recompute
from surveys.models import Message, OptOut, Response, Selection, WaveTracking
from tests.factories import RegisterFirmFactory

pytestmark = pytest.mark.django_db
TELEPHONE: dict[int, str] = {}


def telephone_outcomes(wave) -> dict[int, str]:
    """Stands in for the CATI module's disposition source (surveys.fieldwork.tracking.cati_dispositions)."""
    return TELEPHONE


def test_rates_formulas_on_category_counts():
    rates = aapor_rates({"I": 3, "P": 1, "R": 4, "NC": 1, "O": 0, "U": 3, "NE": 1})
    assert rates["RR1"] == 0.25 and rates["RR2"] == pytest.approx(4 / 12, abs=1e-4)
    assert rates["COOP1"] == 0.375 and rates["REF1"] == pytest.approx(4 / 12, abs=1e-4)
    assert rates["CON1"] == pytest.approx(8 / 12, abs=1e-4)
    assert rates["e"] == 0.9 and rates["RR3"] == pytest.approx(3 / 11.7, abs=1e-4)
    assert aapor_rates({})["RR1"] is None  # nothing fielded yet: no rate, not zero


@pytest.fixture
def case_list(wave, monkeypatch):
    """13 sampled firms with one known outcome each (the comments give the AAPOR code)."""
    monkeypatch.setattr("surveys.fieldwork.tracking.cati_dispositions", telephone_outcomes)
    RegisterFirmFactory.create_batch(13, district="TV_FURN")
    sample = sample_draw(wave=wave, name="all", strata_fields=["district"], allocation="census")
    now = timezone.now()
    cases = []
    for selection in Selection.objects.order_by("firm_id")[:12]:  # the 13th is never invited: 3.11
        invitation, _, _ = invitation_issue(wave=wave, firm=selection.firm)
        Selection.objects.filter(pk=selection.pk).update(invitation=invitation)
        cases.append(invitation)
    emailed = cases[:10]  # 10 by e-mail, 2 by telephone only
    for invitation in emailed:
        Message.objects.create(invitation=invitation, kind="invitation", status="sent",
                               sent_at=now - dt.timedelta(days=3))
    responses = [c.response for c in cases]
    for r in responses[:3]:  # 1.1 x3
        Response.objects.filter(pk=r.pk).update(status="submitted", started_at=now, submitted_at=now)
    Response.objects.filter(pk=responses[3].pk).update(  # 1.2: two of the three modules saved
        status="started", started_at=now, page_seconds={"M1": 30, "M2": 40})
    Response.objects.filter(pk=responses[4].pk).update(  # 2.12 break-off: one module
        status="started", started_at=now, page_seconds={"M1": 30})
    type(cases[5]).objects.filter(pk=cases[5].pk).update(opened_at=now)  # 2.1121 opened, nothing answered
    OptOut.objects.create(invitation=cases[6])  # 2.111 via the link
    Message.objects.filter(invitation=cases[7]).update(status="bounced", bounced_at=now)  # 3.30
    # cases[8], cases[9]: invited, nothing returned: 3.19
    TELEPHONE.clear()
    TELEPHONE.update({cases[8].pk: "4.10", cases[10].pk: "2.111", cases[11].pk: "2.20"})  # NE, refusal, NC
    return sample


def test_tracking_of_a_small_case_list_matches_hand_counts(wave, case_list):
    assert tracking_recompute(wave_id=wave.pk)
    data = WaveTracking.objects.get(wave=wave).data
    assert data["categories"] == {"I": 3, "P": 1, "R": 4, "NC": 1, "U": 3, "NE": 1}
    codes = {d["code"]: d["count"] for d in data["dispositions"]}
    assert codes == {"1.1": 3, "1.2": 1, "2.111": 2, "2.1121": 1, "2.12": 1, "2.20": 1, "2.30": 0, "3.11": 1,
                     "3.19": 1, "3.30": 1, "4.10": 1}
    assert data["rates"]["RR1"] == 0.25 and data["rates"]["COOP1"] == 0.375
    assert data["totals"] == {"cases": 13, "invited": 12, "opened": 1, "started": 5, "partial": 1, "submitted": 3,
                              "refused": 1, "opted_out": 1, "bounced": 1, "not_reached": 2, "not_invited": 1}
    (stratum,) = data["strata"]
    assert stratum["stratum"] == "TV_FURN" and stratum["population"] == 13 and stratum["RR1"] == 0.25
    assert data["daily"][-1]["invited_total"] == 10 and data["daily"][-1]["submitted_total"] == 3


def test_an_older_recompute_never_overwrites_a_newer_result(wave, case_list):
    assert tracking_recompute(wave_id=wave.pk)
    future = timezone.now() + dt.timedelta(minutes=5)
    WaveTracking.objects.filter(wave=wave).update(computed_at=future, data={"newer": True})
    assert not tracking_recompute(wave_id=wave.pk)
    assert WaveTracking.objects.get(wave=wave).data == {"newer": True}
    assert not tracking_recompute(wave_id=999999)  # a deleted wave: nothing to do


def test_daily_progress_counts_per_day_and_running_totals():
    stamp = lambda d: pd.Timestamp(f"2019-01-{d:02d} 10:00", tz="UTC")  # noqa: E731
    frame = pd.DataFrame({"invited_at": [stamp(28), stamp(28), stamp(28)], "opened_at": [stamp(29), None, None],
                          "started_at": [stamp(29), None, None], "submitted_at": [stamp(31), None, None]})
    days = daily_progress(frame, pd.Series([stamp(30)]), today=dt.date(2019, 2, 1))
    assert [d["date"] for d in days] == ["2019-01-28", "2019-01-29", "2019-01-30", "2019-01-31", "2019-02-01"]
    assert [d["submitted_total"] for d in days] == [0, 0, 0, 1, 1]
    assert days[0]["invited"] == 3 and days[2]["reminded"] == 1
