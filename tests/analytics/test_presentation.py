"""Display tables and SVG charts built from stored blocks."""
import xml.etree.ElementTree as ET

import numpy as np

from analytics.results.charts import chart_for, chart_svg
from analytics.results.presentation import block_table
from analytics.stats import computations as comp
from analytics.stats.computations import Column


def _block(values, labels=None):
    values = np.asarray(values, dtype=float)
    column = [Column("all", "All firms", np.ones(len(values), bool))]
    block = comp.categorical(values, column, [1, 2, 3], labels or {1: "A & B", 2: "<two>", 3: "three"})
    return {"id": "x", "title": "Title with <angle> & ampersand", "kind": "categorical", "statistic": "count_pct",
            "n": len(values), "decimals": None, "structural": [], **block}


def test_a_lone_small_cell_takes_the_next_smallest_with_it():
    block = _block([1] * 40 + [2] * 3 + [3] * 9)
    rows = block_table(block, {"pct_decimals": 1}, suppress_below=5)["rows"]
    assert rows[1][1:] == ["<5", "·"] and rows[2][1:] == ["<5", "·"] and rows[0][1:] == ["40", "76.9"]
    assert block_table(block, {"pct_decimals": 1})["rows"][1][1:] == ["3", "5.8"]


def test_charts_are_well_formed_svg_with_escaped_labels():
    chart = chart_for(_block([1, 1, 2, 3]))
    svg = ET.fromstring(chart_svg(chart))
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "A & B" in texts and "<two>" in texts and "50%" in texts


def test_hidden_cells_draw_no_bar():
    chart = chart_for(_block([1] * 40 + [2] * 3 + [3] * 9), suppress_below=5)
    assert chart["values"] == [[chart["values"][0][0]], [None], [chart["values"][2][0]]]


def test_likert_items_are_stacked_bars():
    values = np.array([1, 2, 3, 4, 5, 5, 4], dtype=float)
    block = comp.likert([("Q", "Question", values)], [Column("all", "All", np.ones(7, bool))])
    chart = chart_for({"id": "l", "title": "L", "kind": "likert", **block})
    assert chart["type"] == "stacked" and chart["series"] == ["1", "2", "3", "4", "5"]
    assert ET.fromstring(chart_svg(chart)).get("data-chart") == "stacked"
