"""The `worker` fixture: a real Celery worker behind Redis, sharing the test database."""
import re
import time

from config.celery import debug_ping
from surveys.models import Firm
from tests.factories import FirmFactory
from tests.integration.tasks import firm_rename_task


def test_ping_travels_through_redis_to_the_worker(worker):
    result = debug_ping.delay("hello-worker")
    pattern = re.compile(rf"config\.debug_ping\[{result.id}\] succeeded in [\d.e-]+s: 'hello-worker'")
    worker.wait_until(lambda: pattern.search(worker.log()))


def test_worker_writes_to_the_test_database(worker):
    firm = FirmFactory(name="Before")
    firm_rename_task.delay(firm.pk, "After")
    worker.wait_until(lambda: Firm.objects.get(pk=firm.pk).name == "After")


def test_task_sent_while_the_worker_is_dead_runs_after_restart(worker):
    worker.kill()
    assert not worker.alive
    firm = FirmFactory(name="Before")
    firm_rename_task.delay(firm.pk, "After restart")
    time.sleep(0.5)
    assert Firm.objects.get(pk=firm.pk).name == "Before"
    worker.start()
    worker.wait_until(lambda: Firm.objects.get(pk=firm.pk).name == "After restart")
