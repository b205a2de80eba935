from django.core.management.base import BaseCommand, CommandError

from analytics.data.imports import responses_import_path
from surveys.models import Questionnaire


class Command(BaseCommand):
    help = ("Import responses from a CSV or XLSX file in the export layout. Every row is validated like the "
            "web form; nothing is imported if any row is invalid (unless --valid-only). Re-importing a file "
            "changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True, help="questionnaire code")
        parser.add_argument("file")
        parser.add_argument("--valid-only", action="store_true", help="import the valid rows, report the others")
        parser.add_argument("--wave", help="wave code for rows without a 'wave' column (default: current wave)")
        parser.add_argument("--max-problems", type=int, default=200, help="problems to print (default 200)")

    def handle(self, *args, survey, file, valid_only, wave, max_problems, **options):
        questionnaire = Questionnaire.objects.filter(code=survey).first()
        if questionnaire is None:
            raise CommandError(f"unknown survey {survey!r}")
        try:
            report = responses_import_path(questionnaire=questionnaire, path=file, valid_only=valid_only,
                                           wave_code=wave)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}")
        for problem in report.problems[:max_problems]:
            self.stdout.write(str(problem))
        if len(report.problems) > max_problems:
            self.stdout.write(f"... and {len(report.problems) - max_problems} more problems")
        if report.imported:
            self.stdout.write(report.summary())
        else:
            raise CommandError(report.summary())
