"""The line every benchmark prints per figure, for `bench/summary.py` (and `make bench`) to collect.

    BENCH {"figure": "...", "value": 1.0, "unit": "s", "floor": 0.5, "ratio": 0.5, "target": "<=120 s", "ok": true}

`floor` is the same work done the cheapest way on the same machine in the same run; `ratio` is the
figure's speed as a fraction of the floor's (floor/value for times, value/floor for rates), so 1 means
as fast as the floor and the ratio moves much less than the seconds when the machine is shared.
"""
from __future__ import annotations

import json
import os

LOWER_IS_BETTER = {"s", "ms", "count", "MB"}


def ratio_of(value: float, floor: float, unit: str) -> float:
    if value == floor:
        return 1.0
    if unit in LOWER_IS_BETTER:
        return floor / value if value else 0.0
    return value / floor if floor else 0.0


def figure_print(figure: str, value: float, unit: str, floor: float, target: str, ok: bool) -> None:
    """One human-readable line and one BENCH line."""
    ratio = ratio_of(value, floor, unit)
    print(f"{figure}: {value:,.2f} {unit} (floor {floor:,.2f} {unit}, ratio {ratio:.3f}; target {target}: "
          f"{'ok' if ok else 'NOT MET'})")
    print("BENCH " + json.dumps({"figure": figure, "value": round(value, 3), "unit": unit, "floor": round(floor, 3),
                                 "ratio": round(ratio, 3), "target": target, "ok": bool(ok)}), flush=True)


def database_ensure(url: str) -> None:
    """Create the PostgreSQL database of `url` if it does not exist (through the `postgres` database)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":  # make bench: python bench/figures.py --ensure-database "$DATABASE_URL"
    import sys

    if sys.argv[1:2] == ["--ensure-database"] and sys.argv[2].startswith("postgres"):
        database_ensure(sys.argv[2])


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and by its PostgreSQL backend (read from /proc when the
    server runs on this machine): what a run would take on an idle machine, whatever else is running."""
    import time as _time

    from django.db import connection

    total = _time.process_time()
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        try:
            with open(f"/proc/{connection.connection.info.backend_pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass  # another machine's server: this process only
    return total
