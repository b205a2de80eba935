"""Stored blocks -> display tables: the one formatting path of the dashboard, CSV/SVG and `manage.py report`.

A display table is {id, title, header, rows, notes, test, chart}: header and rows are lists of
strings, already rounded, starred and (for viewers without the permission) suppressed, so every
output prints the same numbers.
"""
from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from analytics.stats.design import CAUTION_CV, FLAG_CAUTION, FLAG_SUPPRESSED, SUPPRESS_CV
from analytics.stats.disclosure import P_PERCENT, PRIMARY_DOMINANCE, PRIMARY_THRESHOLD, SECONDARY, THRESHOLD
from analytics.stats.significance import DEFAULT_STARS, TEST_NAMES, stars

# labels of the display tables, in the active language when shown (manage.py report: English)
MISSING_LABELS = {"dont_know": gettext_noop("Don't know"), "refused": gettext_noop("Refused"),
                  "not_applicable": gettext_noop("Not applicable"), "no_answer": gettext_noop("No answer")}
# column labels the reports store in English with their results, shown in the active language
STORED_LABELS = {gettext_noop("All respondents"), gettext_noop("All firms"), gettext_noop("Whole sample")}
DASH = "—"
HIDDEN = "·"


def fmt(value, decimals: int) -> str:
    if value is None:
        return ""
    return f"{value:.{decimals}f}"


def fmt_p(p) -> str:
    if p is None:
        return ""
    return f"{p:.4f}" if p >= 0.0001 else f"{p:.1e}"


class Formatter:
    def __init__(self, report: dict, block: dict, suppress_below: int = 0):
        self.pct_decimals = report.get("pct_decimals", 1)
        self.levels = [tuple(s) for s in report.get("stars") or DEFAULT_STARS]
        self.k = suppress_below
        self.decimals = block.get("decimals")
        self.structural = {(str(r), str(c)) for r, c in block.get("structural", [])}

    def count(self, n) -> str:
        return f"<{self.k}" if self.small(n) else str(n)

    def small(self, n) -> bool:
        return bool(self.k) and n is not None and 0 < n < self.k

    def pct(self, value, n=None) -> str:
        return HIDDEN if self.small(n) else fmt(value, self.pct_decimals)

    def mean(self, value, n) -> str:
        return HIDDEN if self.small(n) else fmt(value, 1 if self.decimals is None else self.decimals)

    def star(self, test: dict | None) -> str:
        """Stars go on a row that was tested, and only when the test gave a p-value."""
        return stars(test.get("p"), self.levels) if test else ""


def test_text(test: dict | None, levels=DEFAULT_STARS) -> str:
    """'Pearson chi-square: χ²(2) = 7.22, p = 0.0270 **', or the exact test with the chi-square beside it."""
    if not test or test.get("p") is None:
        return ""
    name = _(TEST_NAMES[test["test"]]) if test["test"] in TEST_NAMES else test["test"]
    result = f"p = {fmt_p(test['p'])} {stars(test['p'], levels)}".strip()
    if test["test"] == "rao-scott" and test.get("statistic") is not None:
        result = f"F({test['df']:.2f}, {test['df_denominator']:.1f}) = {test['statistic']:.2f}, {result}"
    elif test["test"] in ("design-t", "design-wald") and test.get("statistic") is not None:
        result = f"{'t' if test['test'] == 'design-t' else 'F'} = {test['statistic']:.2f}, {result}"
    elif test["test"] == "chi2" and test.get("statistic") is not None:
        result = f"χ²({test['df']}) = {test['statistic']:.2f}, {result}"
    elif test.get("chi2") is not None:
        result += f" (an expected count is below 5; Pearson χ²({test['df']}) = {test['chi2']:.2f}, " \
                  f"p = {fmt_p(test['chi2_p'])})"
    return f"{name}: {result}" + (f" ({test['note']})" if test.get("note") else "")


