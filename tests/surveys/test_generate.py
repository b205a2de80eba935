"""Generated responses are submitted, valid, and visible in the read model."""
import pytest
from django.core.management import call_command

from surveys.answering.readmodel import readmodel_frame
from surveys.models import Questionnaire, Response
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.validation import validate_all

pytestmark = pytest.mark.django_db


def assert_all_valid(questionnaire):
    responses = Response.objects.filter(version__questionnaire=questionnaire)
    for response in responses:
        spec = spec_for_version(response.version)
        answers, errors = validate_all(spec, response.answers, allow_missing=bool(spec.missing_codes))
        assert errors == {} and answers == response.answers
    return responses.count()


def test_generated_mini_responses_pass_validation(mini_version):
    call_command("generate_responses", "--survey", "mini-test", "--count", "150", "--seed", "3")
    assert assert_all_valid(mini_version.questionnaire) == 150
    frame = readmodel_frame(mini_version.questionnaire)
    assert len(frame) == 150 and set(frame["status"]) == {"submitted"}
    # skip logic: firms that do not outsource have Q4 not applicable (-7)
    assert (frame.loc[frame["Q3"] == 0, "Q4"] == -7).all()


@pytest.mark.parametrize("code", ["italian-districts-2016", "basque-digital-2019", "backshoring-interview"])
def test_generated_responses_of_each_instrument_pass_validation(loaded_instruments, code):
    call_command("generate_responses", "--survey", code, "--count", "60", "--seed", "7")
    assert assert_all_valid(Questionnaire.objects.get(code=code)) == 60


def test_same_seed_gives_same_answers(mini_version):
    call_command("generate_responses", "--survey", "mini-test", "--count", "5", "--seed", "9")
    first = [r.answers for r in Response.objects.order_by("pk")]
    Response.objects.all().delete()
    from surveys.models import Firm, Invitation

    Invitation.objects.all().delete()
    Firm.objects.all().delete()
    call_command("generate_responses", "--survey", "mini-test", "--count", "5", "--seed", "9")
    assert [r.answers for r in Response.objects.order_by("pk")] == first


@pytest.mark.parametrize("code", ["italian-districts-2016", "basque-digital-2019", "backshoring-interview"])
def test_any_seed_draws_valid_answers_even_where_earlier_pages_leave_no_choice(code):
    """Seed 7 of the Italian instrument reaches, at its 142nd response, a firm founded in 2016 whose
    sourcing year must then be 2016: the generator starts that response over instead of failing."""
    import random

    from surveys.answering.generate import answers_generate
    from surveys.questionnaire.spec import Spec
    from tests.analytics.conftest import _definition

    spec = Spec(_definition(code))
    for seed in range(1, 21):
        rng = random.Random(seed)
        for _ in range(150 if (code, seed) == ("italian-districts-2016", 7) else 8):
            answers = answers_generate(spec, rng)
            assert validate_all(spec, answers, allow_missing=True)[1] == {}


def test_the_same_seed_can_run_twice_in_one_database(mini_version):
    call_command("generate_responses", "--survey", "mini-test", "--count", "3", "--seed", "4")
    call_command("generate_responses", "--survey", "mini-test", "--count", "3", "--seed", "4")
    assert Response.objects.filter(version__questionnaire=mini_version.questionnaire).count() == 6


def test_a_pool_reuses_at_most_that_many_valid_answer_sets_and_their_rows_are_the_same(mini_version):
    """--pool N: the first N responses are drawn afresh, the rest pick among them; every response is
    valid, and the read-model rows written once per shared answer set are the rows each response
    gets when written on its own."""
    from surveys.answering.readmodel import readmodel_upsert

    call_command("generate_responses", "--survey", "mini-test", "--count", "120", "--seed", "4", "--pool", "10")
    questionnaire = mini_version.questionnaire
    assert assert_all_valid(questionnaire) == 120
    distinct = {tuple(sorted((k, str(v)) for k, v in r.answers.items())) for r in Response.objects.all()}
    assert 1 < len(distinct) <= 10
    shared = readmodel_frame(questionnaire).drop(columns=["change_seq", "updated_at"], errors="ignore")
    readmodel_upsert(list(Response.objects.select_related("version", "invitation")), questionnaire)
    alone = readmodel_frame(questionnaire).drop(columns=["change_seq", "updated_at"], errors="ignore")
    diff = shared.compare(alone)
    assert diff.empty, diff.head()


def test_a_negative_pool_is_refused(mini_version):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="pool"):
        call_command("generate_responses", "--survey", "mini-test", "--count", "5", "--pool", "-1")
