"""The change feed under concurrent saves (PostgreSQL): paging through it while responses are being
saved, slow transactions included, delivers every response's last state and no change twice."""
import random
import threading
import time

import pytest
from django.db import connection, transaction

from surveys.answering.changes import Cursor, responses_changed
from surveys.answering.saves import response_save_page
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Response
from tests.factories import FirmFactory

pytestmark = [pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database"),
              pytest.mark.django_db(transaction=True)]

WRITERS, SAVES_EACH, RESPONSES = 4, 12, 6


def _responses(version, n: int) -> list[int]:
    wave = wave_default(questionnaire=version.questionnaire)
    return [invitation_issue(wave=wave, firm=FirmFactory())[0].response.pk for _ in range(n)]


def _save(response_id: int, rng: random.Random) -> None:
    """One page save; some transactions stay open a while after stamping, as a slow request would."""
    with transaction.atomic():
        revision = Response.objects.select_for_update().get(pk=response_id).revision
        result, _ = response_save_page(response_id=response_id, module_code="M1", revision=revision, raw={
            "Q1": str(1900 + rng.randrange(100)), "Q2": str(1000 + rng.randrange(9000)), "Q3": "0"})
        assert result.ok, result.errors
        time.sleep(rng.choice([0, 0, 0.01, 0.08]))


def _writer(ids: list[int], seed: int) -> None:
    rng = random.Random(seed)
    try:
        for _ in range(SAVES_EACH):
            _save(rng.choice(ids), rng)
    finally:
        connection.close()


def _page_through(questionnaire_id: int, cursor: Cursor, seen: list, limit: int = 3) -> Cursor:
    while True:
        rows, cursor = responses_changed(questionnaire_id=questionnaire_id, after=cursor, limit=limit)
        seen.extend((r.pk, r.revision, r.change_seq) for r in rows)
        if len(rows) < limit:
            return cursor


def test_paging_while_responses_are_saved_misses_and_repeats_nothing(mini_version):
    ids = _responses(mini_version, RESPONSES)
    questionnaire_id = mini_version.questionnaire_id
    seen: list[tuple[int, int, int]] = []
    writers = [threading.Thread(target=_writer, args=(ids, n)) for n in range(WRITERS)]
    for t in writers:
        t.start()
    cursor = Cursor()
    while any(t.is_alive() for t in writers):
        cursor = _page_through(questionnaire_id, cursor, seen)
        time.sleep(0.005)
    for t in writers:
        t.join()
    deadline = time.monotonic() + 120  # the horizon waits for write transactions anywhere on the server
    final = dict(Response.objects.filter(pk__in=ids).values_list("pk", "revision"))
    while time.monotonic() < deadline:
        cursor = _page_through(questionnaire_id, cursor, seen)
        last = {pk: revision for pk, revision, _ in seen}
        if last == final:
            break
        time.sleep(0.2)
    assert sum(final.values()) == WRITERS * SAVES_EACH
    assert {pk: revision for pk, revision, _ in seen} == final  # every response's last state arrived
    pairs = [(pk, revision) for pk, revision, _ in seen]
    assert len(pairs) == len(set(pairs))  # no change twice
    positions = [(seq, pk) for pk, _, seq in seen]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
