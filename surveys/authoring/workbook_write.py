"""An authored definition (the YAML structure) -> an XLSForm-like workbook.

Inline choice lists, grid rows, anchors and value labels become lists of the `choices` sheet named
after their item (`A1.6`, `B1.rows`); named choice lists keep their names. Reading the workbook
back gives a definition that normalises to the same questionnaire (same checksum, same codebook).
"""
from __future__ import annotations

import io
import json

from surveys.authoring.layout import (
    CHECKS,
    CHOICES,
    DERIVED,
    EDIT_RULES,
    NUMBER_COLUMNS,
    PLAIN_COLUMNS,
    REF_PREFIX,
    SELECT_PREFIX,
    SETTINGS,
    SHEETS,
    SURVEY,
    TABLES,
    TEXT_COLUMNS,
    VARIANTS,
    WELCOME_PARTS,
    generated_list,
)


class _Sheets:
    def __init__(self, raw: dict):
        self.raw = raw
        self.languages = list(raw.get("languages") or ["en"])
        self.rows: dict[str, list[dict]] = {name: [] for name in SHEETS}
        self.lists_written: set[str] = set()

    # ------------------------------------------------------------ helpers
    def texts(self, column: str, value) -> dict:
        if isinstance(value, str):
            value = {self.languages[0]: value}
        return {f"{column}::{lang}": text for lang, text in (value or {}).items() if text not in (None, "")}

    def add_list(self, name: str, entries: list[dict]) -> str:
        if name in self.lists_written:
            return name
        self.lists_written.add(name)
        for e in entries:
            self.rows[CHOICES].append({
                "list_name": name, "name": e.get("code"), **self.texts("label", e.get("label")),
                **self.texts("hint", e.get("help")), **self.texts("note", e.get("note")),
                "relevant": e.get("relevance") or "", "exclusive": _yes(e.get("exclusive")),
                "other": _yes(e.get("other"))})
        return name

    def choice_spec(self, code: str, spec, row: dict) -> str:
        """The list name (or ref:LIST) for an item's `choices`, writing inline lists to the choices sheet."""
        if isinstance(spec, str):
            return self.add_list(spec, (self.raw.get("choice_lists") or {}).get(spec, []))
        if isinstance(spec, dict):
            row["exclude"] = _codes(spec.get("exclude"))
            row["only"] = _codes(spec.get("only"))
            if spec.get("labels"):
                row["relabel"] = self.add_list(generated_list(code, "relabel"), _relabel(spec["labels"]))
            return REF_PREFIX + str(spec.get("ref", ""))
        return self.add_list(generated_list(code, "choices"), spec or [])

    # ------------------------------------------------------------ sheets
    def build(self) -> dict[str, list[dict]]:
        raw = self.raw
        self.rows[SETTINGS].append({
            "form_id": raw.get("code", ""), **self.texts("title", raw.get("title")),
            "languages": " ".join(self.languages), "modes": " ".join(raw.get("modes") or []),
            "missing_codes": " ".join(raw.get("missing_codes") or []),
            "notes_fields": _yes(raw.get("notes_fields")) or "no", **self.texts("intro", raw.get("intro")),
            **{k: v for part in WELCOME_PARTS
               for k, v in self.texts(f"welcome_{part}", (raw.get("welcome") or {}).get(part)).items()},
            "default_group": raw.get("default_group", ""),
            "coding": json.dumps(raw["coding"], ensure_ascii=False) if raw.get("coding") else "",
            "edit_key_items": " ".join(raw.get("edit_key_items") or [])})
        for module in raw.get("modules") or []:
            self.rows[SURVEY].append({"type": "begin_group", "name": module.get("code"),
                                      **self.texts("label", module.get("title")),
                                      "relevant": module.get("relevance") or ""})
            for item in module.get("items") or []:
                self.rows[SURVEY].append(self.item(item))
            self.rows[SURVEY].append({"type": "end_group", "name": module.get("code")})
        for name in raw.get("choice_lists") or {}:  # lists no item uses still travel
            self.add_list(name, raw["choice_lists"][name])
        for d in raw.get("derived") or []:
            self.derived(d)
        for table in raw.get("tables") or []:
            self.table(table)
        for rule in raw.get("edit_rules") or []:
            self.edit_rule(rule)
        return self.rows

    def item(self, i: dict) -> dict:
        code, kind = str(i.get("code", "")), i.get("type", "")
        row = {"name": code, "required": "yes" if i.get("required", True) else "no",
               **self.texts("label", i.get("wording")), **self.texts("hint", i.get("help")),
               **self.texts("note", i.get("note")), **self.texts("unit", i.get("unit")),
               **self.texts("interviewer_label", (i.get("interviewer") or {}).get("wording")),
               **self.texts("interviewer_hint", (i.get("interviewer") or {}).get("help")),
               "relevant": i.get("relevance") or "", "scale": i.get("scale", "")}
        row["type"] = kind
        if "choices" in i:
            spec = self.choice_spec(code, i["choices"], row)
            if kind in SELECT_PREFIX:
                row["type"] = f"{SELECT_PREFIX[kind]} {spec}"
            else:
                row["choices"] = spec
        for key in NUMBER_COLUMNS:
            if key in i:
                row[key] = i[key]
        if "multiple" in i:
            row["multiple"] = "yes" if i["multiple"] else "no"
        if kind == "country" or "exclude" in i or "only" in i:
            row["exclude"], row["only"] = _codes(i.get("exclude")), _codes(i.get("only"))
        if i.get("labels"):
            row["relabel"] = self.add_list(generated_list(code, "relabel"), _relabel(i["labels"]))
        for key, what in (("rows", "rows"), ("parts", "rows"), ("columns", "columns"), ("extra_choices", "extra")):
            if i.get(key):
                column = "extra_choices" if key == "extra_choices" else ("rows" if key == "parts" else key)
                row[column] = self.add_list(generated_list(code, what), i[key])
        if i.get("anchors"):
            anchors = [{"code": int(k), "label": v} for k, v in i["anchors"].items()]
            row["anchors"] = self.add_list(generated_list(code, "anchors"), anchors)
        self.checks(code, i.get("checks") or [], row)
        for v in i.get("variants") or []:
            self.rows[VARIANTS].append({"item": code, "when": v.get("when", ""),
                                        **self.texts("label", v.get("wording"))})
        return row

    def checks(self, code: str, checks: list[dict], row: dict) -> None:
        for n, c in enumerate(checks):
            fields = {"constraint": c.get("assert", ""), "severity": c.get("severity", "")}
            if n == 0:  # the first check stays on the item's row, as XLSForm's constraint
                row.update(constraint=fields["constraint"], constraint_severity=fields["severity"],
                           **self.texts("constraint_message", c.get("message")))
            else:
                self.rows[CHECKS].append({"item": code, **fields, **self.texts("message", c.get("message"))})

    def derived(self, d: dict) -> None:
        name = str(d.get("name", ""))
        values = ""
        if d.get("values"):
            values = self.add_list(name, [{"code": k, "label": v} for k, v in d["values"].items()])
        self.rows[DERIVED].append({"name": name, "calculation": d.get("expr", ""),
                                   **self.texts("label", d.get("label")), "values": values,
                                   "type": d.get("type", ""), "note": d.get("note", "") or ""})

    def edit_rule(self, rule: dict) -> None:
        self.rows[EDIT_RULES].append({"id": rule.get("id", ""), "severity": rule.get("severity", ""),
                                      "condition": rule.get("condition", ""), "items": _codes(rule.get("items")),
                                      "weight": rule.get("weight", ""), **self.texts("message", rule.get("message"))})

    def table(self, t: dict) -> None:
        head = {"table": t.get("name", ""), "title": t.get("title", ""), "group": t.get("group", ""),
                "levels": _codes(t.get("levels"))}
        for n, block in enumerate(t.get("rows") or []):
            self.rows[TABLES].append({**(head if n == 0 else {"table": head["table"]}),
                                      "item": block.get("item", ""), "variables": _codes(block.get("variables")),
                                      "kind": block.get("kind", ""), "statistic": block.get("statistic", ""),
                                      "test": block.get("test", ""), "base": block.get("base", ""),
                                      "label": block.get("label", ""), "decimals": block.get("decimals", "")})


