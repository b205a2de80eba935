from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.authoring.definitions import FORMATS, definition_export
from surveys.models import Questionnaire
from surveys.questionnaire.definitions import DefinitionError


class Command(BaseCommand):
    help = "Write a questionnaire's latest version as an XLSX workbook or a YAML definition file."

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True, help="questionnaire code")
        parser.add_argument("--format", choices=FORMATS, default="xlsx")
        parser.add_argument("--number", type=int, help="version number (default: the latest)")
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args, **options):
        questionnaire = Questionnaire.objects.filter(code=options["survey"]).first()
        if questionnaire is None:
            raise CommandError(f"no questionnaire {options['survey']!r}")
        version = None
        if options["number"]:
            version = questionnaire.versions.filter(number=options["number"]).first()
            if version is None:
                raise CommandError(f"{questionnaire.code} has no version {options['version']}")
        try:
            content = definition_export(questionnaire=questionnaire, fmt=options["format"], version=version)
        except DefinitionError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        options["output"].write_bytes(content)
        self.stdout.write(f"{questionnaire.code}: {options['output']} ({len(content)} bytes)")
