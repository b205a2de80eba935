"""Questionnaire authoring: uploaded definition drafts, and the settings staff give each wave.

A draft is a definition file as uploaded with what checking it found; it becomes a questionnaire
version only when published. Wave settings hold what used to need Python: the languages offered,
the agency's contact, and which register fields pre-fill which items.
"""
from django.conf import settings
from django.db import models


class DefinitionDraft(models.Model):
    code = models.SlugField(max_length=60, blank=True, help_text="Questionnaire code read from the file.")
    source_name = models.CharField(max_length=200)
    source_format = models.CharField(max_length=4)
    source_checksum = models.CharField(max_length=64)
    source_file = models.BinaryField()
    authored = models.JSONField(default=dict, blank=True)
    definition = models.JSONField(null=True, blank=True, help_text="The checked definition; empty on problems.")
    problems = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_version = models.ForeignKey("surveys.QuestionnaireVersion", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("author_questionnaire", "Can upload, preview and publish questionnaire definitions")]

    def __str__(self) -> str:
        return f"{self.code or '?'} ({self.source_name})"

    @property
    def is_valid(self) -> bool:
        return self.definition is not None and not self.problems


class WaveSettings(models.Model):
    wave = models.OneToOneField("surveys.Wave", on_delete=models.CASCADE, related_name="settings")
    languages = models.JSONField(default=list, blank=True,
                                 help_text="Languages offered in this wave (empty: every language of the version).")
    contact_name = models.CharField(max_length=200, blank=True, help_text="Who answers respondents' questions.")
    contact_email = models.EmailField(blank=True, help_text="Reply-To of invitations and reminders.")
    prefill = models.JSONField(default=dict, blank=True,
                               help_text="Item code -> register field that pre-fills it, e.g. {\"S2\": \"employees\"}.")
    # Sequential mixed mode (surveys.fieldwork.sequential): web first, then the telephone call list.
    sequential_mode = models.BooleanField(
        default=False, help_text="Web first: cases with no web response are put on the telephone call list.")
    web_days_before_phone = models.PositiveSmallIntegerField(
        default=14, help_text="Days without a web response before a case goes to the telephone call list.")
    phone_after_last_reminder = models.BooleanField(
        default=False, help_text="Count the days from the last reminder instead of from the invitation.")

    def __str__(self) -> str:
        return f"settings {self.wave}"
