"""Invitations for 1,000 firms through Redis and a real worker: each sent once, even across a crash."""
from collections import Counter

import pytest
from django.db import connection

from surveys.fieldwork.invitations import wave_default
from surveys.fieldwork.mailing import invitations_queue, messages_dispatch
from surveys.fieldwork.sampling import sample_draw
from surveys.models import Firm, Message
from tests.integration.fieldwork_mail import outbox_create, outbox_drop, outbox_rows

FIRMS = 1000


@pytest.fixture
def mail_worker(worker):
    """The `worker` fixture restarted with the recording backend and a send rate a crash can interrupt."""
    outbox_create()
    worker.stop()
    worker.env = {**worker.env, "EMAIL_BACKEND": "tests.integration.fieldwork_mail.RecordingBackend",
                  "FIELDWORK_MAIL_PER_MINUTE": "12000", "FIELDWORK_BATCH_SIZE": "100"}
    worker.start()
    yield worker
    outbox_drop()


@pytest.fixture
def wave_with_sample(mini_version):
    wave = wave_default(questionnaire=mini_version.questionnaire)
    Firm.objects.bulk_create([Firm(identifier=f"INT{n:06d}", name=f"Firm {n}", email=f"firm{n}@int.example",
                                   language="en", district="D1" if n % 3 else "D2") for n in range(FIRMS)])
    sample_draw(wave=wave, name="all", strata_fields=["district"], allocation="census")
    return wave


def sent_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM fieldwork_test_outbox")
        return cursor.fetchone()[0]


def test_invitations_to_1000_firms_go_once_even_when_the_worker_dies_mid_batch(mail_worker, wave_with_sample):
    wave = wave_with_sample
    assert invitations_queue(wave=wave) == FIRMS  # on commit: a dispatch task to Redis, batches to the worker
    mail_worker.wait_until(lambda: sent_count() >= 300, timeout=60)
    mail_worker.kill()  # SIGKILL in the middle of a batch: its open transaction dies with the connection
    at_crash = sent_count()
    assert 300 <= at_crash < FIRMS
    assert Message.objects.filter(status="sent").count() == at_crash  # no message marked sent without a send
    pids = {pid for _, _, pid in outbox_rows()}

    mail_worker.start()
    messages_dispatch(stale_after=0)  # what beat does once FIELDWORK_REDISPATCH_SECONDS have passed
    mail_worker.wait_until(lambda: not Message.objects.filter(status="queued").exists(), timeout=120)
    assert invitations_queue(wave=wave) == 0  # asked again: nothing new
    messages_dispatch(stale_after=0)
    mail_worker.wait_until(lambda: "fieldwork.messages_dispatch" in mail_worker.log(since_start=True), timeout=30)

    rows = outbox_rows()
    recipients = Counter(recipient for _, recipient, _ in rows)
    assert len(rows) == FIRMS and max(recipients.values()) == 1  # none twice
    assert set(recipients) == {f"firm{n}@int.example" for n in range(FIRMS)}  # none missed
    assert len({message_id for message_id, _, _ in rows}) == FIRMS
    assert Message.objects.filter(status="sent").count() == FIRMS
    assert len({pid for _, _, pid in rows} - pids) == 1  # the restarted worker finished the job
