"""The benchmarks' shared line format and the summary `make bench` prints from it."""
import json

from bench.figures import figure_print, ratio_of
from bench.summary import figures_read, table


def test_ratio_is_the_speed_as_a_fraction_of_the_floors():
    assert ratio_of(240.0, 120.0, "s") == 0.5  # twice the floor's time
    assert ratio_of(50.0, 500.0, "saves/s") == 0.1  # a tenth of the floor's rate
    assert ratio_of(0, 0, "count") == 1.0


def test_summary_reads_every_bench_line_and_skips_the_rest(capsys):
    figure_print("import", 240.0, "s", 120.0, "<=120 s", False)
    printed = capsys.readouterr().out.splitlines()
    line = json.loads(printed[-1][6:])
    assert line == {"figure": "import", "value": 240.0, "unit": "s", "floor": 120.0, "ratio": 0.5,
                    "target": "<=120 s", "ok": False}
    figures = figures_read(["== bench/x.py", *printed, "BENCH {truncated", "BENCH " + json.dumps(
        {"figure": "saves", "value": 150, "unit": "saves/s", "floor": 1000, "ratio": 0.15, "target": ">=100",
         "ok": True})])
    assert [f["figure"] for f in figures] == ["import", "saves"]
    rows = table(figures).splitlines()
    assert rows[0].split(" | ")[0].strip() == "figure" and "NOT MET" in rows[2] and rows[3].rstrip().endswith("ok")
