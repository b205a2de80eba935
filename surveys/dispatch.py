"""The one way a service starts background work: a Celery task sent by its pinned name.

Services never import task modules; task modules import services. A task is looked up in the
Celery registry by the `name=` it is declared with, so moving a file renames nothing in a queue
or in the beat schedule. Each part's tasks module is imported when Django starts
(SurveysConfig.ready / AnalyticsConfig.ready), so the registry knows it in the web process too.
"""
from __future__ import annotations

from celery import current_app
from django.db import transaction


def enqueue(task_name: str, *args, countdown: float | None = None, on_commit: bool = True, **kwargs) -> None:
    """Send task `task_name` with these arguments, after the surrounding transaction commits
    (a task that ran before the commit would not see the rows it was sent for); with
    `on_commit=False`, now, raising what the broker raises."""

    def send() -> None:
        task = current_app.tasks[task_name]
        if countdown is None and not kwargs:
            task.delay(*args)
        else:
            task.apply_async(args, kwargs, countdown=countdown)

    if on_commit:
        transaction.on_commit(send)
    else:
        send()


def tasks_run_inline() -> bool:
    """True where no broker is configured and tasks run in the calling process."""
    return bool(current_app.conf.task_always_eager)