# ------------------------------------------------------------------ per kind
def column_label(label: str) -> str:
    return _(label) if label in STORED_LABELS else label


def _header(columns: list[dict], per_col: list[str], tail: tuple = ()) -> dict:
    """A flat header (CSV) and the same as two rows: the column's label over its statistics (HTML)."""
    return {"header": [""] + [f"{column_label(c['label'])} {h}".strip() for c in columns for h in per_col]
            + list(tail),
            "groups": [{"label": column_label(c["label"]), "span": len(per_col)} for c in columns],
            "subheader": list(per_col), "tail": list(tail)}


def _stat_headers(statistic: str) -> list[str]:
    return {"count": ["n"], "pct": ["%"]}.get(statistic, ["a.v.", "%"])


def _stat_cells(f: Formatter, statistic: str, count, pct, hidden: bool = False) -> list[str]:
    shown, share = (f"<{f.k}", HIDDEN) if hidden else (f.count(count), f.pct(pct, count))
    return {"count": [shown], "pct": [share]}.get(statistic, [shown, share])


def _categorical(block: dict, f: Formatter) -> dict:
    columns, statistic = block["columns"], block["statistic"]
    head = _header(columns, _stat_headers(statistic))
    hidden = hidden_cells(block, f)
    rows = []
    for i, row in enumerate(block["rows"]):
        cells = []
        for j in range(len(columns)):
            cells += _stat_cells(f, statistic, row["counts"][j], row["pcts"][j], (i, j) in hidden)
        rows.append([row["label"]] + cells)  # one test for the whole table: its stars go on the test line
    for entry in block.get("at_least", []):
        cells = []
        for j in range(len(columns)):
            cells += _stat_cells(f, statistic, entry["counts"][j], entry["pcts"][j])
        rows.append([_("{threshold} or more").format(threshold=entry["threshold"])] + cells)
    rows += _base_rows(columns, statistic, f)
    table = {**head, "rows": rows, "test": test_text(block.get("test"), f.levels), "stars": f.star(block.get("test"))}
    if block.get("weighted"):
        table["weighted"] = _weighted_categorical(block, f)
    return table


def hidden_cells(block: dict, f: Formatter) -> set[tuple[int, int]]:
    """Small cells to hide; when a column hides exactly one, its next smallest cell goes too, so the
    hidden count cannot be recovered from the column's N."""
    hidden: set[tuple[int, int]] = set()
    if not f.k:
        return hidden
    counts = [r["counts"] for r in block["rows"]]
    for j in range(len(block["columns"])):
        small = [i for i, r in enumerate(counts) if f.small(r[j])]
        hidden.update((i, j) for i in small)
        others = sorted((r[j], i) for i, r in enumerate(counts) if i not in small and r[j] > 0)
        if len(small) == 1 and others:
            hidden.add((others[0][1], j))
    return hidden


def _base_rows(columns: list[dict], statistic: str, f: Formatter) -> list[list[str]]:
    width = len(_stat_headers(statistic))
    rows = [[_("N (valid answers)")] + [c for col in columns for c in [str(col["n_valid"])] + [""] * (width - 1)]]
    kinds = [k for k in MISSING_LABELS if any(col.get("missing", {}).get(k) for col in columns)]
    for kind in kinds:
        rows.append([_("{label} (not in base)").format(label=_(MISSING_LABELS[kind]))] + [
            c for col in columns for c in [str(col.get("missing", {}).get(kind, 0))] + [""] * (width - 1)])
    return rows


