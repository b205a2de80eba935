"""Stored results: what the dashboard, the CSV/SVG downloads and `manage.py report` read.

A ResultSet is one scope of one questionnaire (all waves, one wave, or an analyst's filtered
view) holding every report of the catalogue as one JSON document. Recomputes overwrite it with a
compare-and-set on `snapshot_at`, so an older run never replaces a newer result; a failed run
leaves the payload alone and records the error next to it.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultSet(models.Model):
    ALL = "all"

    questionnaire = models.ForeignKey("surveys.Questionnaire", on_delete=models.CASCADE, related_name="result_sets")
    key = models.CharField(max_length=300, help_text="Canonical scope: 'all', 'wave=w1', 'A_DISTRICT=D1;wave=w1'…")
    filters = models.JSONField(default=dict, blank=True, help_text="{column or 'wave'/'mode': [values]}")
    group = models.CharField(max_length=80, blank=True, help_text="Grouping variable of the items-by-group report.")
    is_default = models.BooleanField(default=False, help_text="Kept by the system (all waves, each wave).")
    payload = models.JSONField(null=True, blank=True)
    n_responses = models.PositiveIntegerField(null=True, blank=True)
    fingerprint = models.CharField(max_length=200, blank=True)
    snapshot_at = models.DateTimeField(null=True, blank=True, help_text="When the run behind `payload` began reading.")
    computed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True, help_text="Last time a recompute was asked for.")
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["questionnaire", "-is_default", "key"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "key"], name="uniq_result_set_key")]
        permissions = [
            ("view_results", "Can view analysis results (dashboard, downloads)"),
            ("see_small_cells", "Can see small cells that are hidden from other non-staff viewers"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}/{self.key}"

    def has_error(self) -> bool:
        """The latest attempt failed after (or without) the stored result."""
        return bool(self.last_error) and (self.computed_at is None or self.last_error_at >= self.computed_at)


class RecomputeRun(models.Model):
    """One attempt to recompute a questionnaire's results (the run log staff see)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("Ok")
        UNCHANGED = "unchanged", _("unchanged (no new data)")
        FAILED = "failed", _("Failed")
        INTERRUPTED = "interrupted", _("interrupted (worker lost)")

    questionnaire = models.ForeignKey("surveys.Questionnaire", on_delete=models.CASCADE, related_name="result_runs")
    trigger = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    n_responses = models.PositiveIntegerField(null=True, blank=True)
    sets_written = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["questionnaire", "status"])]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} {self.started_at:%Y-%m-%d %H:%M:%S} {self.status}"


class Weighting(models.Model):
    """Design weights for a questionnaire: N_h / m_h per stratum, or a weight column of the read model.

    With neither, weights come from the samples the platform drew (analytics.results.weights),
    raked to the register margins named in `rake_by` when given.

    `population` is the sampling frame's snapshot {stratum code: N_h}; m_h is counted from the
    submitted responses of each wave at recompute time.
    """

    questionnaire = models.OneToOneField("surveys.Questionnaire", on_delete=models.CASCADE, related_name="weighting")
    stratum_column = models.CharField(max_length=80, blank=True, help_text="Read-model column holding the stratum.")
    population = models.JSONField(default=dict, blank=True, help_text="{stratum: N_h}")
    weight_column = models.CharField(max_length=80, blank=True, help_text="Or: a read-model column of weights.")
    source = models.CharField(max_length=200, blank=True, help_text="Where the snapshot comes from.")
    rake_by = models.JSONField(default=list, blank=True, help_text='Weights from the drawn samples raked to '
                               'register margins, e.g. ["size_class", "nace2"].')
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"weights for {self.questionnaire_id}"
