from django.db import models


class WaveTracking(models.Model):
    """Fieldwork counts, AAPOR dispositions and rates of one wave, as last recomputed.

    Overwritten by surveys.fieldwork.tracking.tracking_recompute with a compare-and-set on computed_at,
    so a late, older run never replaces a newer result.
    """

    wave = models.OneToOneField("surveys.Wave", on_delete=models.CASCADE, related_name="tracking")
    data = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [("recompute_tracking", "Can recompute fieldwork tracking")]

    def __str__(self) -> str:
        return f"tracking {self.wave} at {self.computed_at}"