def _yes(value) -> str:
    return "yes" if value else ""


def _codes(values) -> str:
    return " ".join(str(v) for v in values or [])


def _relabel(labels: dict) -> list[dict]:
    return [{"code": code, "label": label} for code, label in labels.items()]


def _columns(sheet: str, rows: list[dict], languages: list[str]) -> list[str]:
    """Plain columns in layout order, then each text column per language; only columns in use."""
    used = {k for r in rows for k, v in r.items() if v not in (None, "")}
    texts = [f"{name}::{lang}" for name in TEXT_COLUMNS[sheet] for lang in languages]
    extra_langs = sorted({k for k in used if "::" in k} - set(texts))
    plain = [c for c in PLAIN_COLUMNS[sheet] if c in used or c in ("type", "name", "list_name", "form_id")]
    head = plain[:2] if sheet == SURVEY else plain
    rest = plain[2:] if sheet == SURVEY else []
    return [*head, *[c for c in texts if c in used], *extra_langs, *rest]


def workbook_bytes(raw: dict) -> bytes:
    """The authored definition as an .xlsx workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    sheets = _Sheets(raw).build()
    book = Workbook()
    book.remove(book.active)
    languages = list(raw.get("languages") or ["en"])
    for name in SHEETS:
        rows = sheets[name]
        if not rows and name not in (SURVEY, CHOICES, SETTINGS):
            continue
        sheet = book.create_sheet(name)
        columns = _columns(name, rows, languages)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for n, row in enumerate(rows, start=2):
            for m, column in enumerate(columns, start=1):
                value = row.get(column)
                if value in (None, ""):
                    continue
                cell = sheet.cell(row=n, column=m, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # a text, never a formula
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
