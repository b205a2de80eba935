"""Fieldwork staff open a wave's tracking page in Chromium and see the daily progress chart."""
import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from surveys.fieldwork.invitations import wave_default
from surveys.fieldwork.mailing import invitations_queue, messages_send_batch
from surveys.fieldwork.sampling import sample_draw
from surveys.fieldwork.tracking import tracking_recompute
from surveys.models import Message, Response
from tests.factories import RegisterFirmFactory


@pytest.fixture
def wave_in_fieldwork(transactional_db, mini_version, settings):
    """A sample of 12 firms invited 5 days ago, 4 of them answered since (no Celery needed)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FIELDWORK_MAIL_PER_MINUTE = 0
    wave = wave_default(questionnaire=mini_version.questionnaire)
    RegisterFirmFactory.create_batch(8, district="TV_FURN")
    RegisterFirmFactory.create_batch(4, district="VI_MECH")
    sample_draw(wave=wave, name="main", strata_fields=["district"], allocation="census", seed=1)
    with mock.patch("surveys.fieldwork.tasks.messages_dispatch_task.delay"):
        invitations_queue(wave=wave)
    messages_send_batch(message_ids=list(Message.objects.values_list("pk", flat=True)))
    start = timezone.now() - dt.timedelta(days=5)
    Message.objects.update(sent_at=start)
    for n, response in enumerate(Response.objects.order_by("pk")[:4]):
        at = start + dt.timedelta(days=n + 1)
        Response.objects.filter(pk=response.pk).update(status="submitted", started_at=at, submitted_at=at)
    tracking_recompute(wave_id=wave.pk)  # what beat does every 10 minutes
    return wave


@pytest.fixture
def staff_login(django_user_model):
    user = django_user_model.objects.create_user("fieldstaff", password="Fieldwork-2016", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        codename__in=["view_wavetracking", "recompute_tracking", "send_messages", "view_wave"]))
    return user.username, "Fieldwork-2016"


def test_staff_sign_in_open_tracking_and_see_the_chart(page, live_server, wave_in_fieldwork, staff_login):
    username, password = staff_login
    page.goto(f"{live_server.url}/accounts/login/?next=/staff/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main button[type=submit], main input[type=submit]")
    expect(page.locator("#waves")).to_contain_text(str(wave_in_fieldwork.code))
    page.click("#waves a:has-text('Tracking')")

    chart = page.locator("#progress-svg")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 300
    expect(page.locator("#progress-chart polyline.series")).to_have_count(4)
    expect(page.locator("#progress-chart figcaption")).to_contain_text("Submitted (4)")
    expect(page.locator("#progress-chart figcaption")).to_contain_text("Invited (12)")
    expect(page.locator("[data-count=invited]")).to_contain_text("12")
    expect(page.locator("[data-rate=RR1]")).to_have_text("0.333")
    expect(page.locator("#computed-at")).to_contain_text("Computed at")
    expect(page.locator("#strata")).to_contain_text("TV_FURN")

    with page.expect_navigation():
        page.click("#recompute")
    expect(page.locator("[role=status]").first).to_contain_text("Recomputing")
    expect(page.locator("#progress-svg")).to_be_visible()
