"""Tasks only the integration tests use; the test worker loads this module (`celery worker -I`)."""
import os

from celery import current_app, shared_task

# The `worker` fixture gives each worker a queue of its own; tasks sent from inside the worker
# (follow-up tasks, resume-on-ready) must go there too.
if os.environ.get("PYTEST_CELERY_QUEUE"):
    current_app.conf.task_default_queue = os.environ["PYTEST_CELERY_QUEUE"]


@shared_task(name="tests.integration.firm_rename")
def firm_rename_task(firm_id: int, name: str) -> None:
    from surveys.models import Firm

    Firm.objects.filter(pk=firm_id).update(name=name)
