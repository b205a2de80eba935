"""One table of every figure the benchmarks printed: reads `BENCH {json}` lines (bench/figures.py)
from the files given (or standard input) and prints figure | value | floor | ratio | target | ok.

    python bench/summary.py bench/out/bench.log
"""
from __future__ import annotations

import json
import sys


def figures_read(lines) -> list[dict]:
    found = []
    for line in lines:
        if line.startswith("BENCH "):
            try:
                found.append(json.loads(line[6:]))
            except json.JSONDecodeError:
                continue  # a truncated line from a script that was killed
    return found


def number(value) -> str:
    if not isinstance(value, int | float):
        return str(value)
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"


def ratio(value) -> str:
    return "" if value is None else f"{value:.3f}"  # a figure without a floor has no ratio


def table(figures: list[dict]) -> str:
    rows = [("figure", "value", "floor", "ratio", "target", "ok")]
    for f in figures:
        unit = f.get("unit", "")
        rows.append((f.get("figure", "?"), f"{number(f.get('value'))} {unit}", f"{number(f.get('floor'))} {unit}",
                     ratio(f.get("ratio")), str(f.get("target", "")), "ok" if f.get("ok") else "NOT MET"))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    out = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out)


def main() -> int:
    lines: list[str] = []
    for path in sys.argv[1:] or ["-"]:
        lines += (sys.stdin if path == "-" else open(path, encoding="utf-8")).read().splitlines()
    figures = figures_read(lines)
    print(table(figures) if figures else "no BENCH lines found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
