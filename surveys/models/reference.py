from django.db import models

from surveys.questionnaire.texts import pick


class ReferenceList(models.Model):
    """A named list with stable codes: districts, technologies, clusters, areas, countries..."""

    code = models.CharField(max_length=40, unique=True)
    title = models.JSONField(default=dict)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ReferenceEntry(models.Model):
    reference_list = models.ForeignKey(ReferenceList, on_delete=models.CASCADE, related_name="entries")
    code = models.CharField(max_length=40)
    position = models.PositiveIntegerField()
    label = models.JSONField(default=dict)
    definition = models.JSONField(default=dict, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["reference_list", "position"]
        constraints = [
            models.UniqueConstraint(fields=["reference_list", "code"], name="uniq_reference_entry_code")
        ]
        verbose_name_plural = "reference entries"

    def __str__(self) -> str:
        return f"{self.code} {pick(self.label)}"
