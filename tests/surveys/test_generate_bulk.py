"""The generator's bulk write (COPY on PostgreSQL, bulk_create elsewhere): runs that grow the data
without duplicates, a pseudonym collision drawn again, and every stored response re-validating."""
import pytest

from surveys.answering.generate import responses_generate
from surveys.answering.readmodel import readmodel_frame
from surveys.models import Firm, Invitation, Response
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.validation import validate_all
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db


def test_two_runs_with_the_same_seed_grow_the_data_without_duplicates(mini_version):
    questionnaire = mini_version.questionnaire
    assert responses_generate(questionnaire=questionnaire, count=70, seed=5, batch=30) == 70
    assert responses_generate(questionnaire=questionnaire, count=50, seed=5, batch=30) == 50
    firms = list(Firm.objects.values_list("identifier", "pseudonym"))
    assert len(firms) == 120 and len({f[0] for f in firms}) == 120 and len({f[1] for f in firms}) == 120
    assert len(set(Invitation.objects.values_list("token_hash", flat=True))) == 120
    responses = Response.objects.filter(version__questionnaire=questionnaire)
    assert responses.count() == 120 and set(responses.values_list("status", flat=True)) == {"submitted"}
    frame = readmodel_frame(questionnaire)
    assert sorted(frame["response_id"]) == sorted(responses.values_list("pk", flat=True))
    assert all(r.invitation.firm_id == f for r, f in zip(
        responses.select_related("invitation").order_by("pk"),
        frame.sort_values("response_id")["firm_id"], strict=True))


def test_every_generated_response_revalidates(mini_version):
    responses_generate(questionnaire=mini_version.questionnaire, count=40, seed=11, batch=25)
    for response in Response.objects.all():
        spec = spec_for_version(response.version)
        answers, errors = validate_all(spec, response.answers, allow_missing=bool(spec.missing_codes))
        assert errors == {} and answers == response.answers
        assert response.derived == spec.env(response.answers).derived()


def test_a_pseudonym_taken_by_another_firm_is_drawn_again(mini_version, monkeypatch):
    FirmFactory(pseudonym="FTAKEN")
    draws = iter(["FTAKEN", "FTAKEN", "FNEW1", "FNEW2"])
    monkeypatch.setattr("surveys.answering.generate.new_pseudonym", lambda: next(draws))
    assert responses_generate(questionnaire=mini_version.questionnaire, count=2, seed=1) == 2
    assert set(Firm.objects.exclude(pseudonym="FTAKEN").values_list("pseudonym", flat=True)) == {"FNEW1", "FNEW2"}
