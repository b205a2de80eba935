"""Quotas of a wave: how many completed questionnaires each answer combination (cell) may have.

A quota names the variables that define its cells (items with codes, or derived variables such as
a size class); each cell gives one value per variable and a target. A response joins the cells its
answers fall in as soon as the quota variables are answered (surveys.fieldwork.quotas).
"""
from django.db import models

from surveys.questionnaire.texts import pick


class Quota(models.Model):
    wave = models.ForeignKey("surveys.Wave", on_delete=models.CASCADE, related_name="quotas")
    name = models.CharField(max_length=100)
    variables = models.JSONField(help_text='Item codes or derived variables, e.g. ["$SIZE", "A1"].')
    active = models.BooleanField(default=True, help_text="Inactive quotas are shown but close no case.")

    class Meta:
        ordering = ["wave", "name"]
        constraints = [models.UniqueConstraint(fields=["wave", "name"], name="uniq_quota_name_per_wave")]

    def __str__(self) -> str:
        return f"{self.wave} {self.name}"


class QuotaCell(models.Model):
    quota = models.ForeignKey(Quota, on_delete=models.CASCADE, related_name="cells")
    values = models.JSONField(help_text='One answer code per quota variable, e.g. {"$SIZE": "SMALL", "A1": "2"}.')
    label = models.JSONField(default=dict, blank=True, help_text='Per language, e.g. {"en": "Small, manufacturing"}.')
    target = models.PositiveIntegerField(help_text="Completed questionnaires wanted in this cell.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["quota", "position", "pk"]

    def __str__(self) -> str:
        return pick(self.label) or ", ".join(f"{k}={v}" for k, v in sorted(self.values.items()))
