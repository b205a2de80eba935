from django.core.management.base import BaseCommand, CommandError

from surveys.answering.readmodel import readmodel_ensure
from surveys.models import Questionnaire
from surveys.questionnaire.definitions import DefinitionError, instruments_load


class Command(BaseCommand):
    help = "Load the reference lists and instrument definition files (idempotent; safe on every start)."

    def handle(self, *args, **options):
        try:
            results = instruments_load()
        except DefinitionError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        for code, number, what in results:
            readmodel_ensure(Questionnaire.objects.get(code=code))
            self.stdout.write(f"{code}: version {number} {what}")
