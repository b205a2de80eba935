"""Benchmark: import firms from a register extract, import it again (every firm updated), draw samples.

    python bench/fieldwork.py [--rows 200000] [--xlsx] [--grow]   (DATABASE_URL if set, else SQLite)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/fieldwork.py --rows 1000000

The file is an AIDA-like CSV as Italian Excel writes it (UTF-8 with BOM, ';' separator, '1.234.567,89'
numbers, an unmapped column kept as an attribute). Timed: `population_import` of new firms (read,
map, validate every cell, upsert by tax id), the same file again (every firm updated), and `sample_draw`
(filter turnover > EUR 1 million, strata district x size class, take-all for 250+ employees) with
proportional and with Neyman allocation. Target: 1,000,000 firms in at most 120 s (scaled to --rows).

Floors, same run: the same file COPYed into a bare table of text columns (PostgreSQL; SQLite: the
split lines inserted with executemany), and for a draw the SELECT of the firms it filters.
Without --grow the run uses a throwaway database; with --grow it imports into DATABASE_URL's own
database, with tax ids after the largest one a previous run left, so every run adds firms.
"""
import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
DISTRICTS = ["TV_FURN", "PN_FURN", "MANZANO_FURN", "VI_MECH", "PN_MECH", "MONTEBELLUNA_SPORT", "BRENTA_SHOES",
             "BL_EYEWEAR"]
HEADER = "Partita IVA;Ragione sociale;Ateco 2007;Dipendenti;Ricavi delle vendite;Distretto;Comune;PEC\n"
TARGET_SECONDS_PER_MILLION = 120


def italian(amount: float) -> str:
    whole, cents = f"{amount:,.2f}".split(".")
    return whole.replace(",", ".") + "," + cents


def write_csv(path: Path, rows: int, start: int = 0) -> None:
    rng = random.Random(1 + start)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER)
        for n in range(start, start + rows):
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
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s", flush=True)
    return result, seconds


def floor_copy(path: Path) -> float:
    """The same file into a bare table: COPY on PostgreSQL, split lines + executemany on SQLite."""
    from django.db import connection, transaction

    columns = ", ".join(f"c{i} text" for i in range(HEADER.count(";") + 1))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_floor_register ({columns})")
        if connection.vendor == "postgresql":
            with path.open("rb") as source, cursor.copy(
                    "COPY bench_floor_register FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)") as copy:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
        else:
            with path.open(encoding="utf-8-sig") as source:
                next(source)
                cursor.executemany(f"INSERT INTO bench_floor_register VALUES ({', '.join(['%s'] * 8)})",
                                   (line.rstrip("\n").split(";") for line in source))
        cursor.execute("DROP TABLE bench_floor_register")
    return time.perf_counter() - started


def floor_select() -> float:
    """What a draw reads at least: the filtered firms' stratum and size columns."""
    from surveys.models import Firm

    started = time.perf_counter()
    list(Firm.objects.filter(turnover__gt=1_000_000).values_list("id", "district", "employees", "turnover"))
    return time.perf_counter() - started


def next_identifier() -> int:
    """After the largest 11-digit tax id a previous --grow run imported."""
    from django.db.models import Max

    from surveys.models import Firm

    largest = Firm.objects.filter(identifier__regex=r"^[0-9]{11}$").aggregate(m=Max("identifier"))["m"]
    return int(largest) + 1 if largest else 0


def imports(args, wave) -> None:
    from figures import cpu_seconds, figure_print

    from surveys.fieldwork.population import population_check, population_import

    target = TARGET_SECONDS_PER_MILLION * args.rows / 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "aida.csv"
        start = next_identifier()
        timed(f"write {args.rows:,}-row CSV from tax id {start} (not part of the import)",
              lambda: write_csv(path, args.rows, start))
        floor_cpu = cpu_seconds()
        floor = floor_copy(path)
        floor_cpu = cpu_seconds() - floor_cpu
        cpu = cpu_seconds()
        report, seconds = timed(f"import {args.rows:,} new firms (CSV)", lambda: population_import(path=path))
        cpu = cpu_seconds() - cpu
        assert report.applied and report.created == args.rows, report.lines()
        figure_print(f"fieldwork: import {args.rows:,} new firms", seconds, "s", floor,
                     f"<={target:.0f} s ({TARGET_SECONDS_PER_MILLION} s per 1M)", seconds <= target)
        # On a shared machine the wall time is mostly waiting for a core: the CPU seconds of this
        # process and its PostgreSQL backend are what the import takes on an idle one.
        figure_print(f"fieldwork: import {args.rows:,} new firms, CPU seconds (client + PostgreSQL backend)", cpu,
                     "s", floor_cpu, f"<={target:.0f} s", cpu <= target)
        # Where the import's time goes: reading and checking alone (nothing written), the rest is the upsert.
        _, check = timed(f"check the same file only ({args.rows:,} rows, nothing written)",
                         lambda: population_check(path=path))
        figure_print(f"fieldwork: check {args.rows:,} rows only (read, map, validate)", check, "s", floor,
                     "report", True)
        report, seconds = timed(f"import the same file again ({args.rows:,} firms updated)",
                                lambda: population_import(path=path))
        assert report.updated == args.rows
        figure_print(f"fieldwork: re-import {args.rows:,} firms (all updated)", seconds, "s", floor,
                     f"<={target:.0f} s", seconds <= target)
        if args.xlsx:
            xlsx = Path(tmp) / "aida.xlsx"
            timed("write the XLSX (not part of the import)", lambda: write_xlsx(path, xlsx))
            report, seconds = timed(f"import {args.rows:,} firms from XLSX (all updates)",
                                    lambda: population_import(path=xlsx))
            assert report.applied, report.lines()
            figure_print(f"fieldwork: XLSX import {args.rows:,} firms", seconds, "s", floor, "report", True)


def draws(wave, rows: int) -> None:
    from figures import figure_print

    from surveys.fieldwork.sampling import sample_draw

    size = max(5000, rows // 40)  # a million firms have about 6,000 of 250+ employees, all taken
    design = {"filters": {"turnover__gt": "1000000"}, "strata_fields": ["district", "size_class"],
              "take_all": {"employees__gte": 250}, "seed": 2016}
    for name, extra in (("proportional", {}), ("neyman", {"allocation": "neyman", "neyman_variable": "turnover"})):
        floor = floor_select()
        sample, seconds = timed(f"draw a {name} sample n={size:,} (district x size class, take-all 250+)",
                                lambda name=name, extra=extra: sample_draw(
                                    wave=wave, name=f"{name}-{time.time():.0f}", size=size, **design, **extra))
        print(f"  N={sample.population_size:,}, strata={sample.strata.count()}, "
              f"selected={sample.selections.count():,}")
        figure_print(f"fieldwork: {name} sample draw n={size:,}", seconds, "s", floor, "report", True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--xlsx", action="store_true", help="also import the same rows from an XLSX file")
    parser.add_argument("--grow", action="store_true", help="import into DATABASE_URL's database, adding firms")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from surveys.fieldwork.invitations import wave_default
    from surveys.models import Firm, Questionnaire

    names = None if args.grow else setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        if args.grow:
            call_command("migrate", verbosity=0)
        call_command("load_instruments", verbosity=0)
        wave = wave_default(questionnaire=Questionnaire.objects.get(code="italian-districts-2016"))
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        imports(args, wave)
        print(f"firms in the register: {Firm.objects.count():,}")
        draws(wave, Firm.objects.count())
    finally:
        if names is not None:
            teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()
