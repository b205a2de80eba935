"""Benchmark: import 100,000 firms from a register extract, update them all, draw stratified samples.

Run: python bench/fieldwork.py [--rows 100000] [--xlsx]   (uses DATABASE_URL if set, else SQLite)

The file is an AIDA-like CSV as Italian Excel writes it (UTF-8 with BOM, ';' separator, '1.234.567,89'
numbers, an unmapped column kept as an attribute). Timed: `population_import` of new firms (read,
map, validate every cell, bulk upsert), the same file again (every firm updated), and `sample_draw`
(filter turnover > EUR 1 million, strata district x size class, take-all for 250+ employees) with
proportional and with Neyman allocation. Target: the import in under a minute.
"""
import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
DISTRICTS = ["TV_FURN", "PN_FURN", "MANZANO_FURN", "VI_MECH", "PN_MECH", "MONTEBELLUNA_SPORT", "BRENTA_SHOES",
             "BL_EYEWEAR"]
HEADER = "Partita IVA;Ragione sociale;Ateco 2007;Dipendenti;Ricavi delle vendite;Distretto;Comune;PEC\n"


def italian(amount: float) -> str:
    whole, cents = f"{amount:,.2f}".split(".")
    return whole.replace(",", ".") + "," + cents


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(1)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            employees = max(1, int(rng.lognormvariate(2.5, 1.2)))
            out.write(f"{n:011d};Impresa {n} S.r.l.;{rng.choice(['31.01', '28.41', '15.20', '32.50'])};{employees};"
                      f"{italian(employees * rng.uniform(60_000, 250_000))};{rng.choice(DISTRICTS)};"
                      f"Comune {n % 500};impresa{n}@pec.example\n")


def write_xlsx(csv_path: Path, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    with csv_path.open(encoding="utf-8-sig") as source:
        for line in source:
            sheet.append(line.rstrip("\n").split(";"))
    book.save(path)


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="also import the same rows from an XLSX file")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from surveys.fieldwork.invitations import wave_default
    from surveys.fieldwork.population import population_import
    from surveys.fieldwork.sampling import sample_draw
    from surveys.models import Firm

    names = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        from django.core.management import call_command

        call_command("load_instruments", verbosity=0)
        from surveys.models import Questionnaire

        wave = wave_default(questionnaire=Questionnaire.objects.get(code="italian-districts-2016"))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "aida.csv"
            timed(f"write {args.rows:,}-row CSV (not part of the import)", lambda: write_csv(path, args.rows))
            print(f"database: {connection.vendor}; file {path.stat().st_size / 1e6:.1f} MB")
            report = timed(f"import {args.rows:,} new firms (CSV, target < 60 s)", lambda: population_import(path=path))
            assert report.applied and report.created == args.rows, report.lines()
            report = timed(f"import the same file again ({args.rows:,} firms updated)",
                           lambda: population_import(path=path))
            assert report.updated == args.rows
            if args.xlsx:
                xlsx = Path(tmp) / "aida.xlsx"
                timed("write the XLSX (not part of the import)", lambda: write_xlsx(path, xlsx))
                report = timed(f"import {args.rows:,} firms from XLSX (all updates)",
                               lambda: population_import(path=xlsx))
                assert report.applied, report.lines()
        print(f"firms in the register: {Firm.objects.count():,}")
        design = {"filters": {"turnover__gt": "1000000"}, "strata_fields": ["district", "size_class"],
                  "take_all": {"employees__gte": 250}, "seed": 2016}
        sample = timed("draw a proportional sample n=5,000 (district x size class, take-all 250+)",
                       lambda: sample_draw(wave=wave, name="proportional", size=5000, **design))
        print(f"  N={sample.population_size:,}, strata={sample.strata.count()}, "
              f"selected={sample.selections.count():,}")
        sample = timed("draw a Neyman sample n=5,000 on turnover (same design)",
                       lambda: sample_draw(wave=wave, name="neyman", size=5000, allocation="neyman",
                                           neyman_variable="turnover", **design))
        print(f"  N={sample.population_size:,}, strata={sample.strata.count()}, "
              f"selected={sample.selections.count():,}")
    finally:
        teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()