def _rates(block: dict, f: Formatter) -> dict:
    columns, statistic = block["columns"], block["statistic"]
    tested = any(r.get("test") for r in block["rows"])
    same_base = all(r["bases"] == block["rows"][0]["bases"] for r in block["rows"]) if block["rows"] else True
    per_col = _stat_headers(statistic) + ([] if same_base else ["N"])
    head = _header(columns, per_col, ("p",) if tested else ())
    rows = []
    for row in block["rows"]:
        cells = []
        for j in range(len(columns)):
            cells += _stat_cells(f, statistic, row["counts"][j], row["pcts"][j])
            cells += [] if same_base else [str(row["bases"][j])]
        rows.append([row["label"] + f.star(row.get("test"))] + cells + ([fmt_p((row.get("test") or {}).get("p"))]
                                                                        if tested else []))
    if same_base and block["rows"]:
        width = len(per_col)
        rows.append([_("N (base)")] + [c for b in block["rows"][0]["bases"] for c in [str(b)] + [""] * (width - 1)]
                    + ([""] if tested else []))
    table = {**head, "rows": rows, "test": ""}
    if any(r.get("weighted") for r in block["rows"]):
        table["weighted"] = _weighted_rows(block, f)
    return table


def _means(block: dict, f: Formatter) -> dict:
    columns = block["columns"]
    with_sd = block["statistic"] == "mean_sd"
    tested = any(r.get("test") for r in block["rows"])
    per_col = [_("mean")] + (["sd"] if with_sd else []) + ["N"]
    head = _header(columns, per_col, ("p",) if tested else ())
    rows = []
    for row in block["rows"]:
        cells = []
        for column, cell in zip(columns, row["cells"], strict=True):
            if (str(row["code"]), column["key"]) in f.structural:
                cells += [DASH] + ([DASH] if with_sd else []) + [str(cell["n"])]
                continue
            status = _conf(row, columns.index(column))
            if status and f.k:  # published: the value of a confidential cell is not shown
                cells += [status] + ([""] if with_sd else []) + [f.count(cell["n"])]
                continue
            cells.append(f.mean(cell["mean"], cell["n"]) + (f" ({status})" if status else ""))
            cells += [f.mean(cell["sd"], cell["n"])] if with_sd else []
            cells.append(f.count(cell["n"]))
        p = (row.get("test") or {}).get("p")
        rows.append([row["label"] + f.star(row.get("test"))] + cells + ([fmt_p(p)] if tested else []))
    table = {**head, "rows": rows, "test": ""}
    if any(r.get("confidentiality") and any(r["confidentiality"]) for r in block["rows"]):
        table["conf_note"] = conf_note()
    if any(r.get("weighted") for r in block["rows"]):
        table["weighted"] = _weighted_means(block, f)
    return table


def _conf(row: dict, j: int) -> str:
    """C (primary) or D (secondary) for a confidential cell of a magnitude table, as SDMX CONF_STATUS."""
    statuses = row.get("confidentiality") or []
    return CONF_STATUS.get(statuses[j], "") if j < len(statuses) else ""


def _likert(block: dict, f: Formatter) -> dict:
    columns, scale = block["columns"], block["scale"]
    if block["statistic"] == "top":
        top = "-".join(str(t) for t in (block["top"][0], block["top"][-1]))
        rows = [[row["label"]] + [x for cell in row["cells"] for x in (f.pct(cell["top_pct"], cell["top_count"]),
                                                                        f.count(cell["n"]))] for row in block["rows"]]
        return {**_header(columns, [f"% {top}", "N"]), "rows": rows, "test": ""}
    header = ["", _("Column")] + [f"{p} %" for p in scale] + [_("Mean"), "N"]
    rows = []
    for row in block["rows"]:
        for column, cell in zip(columns, row["cells"], strict=True):
            rows.append([row["label"], column["label"]] + [f.pct(p, n) for p, n in zip(cell["pcts"], cell["counts"],
                                                                                          strict=True)]
                        + [fmt(cell["mean"], 2), f.count(cell["n"])])
    return {"header": header, "rows": rows, "test": ""}


def _selections(block: dict, f: Formatter) -> dict:
    block = {**block, "rows": [{**r, "bases": [c["n_valid"] for c in block["columns"]]} for r in block["rows"]]}
    return _rates(block, f)


