"""Outgoing e-mail of fieldwork: one row per case and kind, so no message goes out twice.

The unique (invitation, kind) constraint makes queueing idempotent; the conditional UPDATE in
surveys.fieldwork.mailing.message_send makes sending idempotent.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

REMINDER_LIMIT = 5


class Message(models.Model):
    class Kind(models.TextChoices):
        INVITATION = "invitation"
        REMINDER_1 = "reminder1", "reminder 1"
        REMINDER_2 = "reminder2", "reminder 2"
        REMINDER_3 = "reminder3", "reminder 3"
        REMINDER_4 = "reminder4", "reminder 4"
        REMINDER_5 = "reminder5", "reminder 5"

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        FAILED = "failed"
        BOUNCED = "bounced"
        SKIPPED = "skipped", "skipped (opted out, answered, no address)"

    invitation = models.ForeignKey("surveys.Invitation", on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    to_email = models.EmailField(blank=True, help_text="The address used, kept as sent.")
    message_id = models.CharField(max_length=200, blank=True, db_index=True, help_text="Message-ID header.")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="Last handed to a worker.")
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invitation", "kind"]
        constraints = [models.UniqueConstraint(fields=["invitation", "kind"], name="uniq_message_per_case_kind")]
        indexes = [models.Index(fields=["status", "dispatched_at"], name="message_status_dispatch")]
        permissions = [("send_messages", "Can send invitations and reminders"),
                       ("record_bounce", "Can record bounced e-mail")]

    def __str__(self) -> str:
        return f"{self.kind} {self.invitation_id} ({self.status})"

    @property
    def reminder_number(self) -> int:
        return int(self.kind.removeprefix("reminder")) if self.kind.startswith("reminder") else 0


class OptOut(models.Model):
    """The case asked for no more e-mail about this wave (an explicit refusal, AAPOR 2.111)."""

    class Via(models.TextChoices):
        LINK = "link", "opt-out link"
        ONE_CLICK = "one-click", "List-Unsubscribe one-click"
        STAFF = "staff", "recorded by staff"

    invitation = models.OneToOneField("surveys.Invitation", on_delete=models.CASCADE, related_name="opt_out")
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.LINK)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"opt-out {self.invitation_id}"


class MailingPlan(models.Model):
    """Per-wave reminder schedule; a wave without a plan uses settings.FIELDWORK_REMINDER_DAYS."""

    wave = models.OneToOneField("surveys.Wave", on_delete=models.CASCADE, related_name="mailing_plan")
    reminder_days = models.JSONField(default=list, blank=True,
                                     help_text="Days after the invitation for reminder 1, 2, ... e.g. [7, 14]")
    reminders_enabled = models.BooleanField(default=True, help_text="Celery beat sends due reminders.")

    def __str__(self) -> str:
        return f"mailing plan {self.wave}"


class MessageTemplate(models.Model):
    """A wave's own wording of one kind of e-mail in one language (subject and plain-text body with
    {placeholders}); where a wave has none, the built-in text of surveys.fieldwork.emailtexts goes out."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        REMINDER = "reminder", _("reminder")

    wave = models.ForeignKey("surveys.Wave", on_delete=models.CASCADE, related_name="message_templates")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    language = models.CharField(max_length=5)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["wave", "kind", "language"]
        constraints = [models.UniqueConstraint(fields=["wave", "kind", "language"],
                                               name="uniq_message_template_per_wave_kind_language")]

    def __str__(self) -> str:
        return f"{self.kind} {self.language} ({self.wave_id})"
