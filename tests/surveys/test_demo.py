"""`manage.py demo` leaves every dashboard current: the stored N equals the submitted responses."""
import io

import pytest
from django.core.management import call_command

from analytics.models import ResultSet
from surveys.models import Questionnaire, Response

pytestmark = pytest.mark.django_db


def test_demo_leaves_every_dashboard_current(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    out = io.StringIO()
    call_command("demo", stdout=out)
    checked = 0
    for questionnaire in Questionnaire.objects.filter(code__in=["italian-districts-2016", "basque-digital-2019"]):
        submitted = Response.objects.filter(version__questionnaire=questionnaire, status="submitted").count()
        stored = ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL)
        assert submitted > 40 or questionnaire.code != "italian-districts-2016"
        assert stored.n_responses == submitted, questionnaire.code
        checked += 1
    assert checked == 2 and "results of italian-districts-2016: ok" in out.getvalue()


def test_demo_fieldwork_has_paradata_and_burden(settings):
    from surveys.models import PageVisit, WaveTracking

    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("demo", stdout=io.StringIO())
    submitted = Response.objects.filter(status="submitted", source="fieldwork demo")
    assert submitted.exists()
    assert PageVisit.objects.filter(response__in=submitted).values("response").distinct().count() == submitted.count()
    burdens = [t.data.get("burden", {}).get("overall", {}).get("responses") for t in WaveTracking.objects.all()]
    assert any(burdens)
