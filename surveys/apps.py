from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Questionnaires and responses"

    def ready(self) -> None:
        # Register the fieldwork tasks by name in every process (surveys.dispatch sends them by name).
        from celery.signals import worker_ready

        from surveys import tasks as outbox_tasks
        from surveys.authoring import waves  # noqa: F401  (drops cached wave settings when they change)
        from surveys.fieldwork import tasks  # noqa: F401

        # A worker that starts sends what waited for the broker while it was away (surveys/outbox.py).
        worker_ready.connect(outbox_tasks.outbox_flush_on_worker_ready, weak=False, dispatch_uid="surveys-outbox")
