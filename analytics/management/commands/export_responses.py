import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from analytics.data.export.jobs import export_write
from analytics.data.export.options import FORMATS, MODES, STATUSES, ExportOptions
from surveys.models import Questionnaire


def _list(text: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (text or "").split(",") if x.strip())


def _moment(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)")


class Command(BaseCommand):
    help = ("Export a questionnaire's responses (one row per response, one column per variable) as "
            "CSV, XLSX, SPSS .sav, Stata .dta, Parquet or a Frictionless data package (.zip: CSV + "
            "datapackage.json). Pseudonymised unless --identifiers.")
    # The system checks load every URL and view (PDF, API schema libraries): seconds an export does
    # not need; `manage.py check` and every server start still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True, help="questionnaire code")
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument("-o", "--output", required=True, help="file to write")
        parser.add_argument("--wave", help="wave code(s), comma separated (default: every wave)")
        parser.add_argument("--status", "--disposition", dest="status", default="submitted",
                            help=f"final disposition(s), comma separated, of {', '.join(STATUSES)}; 'all' for "
                                 "every case (default: submitted)")
        parser.add_argument("--mode", help=f"mode(s), comma separated, of {', '.join(MODES)}")
        parser.add_argument("--since", help="submitted (or started) on or after this date, UTC")
        parser.add_argument("--until", help="submitted (or started) before this date, UTC")
        parser.add_argument("--labels", action="store_true", help="value labels instead of codes (CSV/XLSX/Parquet)")
        parser.add_argument("--language", default="en", help="language of labels (default en)")
        clean = parser.add_mutually_exclusive_group()
        clean.add_argument("--clean", dest="clean", action="store_true", default=True,
                           help="items off the skip path are -7, not applicable (default)")
        clean.add_argument("--raw", dest="clean", action="store_false", help="items off the skip path are empty")
        parser.add_argument("--identifiers", action="store_true",
                            help="add firm tax id, name and contacts (command-line users have database access)")
        parser.add_argument("--no-free-text", action="store_true", help="leave out text answers")
        parser.add_argument("--values", choices=["edited", "raw"], default="edited",
                            help="edited: the editors' corrections applied (default, as published); raw: the answers "
                                 "exactly as the firms gave them")

    def handle(self, *args, **o):
        questionnaire = Questionnaire.objects.filter(code=o["survey"]).first()
        if questionnaire is None:
            raise CommandError(f"unknown survey {o['survey']!r}")
        statuses = () if o["status"] == "all" else _list(o["status"])
        try:
            options = ExportOptions(
                format=o["format"], waves=_list(o["wave"]), statuses=statuses, modes=_list(o["mode"]),
                since=_moment(o["since"]), until=_moment(o["until"]), labels=o["labels"], language=o["language"],
                clean=o["clean"], include_identifiers=o["identifiers"], free_text=not o["no_free_text"],
                values=o["values"])
            rows = export_write(questionnaire=questionnaire, options=options, path=o["output"])
        except ValueError as exc:
            raise CommandError(str(exc))
        except OSError as exc:  # an output path that cannot be written
            raise CommandError(f"cannot write {o['output']}: {exc.strerror or exc}")
        self.stdout.write(f"{rows} responses written to {o['output']}")
