"""Invitations for 1,000 firms through Redis and a real worker: each sent once, even across a crash."""
from collections import Counter

import pytest
from django.db import connection

from surveys.mailing import invitations_queue, messages_dispatch
from surveys.models import Firm, Message
from surveys.sampling import sample_draw
from surveys.services import wave_default
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
    import time; print('T', round(time.time() % 1000, 2), 'wave = wave_with_sample', flush=True)
    assert invitations_queue(wave=wave) == FIRMS  # on commit: a dispatch task to Redis, batches to the worker
    import time; print('T', round(time.time() % 1000, 2), 'assert invitations_queue(wave=wave) == F', flush=True)
    mail_worker.wait_until(lambda: sent_count() >= 300, timeout=60)
    import time; print('T', round(time.time() % 1000, 2), 'mail_worker.wait_until(lambda: sent_coun', flush=True)
    mail_worker.kill()  # SIGKILL in the middle of a batch: its open transaction dies with the connection
    import time; print('T', round(time.time() % 1000, 2), 'mail_worker.kill()  # SIGKILL in the mid', flush=True)
    at_crash = sent_count()
    import time; print('T', round(time.time() % 1000, 2), 'at_crash = sent_count()', flush=True)
    assert 300 <= at_crash < FIRMS
    import time; print('T', round(time.time() % 1000, 2), 'assert 300 <= at_crash < FIRMS', flush=True)
    assert Message.objects.filter(status="sent").count() == at_crash  # no message marked sent without a send
    import time; print('T', round(time.time() % 1000, 2), 'assert Message.objects.filter(status="se', flush=True)
    pids = {pid for _, _, pid in outbox_rows()}
    import time; print('T', round(time.time() % 1000, 2), 'pids = {pid for _, _, pid in outbox_rows', flush=True)

    mail_worker.start()
    import time; print('T', round(time.time() % 1000, 2), 'mail_worker.start()', flush=True)
    messages_dispatch(stale_after=0)  # what beat does once FIELDWORK_REDISPATCH_SECONDS have passed
    import time; print('T', round(time.time() % 1000, 2), 'messages_dispatch(stale_after=0)  # what', flush=True)
    mail_worker.wait_until(lambda: not Message.objects.filter(status="queued").exists(), timeout=120)
    import time; print('T', round(time.time() % 1000, 2), 'mail_worker.wait_until(lambda: not Messa', flush=True)
    assert invitations_queue(wave=wave) == 0  # asked again: nothing new
    import time; print('T', round(time.time() % 1000, 2), 'assert invitations_queue(wave=wave) == 0', flush=True)
    messages_dispatch(stale_after=0)
    import time; print('T', round(time.time() % 1000, 2), 'messages_dispatch(stale_after=0)', flush=True)
    mail_worker.wait_until(lambda: "messages_dispatch_task" in mail_worker.log(since_start=True), timeout=30)
    import time; print('T', round(time.time() % 1000, 2), 'mail_worker.wait_until(lambda: "messages', flush=True)

    rows = outbox_rows()
    import time; print('T', round(time.time() % 1000, 2), 'rows = outbox_rows()', flush=True)
    recipients = Counter(recipient for _, recipient, _ in rows)
    import time; print('T', round(time.time() % 1000, 2), 'recipients = Counter(recipient for _, re', flush=True)
    assert len(rows) == FIRMS and max(recipients.values()) == 1  # none twice
    import time; print('T', round(time.time() % 1000, 2), 'assert len(rows) == FIRMS and max(recipi', flush=True)
    assert set(recipients) == {f"firm{n}@int.example" for n in range(FIRMS)}  # none missed
    import time; print('T', round(time.time() % 1000, 2), 'assert set(recipients) == {f"firm{n}@int', flush=True)
    assert len({message_id for message_id, _, _ in rows}) == FIRMS
    import time; print('T', round(time.time() % 1000, 2), 'assert len({message_id for message_id, _', flush=True)
    assert Message.objects.filter(status="sent").count() == FIRMS
    import time; print('T', round(time.time() % 1000, 2), 'assert Message.objects.filter(status="se', flush=True)
    assert len({pid for _, _, pid in rows} - pids) == 1  # the restarted worker finished the job
    import time; print('T', round(time.time() % 1000, 2), 'assert len({pid for _, _, pid in rows} -', flush=True)