# ------------------------------------------------------------------ weighted estimates
def _ci(low, high, decimals: int) -> str:
    return "" if low is None or high is None else f"{low:.{decimals}f}–{high:.{decimals}f}"


CONF_STATUS = {PRIMARY_THRESHOLD: "C", PRIMARY_DOMINANCE: "C", SECONDARY: "D"}


def conf_note() -> str:
    # the per cent sign goes in by a placeholder: "p% rule" would read as a printf directive to gettext
    return _("C = confidential: fewer than {threshold} contributors, or dominated by one or two contributors "
             "(p{percent} rule, p = {p}); D = hidden so that a confidential cell cannot be derived from the "
             "total.").format(threshold=THRESHOLD, percent="%", p=f"{P_PERCENT:g}")


def weighted_heads() -> tuple[str, str, str]:
    return _("SE"), _("95{percent} CI").format(percent="%"), _("CV {percent}").format(percent="%")


def flag_note() -> str:
    return _("Weighted: design-based (Taylor) standard errors. {caution} = use with caution (CV above "
             "{caution_cv}{percent}); {suppressed} = too unreliable to publish (CV above {suppress_cv}{percent}), "
             "value not shown.").format(caution=FLAG_CAUTION, suppressed=FLAG_SUPPRESSED, caution_cv=CAUTION_CV,
                                        suppress_cv=SUPPRESS_CV, percent="%")


def _estimate_cells(w: dict, key: str, j: int, decimals: int) -> list[str]:
    """Estimate (with its CV flag), SE, interval and CV of column j; an F estimate is not shown."""
    flag = (w.get("flags") or [""] * (j + 1))[j]
    value = w[key][j]
    if flag == FLAG_SUPPRESSED:
        return [FLAG_SUPPRESSED, "", "", fmt(w["cv"][j], 1)] if "cv" in w else [FLAG_SUPPRESSED, "", "", ""]
    shown = fmt(value, decimals) + (f" {flag}" if flag and value is not None else "")
    se = fmt(w["se"][j], decimals + 1) if "se" in w else ""
    cv = fmt(w["cv"][j], 1) if "cv" in w else ""
    return [shown, se, _ci(w["low"][j], w["high"][j], decimals), cv]


def _weighted_header(block: dict, what: str) -> list[str]:
    return [""] + [f"{column_label(c['label'])} {h}" for c in block["columns"] for h in (what, *weighted_heads())]


def _weighted_categorical(block: dict, f: Formatter) -> dict:
    w = block["weighted"]
    k = len(block["columns"])
    rows = [[row["label"]] + [x for j in range(k) for x in _estimate_cells(wr, "pcts", j, f.pct_decimals)]
            for row, wr in zip(block["rows"], w["rows"], strict=True)]
    rows.append([_("Respondents (weighted N)")] + [x for c in w["columns"] for x in (
        str(c.get("n", "")), fmt(c.get("sum_w"), 0), "", "")])
    return {"header": _weighted_header(block, _("weighted %")), "rows": rows,
            "test": test_text(w.get("test"), f.levels), "note": flag_note()}


def _weighted_rows(block: dict, f: Formatter) -> dict:
    k = len(block["columns"])
    rows = [[row["label"]] + [x for j in range(k) for x in _estimate_cells(row["weighted"], "pcts", j, f.pct_decimals)]
            for row in block["rows"]]
    tests = [f"{row['label']}: {test_text(row['weighted'].get('test'), f.levels)}" for row in block["rows"]
             if row["weighted"].get("test") and row["weighted"]["test"].get("p") is not None]
    return {"header": _weighted_header(block, _("weighted %")), "rows": rows, "test": "; ".join(tests),
            "note": flag_note()}


