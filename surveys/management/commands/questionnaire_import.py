from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.authoring.definitions import version_import
from surveys.questionnaire.definitions import DefinitionError


class Command(BaseCommand):
    help = ("Check a questionnaire definition (XLSX workbook or YAML) and store it as a version; every problem "
            "is reported by sheet, row and column (or item code) and nothing is stored when there is one.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--code", help="questionnaire code (overrides the file's form_id / code)")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            version, what = version_import(content=path.read_bytes(), name=path.name, code=options["code"])
        except DefinitionError as exc:
            raise CommandError(f"{path.name}: {len(exc.errors)} problem(s), nothing stored\n"
                               + "\n".join(exc.errors)) from exc
        self.stdout.write(f"{version.questionnaire.code}: version {version.number} {what}")
