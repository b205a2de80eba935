"""The outbox: background work recorded with its change, sent after the commit, kept while the broker is away."""
import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from celery.app.task import Task
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from surveys.accounts.roles import ADMINISTRATOR, FIELDWORK, role_assign, roles_install
from surveys.dispatch import enqueue
from surveys.models import Firm, OutboxMessage
from surveys.outbox import outbox_flush, outbox_prune, outbox_state_reset
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db
RENAME = "tests.surveys.firm_rename"  # a task of the test's own (below); the broker is faked by `broker`


class FakeBroker:
    """Stands in for the Celery broker: records what it accepts, or refuses while `down`."""

    def __init__(self):
        self.sent: list[tuple[str, tuple, dict]] = []
        self.down = False
        self.on_send = None

    def apply_async(self, task, args=None, kwargs=None, **options):
        if self.down:
            raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        if self.on_send:
            self.on_send()
        self.sent.append((task.name, tuple(args or ()), dict(kwargs or {})))

    def names(self) -> list[str]:
        return [name for name, _, _ in self.sent]


@pytest.fixture
def broker():
    """Tasks go through the outbox (as with REDIS_URL set) to a fake broker."""
    from config.celery import app

    fake = FakeBroker()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    outbox_state_reset()

    def apply_async(task, args=None, kwargs=None, **options):
        return fake.apply_async(task, args, kwargs, **options)

    with mock.patch.object(Task, "apply_async", apply_async):
        yield fake
    app.conf.task_always_eager = previous
    outbox_state_reset()


@pytest.fixture(autouse=True, scope="module")
def _rename_task():
    from config.celery import app

    @app.task(name=RENAME)
    def firm_rename(firm_id: int, name: str) -> None:
        Firm.objects.filter(pk=firm_id).update(name=name)

    yield
    app.tasks.pop(RENAME, None)


@contextmanager
def quiet_since_last_look():
    """This process looked for leftover rows a moment ago, so a send does not look again."""
    from surveys import outbox

    outbox._state.update(failed=False, checked=__import__("time").monotonic())
    yield


