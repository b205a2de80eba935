"""The population side of fieldwork: register imports, samples, their strata and selected firms.

A sample keeps a snapshot of the population it was drawn from (N_h per stratum) next to the
allocation (n_h), so design weights N_h / m_h can be computed after fieldwork even when the
firm register has changed since.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PopulationImport(models.Model):
    """One upload of a register extract: the file, the mapping chosen and the outcome."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKED = "checked", _("checked, has errors")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    file = models.FileField(upload_to="imports/")
    original_name = models.CharField(max_length=200)
    options = models.JSONField(default=dict, blank=True, help_text="Encoding, decimal mark, source, multiplier.")
    mapping = models.JSONField(default=dict, blank=True, help_text="File column -> firm field.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("import_firms", "Can import firms from a register file")]

    def __str__(self) -> str:
        return f"import {self.pk} {self.original_name} ({self.status})"


class Sample(models.Model):
    """A stratified random selection of firms for one wave, reproducible from its seed."""

    class Allocation(models.TextChoices):
        PROPORTIONAL = "proportional", _("proportional to N_h")
        NEYMAN = "neyman", _("Neyman (N_h x S_h)")
        FIXED = "fixed", _("fixed per stratum")
        CENSUS = "census", _("take all (census)")

    wave = models.ForeignKey("surveys.Wave", on_delete=models.PROTECT, related_name="samples")
    name = models.CharField(max_length=100)
    filters = models.JSONField(default=dict, blank=True, help_text='e.g. {"turnover__gt": 1000000}')
    strata_fields = models.JSONField(default=list, blank=True, help_text='e.g. ["district"] or '
                                     '["nace2", "size_class"]')
    allocation = models.CharField(max_length=12, choices=Allocation.choices, default=Allocation.PROPORTIONAL)
    size = models.PositiveIntegerField(null=True, blank=True, help_text="Total sample size n asked.")
    fixed = models.JSONField(default=dict, blank=True, help_text="Stratum key -> n_h (fixed allocation).")
    neyman_variable = models.CharField(max_length=40, blank=True, help_text="e.g. turnover or employees")
    take_all = models.JSONField(default=dict, blank=True, help_text='Firms taken with certainty, e.g. '
                                '{"employees__gte": 250}')
    min_per_stratum = models.PositiveIntegerField(default=0)
    seed = models.BigIntegerField()
    population_size = models.PositiveIntegerField(default=0, help_text="N after the filters.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-drawn_at"]
        constraints = [models.UniqueConstraint(fields=["wave", "name"], name="uniq_sample_name_per_wave")]
        permissions = [("draw_sample", "Can draw a sample")]

    def __str__(self) -> str:
        return f"{self.wave} {self.name}"


class Stratum(models.Model):
    """The population snapshot of one stratum: N_h at drawing time and the n_h allocated."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="strata")
    key = models.CharField(max_length=250, help_text="e.g. district=TV_FURN|industry_code=31")
    values = models.JSONField(default=dict)
    take_all = models.BooleanField(default=False)
    population = models.PositiveIntegerField(help_text="N_h: firms of the filtered population in the stratum.")
    allocated = models.PositiveIntegerField(help_text="n_h: firms selected.")
    spread = models.FloatField(null=True, blank=True, help_text="S_h of the Neyman variable.")

    class Meta:
        ordering = ["sample", "key"]
        constraints = [models.UniqueConstraint(fields=["sample", "key"], name="uniq_stratum_key")]

    def __str__(self) -> str:
        return f"{self.key}: {self.allocated}/{self.population}"


class Selection(models.Model):
    """A firm drawn into a sample; `invitation` is its case once invitations are issued."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="selections")
    stratum = models.ForeignKey(Stratum, on_delete=models.CASCADE, related_name="selections")
    firm = models.ForeignKey("surveys.Firm", on_delete=models.PROTECT, related_name="selections")
    invitation = models.ForeignKey("surveys.Invitation", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="selections")

    class Meta:
        ordering = ["sample", "stratum", "firm"]
        constraints = [models.UniqueConstraint(fields=["sample", "firm"], name="uniq_selection_per_sample")]

    def __str__(self) -> str:
        return f"{self.sample} {self.firm_id}"
