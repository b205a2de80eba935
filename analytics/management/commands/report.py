"""python manage.py report --survey CODE --report NAME --format csv|json|sdmx-csv [--wave W] [--district D] ..."""
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analytics.reports import report_get, report_names
from analytics.results import selectors
from analytics.results.presentation import report_csv, report_tables
from analytics.results.sdmx import dataflow_id, report_sdmx_rows, sdmx_csv
from analytics.results.services import result_set_for, results_recompute
from surveys.models import Questionnaire


class Command(BaseCommand):
    help = ("Print a stored report as CSV or JSON: the same tables, rounding and stars as the dashboard. "
            "A scope (filters, grouping) not stored yet is computed first.")

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True)
        parser.add_argument("--report", help="report name (see --list)")
        parser.add_argument("--format", choices=["csv", "json", "sdmx-csv"], default="csv",
                            help="sdmx-csv: one observation per line with OBS_STATUS and CONF_STATUS")
        parser.add_argument("--list", action="store_true", help="list the report names of the survey")
        for name in ("wave", "district", "industry", "size", "mode"):
            parser.add_argument(f"--{name}", action="append", default=[])
        parser.add_argument("--filter", action="append", default=[], metavar="VAR=VALUE",
                            help="any read-model variable, e.g. --filter A_REGION=VEN")
        parser.add_argument("--group", default="", help="grouping variable of the items-by-group report")
        parser.add_argument("--suppress", action="store_true", help="hide small cells as non-staff viewers see them")
        parser.add_argument("--fresh", action="store_true", help="recompute before printing")

    def handle(self, *args, **options):
        questionnaire = Questionnaire.objects.filter(code=options["survey"]).first()
        if questionnaire is None:
            raise CommandError(f"no questionnaire {options['survey']!r}")
        names = report_names(questionnaire.code)
        if options["list"] or not options["report"]:
            self.stdout.write("\n".join(names))
            return
        if options["report"] not in names:
            raise CommandError(f"unknown report {options['report']!r}; choose one of: {', '.join(names)}")
        result_set = self._result_set(questionnaire, options)
        payloads = self._payloads(questionnaire, result_set, options["report"])
        hide = settings.ANALYTICS_MIN_CELL if options["suppress"] else 0
        sections = [(p, report_tables(p, suppress_below=hide)) for p in payloads]
        tables = [t for _, section in sections for t in section]
        if options["format"] == "csv":
            self.stdout.write(report_csv(sections))
            return
        if options["format"] == "sdmx-csv":
            rows = [r for p in payloads for r in report_sdmx_rows(
                p, dataflow=dataflow_id(questionnaire.code, p["name"]), suppress_below=hide)]
            self.stdout.write(sdmx_csv(rows), ending="")
            return
        self.stdout.write(json.dumps({
            "survey": questionnaire.code, "scope": result_set.key, "n": result_set.n_responses,
            "computed_at": result_set.computed_at.isoformat() if result_set.computed_at else None,
            "reports": [{k: v for k, v in p.items() if k != "blocks"} for p in payloads],
            "tables": [{k: v for k, v in t.items() if k != "svg"} for t in tables], "data": payloads,
        }, ensure_ascii=False, indent=1))

    def _result_set(self, questionnaire, options):
        filters = {name: options[name] for name in ("wave", "district", "industry", "size", "mode") if options[name]}
        for text in options["filter"]:
            name, _, value = text.partition("=")
            filters.setdefault(name, []).append(value)
        try:
            result_set = result_set_for(questionnaire=questionnaire, filters=filters, group=options["group"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["fresh"] or result_set.payload is None:
            outcome = results_recompute(questionnaire_id=questionnaire.pk, force=options["fresh"], trigger="command")
            if outcome not in ("ok", "unchanged"):
                raise CommandError(f"recompute {outcome}; see the run log in the dashboard")
            result_set.refresh_from_db()
        return result_set

    def _payloads(self, questionnaire, result_set, name: str) -> list[dict]:
        report = report_get(questionnaire.code, name)
        names = list(report.includes) if report and report.includes else [name]
        return [p for p in (selectors.result_report(result_set=result_set, name=n) for n in names) if p]
