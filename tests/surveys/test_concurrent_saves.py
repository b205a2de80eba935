"""Two saves of the same page at the same moment (two tabs): one wins, the other is told."""
import threading

import pytest
from django.db import connection

from surveys.answering.saves import Conflict, response_save_page
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Response
from tests.factories import FirmFactory

PAGE1 = {"Q1": "1990", "Q2": "12000", "Q3": "0"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need a server database")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_revision_save_once(mini_version):
    invitation, _, _ = invitation_issue(wave=wave_default(questionnaire=mini_version.questionnaire),
                                        firm=FirmFactory())
    response_id = invitation.response.pk
    barrier = threading.Barrier(2)
    outcomes = []

    def save(year):
        barrier.wait()
        try:
            response_save_page(response_id=response_id, module_code="M1", raw={**PAGE1, "Q1": year}, revision=0)
            outcomes.append(("saved", year))
        except Conflict:
            outcomes.append(("conflict", year))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(y,)) for y in ("1990", "1970")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o for o, _ in outcomes) == ["conflict", "saved"]
    winner = next(y for o, y in outcomes if o == "saved")
    response = Response.objects.get(pk=response_id)
    assert response.revision == 1 and response.answers["Q1"] == int(winner)