def _weighted_means(block: dict, f: Formatter) -> dict:
    d = 2 if f.decimals is None else f.decimals
    k = len(block["columns"])
    rows = [[row["label"]] + [x for j in range(k) for x in (
        [_conf(row, j), "", "", ""] if f.k and _conf(row, j) else _estimate_cells(row["weighted"], "means", j, d))]
        for row in block["rows"]]
    tests = [f"{row['label']}: {test_text(row['weighted'].get('test'), f.levels)}" for row in block["rows"]
             if row["weighted"].get("test") and row["weighted"]["test"].get("p") is not None]
    return {"header": _weighted_header(block, _("weighted mean")), "rows": rows, "test": "; ".join(tests),
            "note": flag_note()}


KINDS = {"categorical": _categorical, "rates": _rates, "means": _means, "ratio": _means, "likert": _likert,
         "selections": _selections}


def block_table(block: dict, report: dict, *, suppress_below: int = 0) -> dict:
    base = {"id": block["id"], "title": block["title"], "kind": block["kind"]}
    if block.get("unavailable"):
        return {**base, "unavailable": block["unavailable"], "header": [], "rows": [], "notes": [], "test": ""}
    f = Formatter(report, block, suppress_below)
    table = KINDS[block["kind"]](block, f)
    base_label = block.get("base_label") or report.get("base_label") or _("submitted responses")
    notes = [_("Base: {base}, N = {n}.").format(base=base_label, n=block["n"])]
    notes += [block["note"]] if block.get("note") else []
    notes += _untested_notes(block)
    notes += [_("Cells below {k} are hidden.").format(k=suppress_below)] if suppress_below else []
    notes += [table.pop("conf_note")] if table.get("conf_note") else []
    return {**base, **table, "n": block["n"], "notes": notes}


def _untested_notes(block: dict) -> list[str]:
    """Say why a row (or the table) carries no stars where a test was attempted but gave no p-value."""
    tests = [(block.get("title", ""), block.get("test"))] + [(r.get("label", ""), r.get("test"))
                                                              for r in block.get("rows", [])]
    return [_("Not tested ({label}): {why}.").format(label=label, why=test["note"]) for label, test in tests
            if test and test.get("p") is None and test.get("note")]


def report_head(report: dict) -> list[list[str]]:
    """Title, base, star legend and notes of a report: the first rows of every download."""
    title = f"{report['source']}: {report['title']}" if report.get("source") else report.get("title", "")
    base_label = report.get("base_label") or _("submitted responses")
    rows = [[title], [_("Base"), f"{base_label}, N = {report.get('n', '')}"],
            [_("Stars"), report.get("stars_legend") or ""]]
    rows += [[_("Note"), note] for note in report.get("notes", [])]
    return rows


def report_tables(report: dict, *, suppress_below: int = 0) -> list[dict]:
    return [block_table(b, report, suppress_below=suppress_below) for b in report.get("blocks", [])]


def table_csv(table: dict, *, title: bool = False, report: dict | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if title:
        writer.writerow([table["title"]])
    writer.writerow(table["header"])
    writer.writerows(table["rows"])
    if table.get("test"):
        writer.writerow(["Test", table["test"]])
    for note in table.get("notes", []):
        writer.writerow(["Note", note])
    if table.get("weighted"):
        writer.writerow([])
        writer.writerow(["Weighted estimates"])
        writer.writerow(table["weighted"]["header"])
        writer.writerows(table["weighted"]["rows"])
        if table["weighted"].get("test"):
            writer.writerow(["Test", table["weighted"]["test"]])
        writer.writerow(["Note", table["weighted"].get("note", "")])
    if report is not None:  # a single table's download ends with its report's base, legend and notes
        writer.writerow([])
        head = report_head(report)
        writer.writerows([["Report", head[0][0]], *head[1:]])
    return out.getvalue()


def report_csv(sections: list[tuple[dict, list[dict]]]) -> str:
    """(report payload, its display tables) per report: the report's head, then each table."""
    parts = []
    for report, tables in sections:
        out = io.StringIO()
        csv.writer(out).writerows(report_head(report))
        parts.append(out.getvalue())
        parts += [table_csv(t, title=True) for t in tables if not t.get("unavailable")]
    return "\n".join(parts)
