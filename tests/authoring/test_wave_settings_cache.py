"""Respondent pages read a wave's languages and pre-fills from a per-process memo; a settings save drops it."""
import pytest

from surveys.authoring.services import wave_settings_update
from surveys.authoring.waves import response_languages, wave_page_settings
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Response
from surveys.questionnaire.spec import spec_for_version
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db


def _settings(wave, languages, prefill=None):
    wave_settings_update(wave=wave, languages=languages, contact_name="", contact_email="", prefill=prefill or {},
                         reminder_days=[], reminders_enabled=False)


def test_a_page_reads_the_settings_from_the_cache_and_a_save_takes_effect_at_once(
        mini_version, django_assert_num_queries):
    wave = wave_default(questionnaire=mini_version.questionnaire)
    invitation, _, _ = invitation_issue(wave=wave, firm=FirmFactory())
    spec = spec_for_version(mini_version)

    def page_languages():  # what a new request sees
        return response_languages(Response.objects.select_related("invitation").get(invitation=invitation), spec)

    assert page_languages() == ["en", "it"]
    response = Response.objects.select_related("invitation").get(invitation=invitation)
    with django_assert_num_queries(0):  # the second page reads the memo, not the database
        assert response_languages(response, spec) == ["en", "it"]
        assert wave_page_settings(wave.pk)["prefill"] == {}

    _settings(wave, ["it"])
    assert page_languages() == ["it"]
    _settings(wave, ["en", "it"], prefill={"Q2": "employees"})
    assert page_languages() == ["en", "it"]
    assert wave_page_settings(wave.pk)["prefill"] == {"Q2": "employees"}

    wave.settings.delete()
    assert wave_page_settings(wave.pk)["prefill"] == {}


def test_a_change_made_by_another_process_is_seen_within_the_memo_time(mini_version, monkeypatch):
    from surveys.authoring import waves
    from surveys.models import WaveSettings

    wave = wave_default(questionnaire=mini_version.questionnaire)
    _settings(wave, ["en", "it"])
    assert wave_page_settings(wave.pk)["languages"] == ["en", "it"]
    WaveSettings.objects.filter(wave=wave).update(languages=["it"])  # no signal here: as if saved elsewhere
    assert wave_page_settings(wave.pk)["languages"] == ["en", "it"]
    from surveys import memo

    later = memo.time.monotonic() + waves.SETTINGS_MEMO_SECONDS + 1
    monkeypatch.setattr(memo.time, "monotonic", lambda: later)
    assert wave_page_settings(wave.pk)["languages"] == ["it"]
