import pytest
from django.contrib.auth.models import Permission

from surveys.fieldwork.invitations import wave_default


@pytest.fixture
def wave(mini_version):
    return wave_default(questionnaire=mini_version.questionnaire)


@pytest.fixture
def staff(django_user_model):
    """Fieldwork staff: the permissions of docs/fieldwork.md, no superuser flag."""
    user = django_user_model.objects.create_user("fieldwork", password="pw", is_staff=True)
    codenames = ["view_wave", "draw_sample", "import_firms", "send_messages", "view_wavetracking",
                 "recompute_tracking", "view_sample"]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def fast_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FIELDWORK_MAIL_PER_MINUTE = 0
    return settings


@pytest.fixture(autouse=True)
def _celery_inline():
    """Tasks run in the test process even when REDIS_URL is set (make test-pg); the worker has its own tests."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
