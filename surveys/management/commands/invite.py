from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Firm, Questionnaire


class Command(BaseCommand):
    help = "Create (or reuse) a firm's personal invitation for a survey and print its URL."

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True, help="questionnaire code")
        parser.add_argument("--firm", required=True, help="firm id or identifier (tax/VAT number)")
        parser.add_argument("--wave", help="wave code (default: the survey's current wave)")
        parser.add_argument("--language", help="questionnaire language for this firm")

    def handle(self, *args, survey, firm, wave=None, language=None, **options):
        questionnaire = Questionnaire.objects.filter(code=survey).first()
        if questionnaire is None or questionnaire.latest_version() is None:
            raise CommandError(f"unknown survey {survey!r}; run load_instruments first")
        found = Firm.objects.filter(identifier=firm).first() or (
            Firm.objects.filter(pk=int(firm)).first() if firm.isdigit() else None)
        if found is None:
            raise CommandError(f"unknown firm {firm!r}")
        chosen = questionnaire.waves.filter(code=wave).first() if wave else wave_default(questionnaire=questionnaire)
        if chosen is None:
            raise CommandError(f"unknown wave {wave!r}")
        invitation, token, created = invitation_issue(wave=chosen, firm=found, language=language)
        url = settings.SITE_URL.rstrip("/") + reverse("surveys:welcome", kwargs={"token": token})
        self.stdout.write(f"{'created' if created else 'existing'} invitation {invitation.pk}: {url}")
