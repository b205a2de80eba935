from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analytics.data.export.paradata import FORMATS, paradata_write
from surveys.models import Questionnaire


class Command(BaseCommand):
    help = ("Export a questionnaire's paradata as three files in a directory: <code>-paradata-pages "
            "(one row per response and page), -calls (one row per telephone call attempt) and -burden "
            "(minutes per firm by wave, size class and mode), in CSV or Parquet. No personal data.")

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True, help="questionnaire code")
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument("-o", "--output", default=".", help="directory to write the files into (default: .)")
        parser.add_argument("--wave", help="wave code(s), comma separated (default: every wave)")

    def handle(self, *args, **o):
        questionnaire = Questionnaire.objects.filter(code=o["survey"]).first()
        if questionnaire is None:
            raise CommandError(f"unknown survey {o['survey']!r}")
        waves = tuple(w.strip() for w in (o["wave"] or "").split(",") if w.strip())
        unknown = set(waves) - set(questionnaire.waves.values_list("code", flat=True))
        if unknown:
            raise CommandError(f"unknown wave(s) of {questionnaire.code}: {', '.join(sorted(unknown))}")
        try:
            paths = paradata_write(questionnaire=questionnaire, fmt=o["format"], directory=Path(o["output"]),
                                   waves=waves)
        except OSError as exc:  # an output directory that cannot be written
            raise CommandError(f"cannot write to {o['output']}: {exc.strerror or exc}")
        for path in paths.values():
            self.stdout.write(str(path))
