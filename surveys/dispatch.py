"""The one way a service starts background work: a Celery task sent by its pinned name.

Services never import task modules; task modules import services. A task is looked up in the
Celery registry by the `name=` it is declared with, so moving a file renames nothing in a queue
or in the beat schedule. Each part's tasks module is imported when Django starts
(SurveysConfig.ready / AnalyticsConfig.ready), so the registry knows it in the web process too.

With a broker, every task goes through the outbox (surveys/outbox.py): recorded with the change
that asked for it, sent after the commit, and sent later if the broker is away, never raising to
the user. Without one (tasks run in-process), a task runs after the commit as before.
"""
from __future__ import annotations

from celery import current_app
from django.db import transaction

from surveys.outbox import outbox_enqueue


def enqueue(task_name: str, *args, countdown: float | None = None, on_commit: bool = True, **kwargs) -> None:
    """Send task `task_name` with these arguments after the surrounding transaction commits (a task
    that ran before the commit would not see the rows it was sent for); with `on_commit=False`, now.
    Arguments must be JSON values (ids, lists of ids, flags): they are stored in the outbox."""
    if not tasks_run_inline():
        outbox_enqueue(task_name=task_name, args=args, kwargs=kwargs, countdown=countdown, on_commit=on_commit)
        return

    def send() -> None:
        task = current_app.tasks[task_name]
        if countdown is None and not kwargs:
            task.delay(*args)
        else:
            task.apply_async(args, kwargs, countdown=countdown)

    if on_commit:
        # robust: the change is committed by now; a task failing in-process (its database connection
        # lost, say) is logged and must not turn the request that made the change into an error page
        transaction.on_commit(send, robust=True)
    else:
        send()


def tasks_run_inline() -> bool:
    """True where no broker is configured and tasks run in the calling process."""
    return bool(current_app.conf.task_always_eager)
