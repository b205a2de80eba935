import json

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Questionnaire
from surveys.questionnaire.codebook import codebook_csv, codebook_for
from surveys.questionnaire.ddi import DdiError, codebook_ddi


class Command(BaseCommand):
    help = "Print the codebook of a questionnaire: every item with code, module, type, wording, choices, " \
           "validation, relevance, and the derived variables."

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True)
        parser.add_argument("--format", choices=["json", "csv", "ddi"], default="json",
                            help="ddi: DDI-Codebook 2.5 XML of one version")
        parser.add_argument("--questionnaire-version", type=int, dest="number",
                            help="DDI: the version number (default: the latest)")

    def handle(self, *args, survey, format, number=None, **options):
        questionnaire = Questionnaire.objects.filter(code=survey).first()
        if questionnaire is None:
            raise CommandError(f"unknown survey {survey!r}; run load_instruments first")
        book = codebook_for(questionnaire)
        if format == "ddi":
            try:
                self.stdout.write(codebook_ddi(book, version=number), ending="")
            except DdiError as exc:
                raise CommandError(str(exc)) from exc
        elif format == "json":
            self.stdout.write(json.dumps(book, ensure_ascii=False, indent=2, default=str))
        else:
            self.stdout.write(codebook_csv(book), ending="")
