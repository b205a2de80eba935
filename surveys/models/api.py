"""Personal API tokens: a key shown once, stored as its SHA-256, revocable, with an expiry.

The key carries 256 random bits, so a plain SHA-256 is enough to make a copy of the database
useless for calling the API (a slow password hash would only slow every request).
"""
from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'nightly sync'.")
    prefix = models.CharField(max_length=8, editable=False, help_text="The key's first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.user})"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and now < self.expires_at
