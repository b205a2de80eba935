"""The outbox: background work recorded in the transaction of the change that asked for it.

A row is written by `surveys.dispatch.enqueue` and handed to the Celery broker after the commit;
while the broker is away the row stays pending and a flush sends it later (surveys/outbox.py).
"""
from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    task = models.CharField(max_length=200, help_text="The Celery task's pinned name.")
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    eta = models.DateTimeField(null=True, blank=True, help_text="Not to run before (the caller's countdown).")
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="Accepted by the broker.")
    claimed_until = models.DateTimeField(null=True, blank=True,
                                         help_text="A sender holds the row until then (a dead sender's claim lapses).")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = "outbox message"
        # the flush reads only pending rows: a small partial index however many dispatched rows are kept
        indexes = [models.Index(fields=["id"], name="outbox_pending", condition=Q(dispatched_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