def test_the_row_is_written_in_the_transaction_and_sent_after_the_commit(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            enqueue(RENAME, 7, "Acme", countdown=5)
            row = OutboxMessage.objects.get()
            assert (row.task, row.args, row.dispatched_at) == (RENAME, [7, "Acme"], None)
            assert row.eta > timezone.now() and broker.sent == []  # nothing leaves before the commit
    row.refresh_from_db()
    assert row.dispatched_at is not None and row.attempts == 1 and row.claimed_until is None
    assert broker.sent == [(RENAME, (7, "Acme"), {})]


def test_a_rolled_back_change_takes_its_row_with_it(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue(RENAME, 7, "Acme")
            raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists() and broker.sent == []


def test_a_broker_that_refuses_leaves_the_row_pending_and_raises_nothing(broker, django_capture_on_commit_callbacks):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(RENAME, 7, "Acme")
        enqueue(RENAME, 8, "Beta", on_commit=False)
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert [r.dispatched_at for r in rows] == [None, None]
    assert all("Connection refused" in r.last_error and r.claimed_until is None for r in rows)


def test_the_flush_sends_pending_rows_once(broker, django_capture_on_commit_callbacks):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            enqueue(RENAME, n, "x")
    assert outbox_flush() == 0  # still down: nothing sent, nothing lost
    broker.down = False
    assert outbox_flush() == 3
    assert outbox_flush() == 0
    assert [args for _, args, _ in broker.sent] == [(0, "x"), (1, "x"), (2, "x")]
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()


def test_two_flushers_at_once_send_each_row_once(broker, django_capture_on_commit_callbacks):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            enqueue(RENAME, n, "x")
    broker.down = False
    second: list[int] = []
    # while the first flusher sends its first row, a second one runs: the claimed rows are not its to send
    broker.on_send = lambda: second.append(outbox_flush()) if not second else None
    assert outbox_flush() == 5
    assert second == [0] and len(broker.sent) == 5


def test_a_row_whose_sender_died_goes_out_after_its_claim_lapses(broker, settings):
    enqueue(RENAME, 7, "Acme")  # inside the test's transaction: its after-commit send never runs, as if it died
    assert outbox_flush() == 0  # its writer's claim still holds
    OutboxMessage.objects.update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert outbox_flush() == 1 and broker.names() == [RENAME]


def test_a_row_naming_an_unknown_task_does_not_hold_up_the_others(broker):
    OutboxMessage.objects.create(task="gone.task", args=[1])
    OutboxMessage.objects.create(task=RENAME, args=[1, "x"])
    assert outbox_flush() == 1
    gone = OutboxMessage.objects.get(task="gone.task")
    assert gone.dispatched_at is None and "unknown task" in gone.last_error and gone.claimed_until > timezone.now()


def test_the_next_successful_send_asks_a_worker_to_flush(broker, django_capture_on_commit_callbacks):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(RENAME, 1, "x")
    broker.down = False
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(RENAME, 2, "y")
    assert broker.names() == [RENAME, "surveys.outbox_flush"]


def test_a_send_without_a_transaction_costs_one_insert(broker, django_assert_num_queries):
    with quiet_since_last_look(), django_assert_num_queries(1):
        enqueue(RENAME, 1, "x", countdown=0.1, on_commit=False)
    row = OutboxMessage.objects.get()
    assert row.dispatched_at is not None and broker.sent == [(RENAME, (1, "x"), {})]


def test_the_submit_path_recompute_enqueue_is_one_insert(broker, mini_version, django_assert_num_queries):
    from analytics.results.services import results_enqueue

    with quiet_since_last_look(), django_assert_num_queries(1):
        assert results_enqueue(questionnaire_id=mini_version.questionnaire.pk, countdown=0.1)
    assert broker.names() == ["analytics.results_recompute"]


def test_in_process_tasks_run_on_commit_without_a_row(django_capture_on_commit_callbacks, settings):
    firm = FirmFactory(name="Before")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(RENAME, firm.pk, "After")
    assert Firm.objects.get().name == "Before"
    for callback in callbacks:
        callback()
    assert Firm.objects.get().name == "After" and not OutboxMessage.objects.exists()


def test_prune_deletes_old_dispatched_rows_and_keeps_pending_ones(settings):
    old = timezone.now() - dt.timedelta(days=settings.OUTBOX_KEEP_DAYS + 1)
    OutboxMessage.objects.create(task=RENAME, dispatched_at=old)
    OutboxMessage.objects.create(task=RENAME, dispatched_at=timezone.now())
    pending = OutboxMessage.objects.create(task=RENAME)
    OutboxMessage.objects.filter(pk=pending.pk).update(created_at=old)
    assert outbox_prune() == 1
    assert OutboxMessage.objects.count() == 2 and OutboxMessage.objects.filter(pk=pending.pk).exists()


def test_the_command_flushes_and_prunes(broker, capsys):
    OutboxMessage.objects.create(task=RENAME, args=[1, "x"])
    call_command("outbox_flush", "--prune")
    assert "sent 1, still pending 0" in capsys.readouterr().out and broker.names() == [RENAME]


def test_a_staff_export_while_the_broker_is_down_is_kept_for_later(client, broker, mini_version,
                                                                   django_capture_on_commit_callbacks):
    from tests.data.test_jobs import staff

    broker.down = True
    client.force_login(staff("add_exportjob", "view_exportjob"))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/staff/data/mini-test/exports/new/", {"format": "csv", "language": "en"})
    assert r.status_code == 302
    row = OutboxMessage.objects.get()
    assert row.task == "analytics.export_job_run" and row.dispatched_at is None
    broker.down = False
    assert outbox_flush() == 1 and broker.names() == ["analytics.export_job_run"]


@pytest.mark.parametrize("action", ["invite", "recompute"])
def test_staff_actions_while_the_broker_is_down_succeed_and_wait_in_the_outbox(
        action, client, broker, mini_version, django_user_model, django_capture_on_commit_callbacks):
    from surveys.fieldwork.invitations import wave_default

    wave = wave_default(questionnaire=mini_version.questionnaire)
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    broker.down = True
    url = (reverse("fieldwork:invite", args=[wave.pk]) if action == "invite"
           else reverse("results:recompute", args=[mini_version.questionnaire.code]))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    task = {"invite": "fieldwork.invitations_queue", "recompute": "analytics.results_recompute"}[action]
    assert OutboxMessage.objects.get(task=task).dispatched_at is None


def test_the_admin_list_is_read_only_and_the_administrators(client, django_user_model):
    roles_install()
    users = {}
    for role in (ADMINISTRATOR, FIELDWORK):
        users[role] = django_user_model.objects.create_user(role.replace(" ", "-"), password="pw")
        role_assign(user=users[role], role=role)
    OutboxMessage.objects.create(task=RENAME, args=[1, "x"], last_error="ConnectionError: refused")
    url = reverse("admin:surveys_outboxmessage_changelist")
    client.force_login(users[ADMINISTRATOR])
    page = client.get(url)
    assert page.status_code == 200 and b"ConnectionError: refused" in page.content
    assert client.get(reverse("admin:surveys_outboxmessage_add")).status_code == 403
    client.force_login(users[FIELDWORK])
    assert client.get(url).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_flushers_in_two_threads_send_every_row_exactly_once(broker):
    """Two connections at once (PostgreSQL: select_for_update skip_locked; SQLite: one writer at a time)."""
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("threads share no in-memory SQLite database")
    OutboxMessage.objects.bulk_create([OutboxMessage(task=RENAME, args=[n, "x"]) for n in range(300)])
    counts: list[int] = []

    def flush() -> None:
        try:
            counts.append(outbox_flush())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=flush) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 300 and sorted(args[0] for _, args, _ in broker.sent) == list(range(300))


@pytest.mark.django_db(transaction=True)
def test_in_process_a_task_failing_after_the_commit_does_not_fail_the_request(caplog):
    """Without a broker a task runs in the request after the commit: if it fails (its database
    connection lost, say), the change stays committed and the caller gets no exception."""
    from surveys.dispatch import tasks_run_inline

    assert tasks_run_inline()
    with mock.patch.object(Task, "delay", side_effect=RuntimeError("connection is closed")):
        with transaction.atomic():
            firm = FirmFactory()
            enqueue("fieldwork.tracking_recompute", 1)
    assert Firm.objects.filter(pk=firm.pk).exists()
    assert "connection is closed" in caplog.text
