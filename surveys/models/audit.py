"""The audit trail of staff actions, and the permissions that guard data rather than a model.

Firms and invitations keep a full history (django-simple-history: who, when, old and new row).
Answers are different: respondents save pages thousands of times a day, so the history of the
Response JSON is not copied on every save; only saves by a signed-in user (an interviewer) write an
AnswerEdit holding just the keys that changed.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history import register

from .fieldwork import Firm, Invitation

register(Firm, app="surveys", excluded_fields=["updated_at"])
# The token salt and hash stay out of the history: copies of secrets help nobody.
register(Invitation, app="surveys", excluded_fields=["token_salt", "token_hash"])


class AnswerEdit(models.Model):
    """Answers saved or submitted by staff on a firm's behalf: who, when, which page, old and new values."""

    class Action(models.TextChoices):
        SAVE = "save", "saved a page"
        SUBMIT = "submit", "submitted"

    response = models.ForeignKey("surveys.Response", on_delete=models.PROTECT, related_name="staff_edits")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="answer_edits")
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.SAVE)
    mode = models.CharField(max_length=10, blank=True)
    module_code = models.CharField(max_length=20, blank=True)
    revision = models.PositiveIntegerField(help_text="The response's revision after this action.")
    changes = models.JSONField(default=dict, blank=True, help_text="{answer key: [old value, new value]}")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "answer edit by staff"

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.module_code} of response {self.response_id}"


class CaseEvent(models.Model):
    """Things a firm did to its own case through its link (register data, passing the link on)."""

    class Kind(models.TextChoices):
        REGISTER_CONFIRMED = "register_confirmed", _("register data confirmed")
        REGISTER_CORRECTED = "register_corrected", _("register data corrected")
        CONTACT_PASSED = "contact_passed", _("link passed to a colleague")

    invitation = models.ForeignKey("surveys.Invitation", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", help_text="Empty: the respondent, through the personal link.")
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [old value, new value]}")
    values = models.JSONField(default=dict, blank=True, help_text="The values as the firm gave them.")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.invitation})"


class DataAccess(models.Model):
    """No table: it only holds the permissions that guard kinds of data (see docs/roles.md)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_firm_contacts", "Can see firms' contact person, email and phone"),
            ("view_pseudonymised_data", "Can read response-level data keyed by firm pseudonym"),
            ("view_aggregates", "Can see aggregate results, tracking counts and response rates"),
        ]
