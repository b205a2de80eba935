"""Export jobs: one file written in the background, downloadable by staff until it expires."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    questionnaire = models.ForeignKey("surveys.Questionnaire", on_delete=models.CASCADE, related_name="export_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="export_jobs")
    format = models.CharField(max_length=20)
    options = models.JSONField(default=dict, help_text="analytics.data.export.ExportOptions as JSON")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="percent")
    rows = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="exports/", blank=True, max_length=300)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True, help_text="in the download link")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True,
                                        help_text="Last sign of life of the worker running the job.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs started (a lost worker's job starts again).")
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("export_identifiers", "Can export firm names, tax ids and contact details"),
            ("import_responses", "Can import responses from files"),
            ("access_all_exports", "Can list and download the exports of every user"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} {self.format} ({self.status})"

    def is_downloadable(self, now) -> bool:
        fresh = self.expires_at is None or now < self.expires_at
        return self.status == self.Status.DONE and bool(self.file) and fresh
