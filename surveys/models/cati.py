"""Telephone fieldwork (CATI): outcome codes, cases in the call list, call attempts.

A CATI case is an Invitation (the firm's one case in a wave) put on the telephone list: the same
Response is answered on the web or by an interviewer. The case row keeps the state the call list
sorts on (attempts, next call, appointment) and the lock of the interviewer working on it, so the
list is one indexed query and a lock is one compare-and-set UPDATE.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext


class OutcomeCode(models.Model):
    """What a call ended with, as established CATI systems (queXS, Blaise) tabulate it."""

    code = models.SlugField(max_length=20, unique=True)
    label = models.CharField(max_length=120)
    aapor_code = models.CharField(
        max_length=8, help_text="AAPOR Standard Definitions disposition, e.g. 1.1 complete, 2.11 refusal, "
                                "3.13 no answer, 4.10 out of sample.")
    callback_minutes = models.PositiveIntegerField(
        default=0, help_text="Default delay before the case is called again (0 = at once).")
    retry = models.BooleanField(default=True, help_text="Keep the case in the call list after this outcome.")
    contacted = models.BooleanField(default=False, help_text="Someone at the firm was reached (contact rate).")
    needs_appointment = models.BooleanField(default=False, help_text="The interviewer must give a date and time.")
    offered = models.BooleanField(default=True, help_text="Offered to interviewers; 'complete' is set on submission.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.shown_label} (AAPOR {self.aapor_code})"

    @property
    def shown_label(self) -> str:
        """The label in the active language: the shipped labels are in the catalogues (surveys.cati.calls);
        a label staff wrote themselves is shown as written."""
        return gettext(self.label) if self.label else ""

    @property
    def is_complete(self) -> bool:
        return self.aapor_code == "1.1"


class CatiCase(models.Model):
    """An invitation on the telephone list: who calls it, when, how often, and who works on it now."""

    class Origin(models.TextChoices):
        STAFF = "staff", "put on the list by staff"
        SEQUENTIAL = "sequential", "moved from the web by the wave's sequential mode"

    invitation = models.OneToOneField("surveys.Invitation", on_delete=models.CASCADE, related_name="cati")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="cati_cases", help_text="The interviewer the case is assigned to.")
    assigned_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_outcome = models.ForeignKey(OutcomeCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    last_called_at = models.DateTimeField(null=True, blank=True)
    next_call_at = models.DateTimeField(null=True, blank=True, help_text="Empty: call as soon as possible.")
    appointment_at = models.DateTimeField(null=True, blank=True, help_text="Agreed date and time of the next call.")
    closed = models.BooleanField(default=False, help_text="No more calls (final outcome or too many attempts).")
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    locked_until = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True, help_text="When the current lock was taken (the call "
                                                                      "began): a call's duration is measured from it.")
    created_at = models.DateTimeField(auto_now_add=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.STAFF,
                              help_text="Who put the case on the list: staff, or the wave's sequential mode.")

    class Meta:
        ordering = ["pk"]
        verbose_name = "telephone case"
        indexes = [models.Index(fields=["interviewer", "closed", "next_call_at"], name="cati_call_list")]
        permissions = [
            ("conduct_cati", "Can call and interview the telephone cases assigned to them"),
            ("supervise_cati", "Can see, assign and unlock every telephone case"),
        ]

    def __str__(self) -> str:
        return f"telephone case {self.pk} ({self.invitation})"

    def is_locked_for(self, user, now) -> bool:
        """True when someone other than `user` holds an unexpired lock."""
        held = self.locked_by_id and self.locked_until and self.locked_until > now
        return bool(held and self.locked_by_id != user.pk)

    @property
    def disposition(self) -> str:
        """The AAPOR code of the last call (empty before the first call)."""
        return self.last_outcome.aapor_code if self.last_outcome_id else ""


class CallAttempt(models.Model):
    """One call to a case and how it ended."""

    case = models.ForeignKey(CatiCase, on_delete=models.CASCADE, related_name="calls")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cati_calls")
    outcome = models.ForeignKey(OutcomeCode, on_delete=models.PROTECT, related_name="calls")
    called_at = models.DateTimeField(default=timezone.now, db_index=True)
    number = models.CharField(max_length=40, blank=True, help_text="The number dialled.")
    appointment_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    duration_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="From taking the case to logging the call (capped at CATI_CALL_CAP_MINUTES); "
                                         "empty when the case was not locked for the call.")

    class Meta:
        ordering = ["case", "called_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.outcome.code} at {self.called_at:%Y-%m-%d %H:%M}"
