"""Charts as small SVG documents drawn from stored blocks (no plotting library on the server).

`chart_for(block)` turns a block into plain data (categories, series, values); `chart_svg()`
lays it out as horizontal bars (one series), grouped bars (groups side by side) or 100% stacked
bars (Likert items) and renders templates/analytics/chart.svg. Hidden small cells draw no bar.
"""
from __future__ import annotations

from django.template.loader import render_to_string

WIDTH, LABEL_W, VALUE_W, BAR_H, GAP, LEGEND_H, TOP = 720, 260, 56, 14, 10, 18, 8
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
LIKERT = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac", "#053061", "#40004b"]
MAX_LABEL = 44


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _visible(count, suppress_below: int) -> bool:
    return not (suppress_below and count is not None and 0 < count < suppress_below)


def chart_for(block: dict, *, suppress_below: int = 0) -> dict | None:
    """Chart data for a block, or None when a chart adds nothing (a single mean, an unavailable block)."""
    if block.get("unavailable") or block.get("chart") == "none" or not block.get("rows"):
        return None
    kind, columns = block["kind"], block["columns"]
    series = [c["label"] for c in columns]
    if kind == "likert":
        return _stacked(block, suppress_below)
    if kind in ("means", "ratio"):
        values = [[cell["mean"] if _visible(cell["n"], suppress_below) else None for cell in row["cells"]]
                  for row in block["rows"]]
        unit, maximum = "", None
    else:
        use_counts = block.get("statistic") == "count"
        values = [[(row["counts"][j] if use_counts else row["pcts"][j]) if _visible(row["counts"][j], suppress_below)
                   else None for j in range(len(columns))] for row in block["rows"]]
        unit, maximum = ("" if use_counts else "%"), (None if use_counts else 100.0)
    if (len(values) < 2 and len(series) < 2) or all(v is None for row in values for v in row):
        return None
    return {"type": "grouped" if len(series) > 1 else "bar", "categories": [r["label"] for r in block["rows"]],
            "series": series, "values": values, "unit": unit, "max": maximum, "title": block["title"],
            "id": block["id"]}


def _stacked(block: dict, suppress_below: int) -> dict:
    bars = []
    for row in block["rows"]:
        for column, cell in zip(block["columns"], row["cells"], strict=True):
            label = row["label"] if len(block["columns"]) == 1 else f"{row['label']} – {column['label']}"
            shares = [p if _visible(n, suppress_below) else None for p, n in zip(cell["pcts"], cell["counts"],
                                                                                 strict=True)]
            bars.append((label, shares))
    return {"type": "stacked", "categories": [b[0] for b in bars], "values": [b[1] for b in bars],
            "series": [str(p) for p in block["scale"]], "unit": "%", "max": 100.0, "title": block["title"],
            "id": block["id"]}


def _number(value: float, unit: str) -> str:
    text = f"{value:.0f}" if unit == "%" or abs(value) >= 100 else f"{value:.1f}"
    return text + unit


def layout(chart: dict) -> dict:
    """Rectangles and texts in SVG user units."""
    if chart["type"] == "stacked":
        return _layout_stacked(chart)
    n_series = len(chart["series"])
    legend = n_series if n_series > 1 else 0
    top = TOP + legend * LEGEND_H
    group_h = n_series * BAR_H + GAP
    plot_w = WIDTH - LABEL_W - VALUE_W
    present = [v for row in chart["values"] for v in row if v is not None]
    maximum = chart["max"] or (max(present) * 1.05 if present and max(present) > 0 else 1.0)
    rects, texts = [], []
    for s, name in enumerate(chart["series"][:legend]):
        y = TOP + s * LEGEND_H
        rects.append({"x": LABEL_W, "y": y, "w": 12, "h": 12, "fill": PALETTE[s % len(PALETTE)], "tip": name})
        texts.append({"x": LABEL_W + 18, "y": y + 10, "text": _short(name, 80), "anchor": "start"})
    for i, category in enumerate(chart["categories"]):
        y0 = top + i * group_h
        texts.append({"x": LABEL_W - 6, "y": y0 + n_series * BAR_H / 2 + 4, "text": _short(category),
                      "anchor": "end", "tip": category})
        for s, value in enumerate(chart["values"][i]):
            if value is None:
                continue
            w = max(0.0, plot_w * value / maximum)
            y = y0 + s * BAR_H
            rects.append({"x": LABEL_W, "y": y, "w": round(w, 2), "h": BAR_H - 2,
                          "fill": PALETTE[s % len(PALETTE)], "tip": f"{category} – {chart['series'][s]}: "
                                                                     f"{_number(value, chart['unit'])}"})
            texts.append({"x": LABEL_W + w + 4, "y": y + BAR_H - 4, "text": _number(value, chart["unit"]),
                          "anchor": "start", "small": True})
    height = top + len(chart["categories"]) * group_h + GAP
    return {"width": WIDTH, "height": int(height), "rects": rects, "texts": texts,
            "axis": {"x": LABEL_W, "y1": top - 2, "y2": height - GAP}}


def _layout_stacked(chart: dict) -> dict:
    plot_w = WIDTH - LABEL_W - VALUE_W
    top = TOP + LEGEND_H + 6
    rects, texts = [], []
    step = plot_w / max(1, len(chart["series"]))
    for s, name in enumerate(chart["series"]):
        x = LABEL_W + s * step
        rects.append({"x": x, "y": TOP, "w": 12, "h": 12, "fill": LIKERT[s % len(LIKERT)], "tip": name})
        texts.append({"x": x + 16, "y": TOP + 10, "text": name, "anchor": "start"})
    for i, (category, shares) in enumerate(zip(chart["categories"], chart["values"], strict=True)):
        y = top + i * (BAR_H + GAP)
        texts.append({"x": LABEL_W - 6, "y": y + BAR_H - 3, "text": _short(category), "anchor": "end",
                      "tip": category})
        x = LABEL_W
        for s, share in enumerate(shares):
            if not share:
                continue
            w = plot_w * share / 100.0
            rects.append({"x": round(x, 2), "y": y, "w": round(w, 2), "h": BAR_H, "fill": LIKERT[s % len(LIKERT)],
                          "tip": f"{category} – {chart['series'][s]}: {share:.0f}%"})
            if w > 22:
                texts.append({"x": x + w / 2, "y": y + BAR_H - 3, "text": f"{share:.0f}", "anchor": "middle",
                              "small": True, "light": s in (0, len(shares) - 1)})
            x += w
    height = top + len(chart["categories"]) * (BAR_H + GAP) + GAP
    return {"width": WIDTH, "height": int(height), "rects": rects, "texts": texts,
            "axis": {"x": LABEL_W, "y1": top - 2, "y2": height - GAP}}


def chart_svg(chart: dict) -> str:
    return render_to_string("analytics/chart.svg", {"chart": chart, "geometry": layout(chart)})
