import secrets

from django.db import models


def new_pseudonym() -> str:
    """64 random bits: a million firms collide with odds of about 1 in 36 million (imports retry anyway)."""
    return "F" + secrets.token_hex(8).upper()


class Firm(models.Model):
    """A respondent organisation of the population (business register extract)."""

    identifier = models.CharField(max_length=40, unique=True, help_text="Tax / VAT number or register id.")
    pseudonym = models.CharField(max_length=20, unique=True, default=new_pseudonym, editable=False)
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=5, default="en")
    country = models.CharField(max_length=2, blank=True)
    region = models.CharField(max_length=40, blank=True)
    district = models.CharField(max_length=40, blank=True)
    industry_code = models.CharField(max_length=20, blank=True, help_text="NACE / Ateco code")
    employees = models.PositiveIntegerField(null=True, blank=True)
    turnover = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True, help_text="EUR")
    market = models.CharField(max_length=3, blank=True, help_text="B2B or B2C")
    cluster = models.CharField(max_length=40, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})"


class Wave(models.Model):
    """One fielding of a questionnaire version, with open and close dates."""

    questionnaire = models.ForeignKey("surveys.Questionnaire", on_delete=models.PROTECT, related_name="waves")
    version = models.ForeignKey("surveys.QuestionnaireVersion", on_delete=models.PROTECT, related_name="waves")
    code = models.SlugField(max_length=40)
    title = models.CharField(max_length=200, blank=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    # What the welcome page tells respondents, per language: {"who": {"en": ..., "it": ...}, "why": ...,
    # "use": ..., "contact": ...}; a new default wave starts from the instrument's `welcome` block.
    welcome = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["questionnaire", "code"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="uniq_wave_code")]

    def __str__(self) -> str:
        return f"{self.questionnaire.code}/{self.code}"

    def is_open(self, now) -> bool:
        return (self.opens_at is None or self.opens_at <= now) and (self.closes_at is None or now < self.closes_at)


class Invitation(models.Model):
    """The case of one firm in one wave: its personal link and its fieldwork history.

    Only a hash of the token is stored; the token itself is derived from a random salt and
    the server's secret key, so a database dump alone reveals no working link.
    """

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="invitations")
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="invitations")
    token_salt = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(max_length=5, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["wave", "firm"]
        constraints = [models.UniqueConstraint(fields=["wave", "firm"], name="uniq_invitation_per_wave")]

    def __str__(self) -> str:
        return f"{self.wave} {self.firm.identifier}"
