"""A signed-in user's own settings: for now, the language of the staff, interviewer and analyst screens."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference",
                                verbose_name=_("user"))
    language = models.CharField(
        _("interface language"), max_length=8, blank=True, choices=settings.LANGUAGES,
        help_text=_("Empty: the language the browser asks for (Accept-Language)."))

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language or '-'}"
