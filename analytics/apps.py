from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Results and exports"

    def ready(self) -> None:
        # A worker that starts re-runs the results recomputes a killed worker left unfinished (issue 5).
        from celery.signals import worker_ready

        from analytics.data import tasks  # noqa: F401  registered by name for surveys.dispatch
        from analytics.editing import tasks as editing_tasks  # noqa: F401  the same
        from analytics.results.tasks import results_resume_on_worker_ready

        worker_ready.connect(results_resume_on_worker_ready, weak=False, dispatch_uid="analytics-resume")
