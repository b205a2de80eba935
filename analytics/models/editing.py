"""Data editing: rule results per response, the editors' queue, and edited values kept apart from raw answers.

Raw answers (surveys.Response.answers and the read model `rm_<code>`) are never overwritten: an
editor's change is a `ValueEdit` row, append-only, that is the audit trail as well (who, when, old,
new, reason). The current edited value of an answer is the latest ValueEdit of that key.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleResult(models.Model):
    """The outcome of one edit rule (declared in the definition) on one submitted response."""

    response = models.ForeignKey("surveys.Response", on_delete=models.CASCADE, related_name="rule_results")
    questionnaire = models.ForeignKey("surveys.Questionnaire", on_delete=models.CASCADE, related_name="+")
    rule_id = models.CharField(max_length=80)
    severity = models.CharField(max_length=4, help_text="hard or soft")
    passed = models.BooleanField()
    evaluated_at = models.DateTimeField()
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", help_text="The editor who accepted the values as they are.")
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["response_id", "rule_id"]
        constraints = [models.UniqueConstraint(fields=["response", "rule_id"], name="uniq_rule_result")]
        indexes = [models.Index(fields=["questionnaire", "rule_id", "passed"], name="rule_result_counts")]

    def __str__(self) -> str:
        return f"{self.rule_id} on response {self.response_id}: {'passed' if self.passed else 'failed'}"

    @property
    def open(self) -> bool:
        return not self.passed and self.accepted_at is None


class EditCase(models.Model):
    """A flagged response in the editors' queue, with its selective-editing score (docs/editing.md)."""

    response = models.OneToOneField("surveys.Response", on_delete=models.CASCADE, related_name="edit_case")
    questionnaire = models.ForeignKey("surveys.Questionnaire", on_delete=models.CASCADE, related_name="+")
    open_rules = models.PositiveSmallIntegerField(default=0, help_text="Failed rules neither fixed nor accepted.")
    suspicion = models.FloatField(default=0)
    weight = models.FloatField(default=1)
    impact = models.FloatField(default=0, help_text="Share of the published totals of the key items.")
    score = models.FloatField(default=0, db_index=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "response_id"]
        permissions = [("edit_responses", "Can edit responses (editing queue: change values, accept flags)")]

    def __str__(self) -> str:
        return f"response {self.response_id}: score {self.score:.3g}"

    @property
    def share(self) -> float:
        """Percentage of the published totals of the key items that rides on this response (w x I)."""
        return 100 * self.weight * self.impact


class ValueEdit(models.Model):
    """One editor's action on a response: a changed value (with its reason) or accepted flags."""

    class Action(models.TextChoices):
        EDIT = "edit", "changed a value"
        ACCEPT = "accept", "accepted the flagged values"

    class Reason(models.TextChoices):
        TYPING = "typing", _("typing or keying error")
        UNIT = "unit", _("unit error (e.g. euros for thousand euros)")
        CONFIRMED = "confirmed", _("confirmed with the respondent")
        REGISTER = "register", _("taken from the register")
        CONSISTENCY = "consistency", _("made consistent with other answers")
        IMPUTED = "imputed", _("imputed")
        VERIFIED = "verified", _("verified as correct")

    response = models.ForeignKey("surveys.Response", on_delete=models.PROTECT, related_name="value_edits")
    questionnaire = models.ForeignKey("surveys.Questionnaire", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.EDIT)
    key = models.CharField(max_length=80, blank=True, help_text="The answer key changed (empty for an acceptance).")
    old_value = models.JSONField(null=True, blank=True, help_text="The value before this edit (raw or edited).")
    new_value = models.JSONField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True)
    rules = models.JSONField(default=list, blank=True, help_text="The rules accepted, or failing when edited.")
    impact = models.JSONField(default=dict, blank=True, help_text="What the edit changes in the published estimates.")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="value_edits")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["questionnaire", "-at"], name="value_edit_audit")]

    def __str__(self) -> str:
        return f"{self.editor} {self.get_action_display()} {self.key} of response {self.response_id}"
