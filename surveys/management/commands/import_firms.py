from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.fieldwork.population import population_import


class Command(BaseCommand):
    help = ("Import or update firms from a register extract (CSV or XLSX), matched on the identifier. "
            "With errors nothing is imported, unless --accept-valid.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--mapping", nargs="+", default=None, metavar="COLUMN=FIELD",
                            help="file column -> firm field (identifier, name, turnover, ... or attributes.x, "
                                 "ignore); default: guessed from the headers")
        parser.add_argument("--accept-valid", action="store_true", help="import the valid rows despite errors")
        parser.add_argument("--encoding", default="auto", help="auto (UTF-8 with or without BOM, else Latin-1), "
                                                               "utf-8, latin-1, ...")
        parser.add_argument("--decimal", default="auto", choices=["auto", ",", "."])
        parser.add_argument("--turnover-multiplier", default="1", help="e.g. 1000 for thousands of EUR")
        parser.add_argument("--source", default="", help="stored in each firm's attributes as `source`")
        parser.add_argument("--country", default="", help="country (ISO code) of firms the file gives none, "
                                                          "directly or through their province or region")
        parser.add_argument("--language", default="", choices=["", "en", "it", "es"],
                            help="language of firms whose file row and country give none")

    def handle(self, *args, file, mapping, accept_valid, encoding, decimal, turnover_multiplier, source, country="",
               language="", **opts):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"no such file: {file}")
        pairs = dict(m.rsplit("=", 1) for m in mapping) if mapping else None
        report = population_import(path=path, mapping=pairs, accept_valid=accept_valid, encoding=encoding,
                                   decimal=decimal, turnover_multiplier=turnover_multiplier, source=source,
                                   default_language=language, default_country=country)
        for line in report.lines():
            self.stderr.write(line)
        if not report.applied:
            raise CommandError(f"nothing imported: {len(report.file_errors)} file errors, {len(report.errors)} "
                               f"row errors in {report.rows} rows (use --accept-valid to import the "
                               f"{report.valid} valid rows)")
        self.stdout.write(f"{report.rows} rows read ({report.encoding}): {report.created} created, "
                          f"{report.updated} updated, {len(report.errors)} rows skipped")
