from django.db import models
from django.utils.translation import gettext_lazy as _


class Response(models.Model):
    """The answers of one case, keyed by item code, as one JSON document (the write model).

    `revision` is bumped by every save; a save carrying an older revision is a conflict
    (second tab, double click), reported to the respondent instead of overwriting.
    Analytics and exports read the typed wide table kept in step by surveys.answering.readmodel.
    """

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        STARTED = "started", _("Started")
        SUBMITTED = "submitted", _("Submitted")

    class Mode(models.TextChoices):
        WEB = "web", _("Web")
        CATI = "cati", _("telephone interview")
        INTERVIEW = "interview", _("face-to-face interview")
        IMPORT = "import", _("Import")

    invitation = models.OneToOneField("surveys.Invitation", on_delete=models.PROTECT, related_name="response")
    version = models.ForeignKey("surveys.QuestionnaireVersion", on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED, db_index=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.WEB)
    language = models.CharField(max_length=5, default="en")
    answers = models.JSONField(default=dict, blank=True)
    derived = models.JSONField(default=dict, blank=True)
    revision = models.PositiveIntegerField(default=0)
    current_module = models.CharField(max_length=20, blank=True)
    page_seconds = models.JSONField(default=dict, blank=True, help_text="Seconds spent per page.")
    confirmed_warnings = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Where an imported response came from.")
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The position of the response's last change in the API feed (surveys.answering.changes).
    change_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    quota_cells = models.ManyToManyField("surveys.QuotaCell", blank=True, related_name="responses",
                                         help_text="The quota cells the answers fall in.")
    screened_out_at = models.DateTimeField(null=True, blank=True,
                                           help_text="Closed because its quota cell was full (AAPOR 4.80).")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["change_seq", "id"], name="response_change_feed")]

    def __str__(self) -> str:
        return f"response {self.pk} ({self.status})"


class PageVisit(models.Model):
    """Paradata of one page of one response: when it was first served and last saved, how long it
    was worked on, how often it was saved, in which mode and on which kind of device.

    Written by one upsert per page save (surveys.answering.paradata); the raw user agent is never
    stored, only its device class.
    """

    class Device(models.TextChoices):
        DESKTOP = "desktop"
        TABLET = "tablet"
        PHONE = "phone"
        OTHER = "other"

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="page_visits")
    module_code = models.CharField(max_length=20)
    first_seen_at = models.DateTimeField(help_text="When the page was first served (its first saved visit).")
    last_saved_at = models.DateTimeField()
    active_seconds = models.FloatField(default=0, help_text="Seconds between serving and saving, summed over "
                                                            "visits, each visit capped (PARADATA_PAGE_CAP_SECONDS).")
    visits = models.PositiveIntegerField(default=1, help_text="Saves of the page; revisits = visits - 1.")
    mode = models.CharField(max_length=10, choices=Response.Mode.choices, default=Response.Mode.WEB,
                            help_text="The mode of the last save.")
    device = models.CharField(max_length=8, choices=Device.choices, default=Device.OTHER,
                              help_text="Device class of the last save, from the user agent.")

    class Meta:
        ordering = ["response", "first_seen_at", "module_code"]
        constraints = [models.UniqueConstraint(fields=["response", "module_code"], name="uniq_page_visit")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.module_code} ({self.visits} visits)"
