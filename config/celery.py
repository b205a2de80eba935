import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("survey_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.debug_ping")
def debug_ping(value: str) -> str:
    """Round trip through the broker: `celery -A config call config.debug_ping --args '["hi"]'`."""
    return value
