"""An XLSForm-like workbook -> the authored definition (the YAML structure), with every problem located.

Problems are collected, not raised one by one, each with its sheet, row (as the spreadsheet
numbers it, the header being row 1) and column, so an author fixes them all in one pass. Where a
later check (surveys.questionnaire.definitions) names an item, derived variable or module,
`origins` maps that name back to its row.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field

from surveys.authoring.layout import (
    BEGIN_GROUP,
    CHECKS,
    CHOICES,
    DERIVED,
    EDIT_RULES,
    END_GROUP,
    FALSE_WORDS,
    KIND_ALIASES,
    NUMBER_COLUMNS,
    PLAIN_COLUMNS,
    REF_PREFIX,
    SETTINGS,
    SURVEY,
    TABLES,
    TEXT_COLUMNS,
    TRUE_WORDS,
    VARIANTS,
    WELCOME_PARTS,
)
from surveys.authoring.xlsform import condition
from surveys.models import Item
from surveys.tabular import ImportFileError, xlsx_text

KINDS = {k.value for k in Item.Kind}
_LANG = re.compile(r"^(?P<name>[a-z_]+)::(?:.*\()?(?P<lang>[A-Za-z-]{2,8})\)?$")


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = self.sheet + (f" row {self.row}" if self.row else "")
        return f"{where}{f', column {self.column}' if self.column else ''}: {self.message}"


@dataclass
class Row:
    number: int
    cells: dict[str, str]
    texts: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class ReadResult:
    raw: dict
    problems: list[Problem]
    origins: dict[str, tuple[str, int]]  # "item B1" / "derived $X" / "module BA" -> (sheet, row)


class _Reader:
    def __init__(self, sheets: dict[str, list[list[str]]], code: str | None):
        self.sheets, self.code = sheets, code
        self.problems: list[Problem] = []
        self.origins: dict[str, tuple[str, int]] = {}
        self.default_language = "en"

    def problem(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message))

    # ------------------------------------------------------------ cells
    def rows(self, sheet: str) -> list[Row]:
        table = self.sheets.get(sheet) or []
        if not table:
            return []
        header = [h.strip() for h in table[0]]
        known = set(PLAIN_COLUMNS[sheet])
        out = []
        for column in header:
            match = _LANG.match(column)
            if column and column not in known and not (match and match["name"] in TEXT_COLUMNS[sheet]) \
                    and column not in TEXT_COLUMNS[sheet]:
                self.problem(sheet, 1, column, "unknown column (see docs/definition-format.md, Workbooks)")
        for number, values in enumerate(table[1:], start=2):
            if not any(v.strip() for v in values):
                continue
            cells, texts = {}, {}
            for column, value in zip(header, values, strict=False):  # short rows: blank cells
                match = _LANG.match(column)
                if match and match["name"] in TEXT_COLUMNS[sheet]:
                    if value.strip():
                        texts.setdefault(match["name"], {})[match["lang"]] = value.strip()
                elif column in TEXT_COLUMNS[sheet]:
                    if value.strip():
                        texts.setdefault(column, {})[self.default_language] = value.strip()
                elif column:
                    cells[column] = value.strip()
            out.append(Row(number, cells, texts))
        return out

    def flag(self, sheet: str, row: Row, column: str, default: bool | None = None) -> bool | None:
        text = row.get(column).casefold()
        if not text:
            return default
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        self.problem(sheet, row.number, column, f"{row.get(column)!r} is not yes or no")
        return default

    def number(self, sheet: str, row: Row, column: str):
        text = row.get(column)
        try:
            value = float(text)
        except ValueError:
            return text  # dates ("2019-01-01", "today") are checked by the engine
        return int(value) if value.is_integer() and "." not in text else value

    # ------------------------------------------------------------ sheets
    def run(self) -> dict:
        for sheet in (SURVEY, SETTINGS):
            if sheet not in self.sheets:
                self.problem(sheet, None, "", "the sheet is missing")
        if self.problems:
            return {}
        raw = self.settings()
        self.lists = self.choice_lists()
        self.used_lists: set[str] = set()
        raw["modules"] = self.survey()
        raw["choice_lists"] = {name: self.lists[name] for name in sorted(self.used_lists)}
        raw["derived"] = self.derived()
        self.extra_checks(raw)
        self.variants(raw)
        tables = self.tables()
        if tables:
            raw["tables"] = tables
        rules = self.edit_rules()
        if rules:
            raw["edit_rules"] = rules
        return raw

    def settings(self) -> dict:
        table = self.sheets[SETTINGS]
        header = [h.strip() for h in table[0]] if table else []
        first = table[1] if len(table) > 1 else []
        # plain `title`/`label` columns mean the default language, so read it before the texts
        languages = dict(zip(header, first, strict=False)).get("languages", "").split() or ["en"]
        self.default_language = languages[0]
        rows = self.rows(SETTINGS)
        if not rows:
            self.problem(SETTINGS, 2, "", "the settings sheet needs one row (form_id, title, languages)")
            return {}
        row = rows[0]
        code = self.code or row.get("form_id")
        if not code or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", code):
            self.problem(SETTINGS, row.number, "form_id", f"{code!r}: a questionnaire code is lower-case "
                         "letters, digits and hyphens (at most 60)")
        raw = {"code": code, "title": row.texts.get("title", {}), "languages": languages,
               "modes": row.get("modes").split() or ["web"], "missing_codes": row.get("missing_codes").split(),
               "notes_fields": bool(self.flag(SETTINGS, row, "notes_fields", False)),
               "intro": row.texts.get("intro", {})}
        if row.get("coding"):
            try:
                raw["coding"] = json.loads(row.get("coding"))
            except json.JSONDecodeError as exc:
                self.problem(SETTINGS, row.number, "coding", f"not valid JSON ({exc.msg})")
        if row.get("default_group"):
            raw["default_group"] = row.get("default_group")
        if row.get("edit_key_items"):
            raw["edit_key_items"] = row.get("edit_key_items").split()
        welcome = {part: row.texts[f"welcome_{part}"] for part in WELCOME_PARTS if row.texts.get(f"welcome_{part}")}
        if welcome:
            raw["welcome"] = welcome
        return raw

    def choice_lists(self) -> dict[str, list[dict]]:
        lists: dict[str, list[dict]] = {}
        for row in self.rows(CHOICES):
            name, code = row.get("list_name"), row.get("name")
            if not name or not code:
                self.problem(CHOICES, row.number, "list_name" if not name else "name", "is empty")
                continue
            entry = {"code": _code(code), "label": row.texts.get("label", {})}
            for key, column in (("help", "hint"), ("note", "note")):
                if row.texts.get(column):
                    entry[key] = row.texts[column]
            for key in ("exclusive", "other"):
                if self.flag(CHOICES, row, key, False):
                    entry[key] = True
            if row.get("relevant"):
                entry["relevance"] = condition(row.get("relevant"))
            lists.setdefault(name, []).append(entry)
        return lists

    def list_named(self, name: str, row: Row, column: str) -> list[dict]:
        if name not in self.lists:
            self.problem(SURVEY, row.number, column, f"no list {name!r} in the choices sheet")
            return []
        return self.lists[name]

    def survey(self) -> list[dict]:
        modules: list[dict] = []
        current: dict | None = None
        for row in self.rows(SURVEY):
            kind = row.get("type")
            if kind.casefold() in BEGIN_GROUP:
                if current is not None:
                    self.problem(SURVEY, row.number, "type", f"group {current['code']} is not closed "
                                 "(groups are pages and do not nest)")
                if not row.get("name"):
                    self.problem(SURVEY, row.number, "name", "a group needs a name (the page code)")
                current = {"code": row.get("name"), "title": row.texts.get("label", {}), "items": []}
                if row.get("relevant"):
                    current["relevance"] = condition(row.get("relevant"))
                self.origins[f"module {row.get('name')}"] = (SURVEY, row.number)
                modules.append(current)
            elif kind.casefold() in END_GROUP:
                current = None
            elif current is None:
                self.problem(SURVEY, row.number, "type", "every item belongs to a group (begin_group … end_group):"
                             " one group is one page")
            else:
                current["items"].append(self.item(row))
        return modules

    def item(self, row: Row) -> dict:
        code = row.get("name")
        self.origins[f"item {code}"] = (SURVEY, row.number)
        if not code:
            self.problem(SURVEY, row.number, "name", "an item needs a name (its stable code)")
        tokens = row.get("type").split()
        kind = KIND_ALIASES.get(tokens[0], tokens[0]) if tokens else ""
        if kind not in KINDS:
            self.problem(SURVEY, row.number, "type", f"unknown type {row.get('type')!r}")
            kind = "text"  # reported; read on as a text so the conditions are still checked
        item: dict = {"code": code, "type": kind, "wording": row.texts.get("label", {})}
        for key, column in (("help", "hint"), ("note", "note"), ("unit", "unit")):
            if row.texts.get(column):
                item[key] = row.texts[column]
        pairs = (("wording", "interviewer_label"), ("help", "interviewer_hint"))
        interviewer = {key: row.texts[column] for key, column in pairs if row.texts.get(column)}
        if interviewer:  # read out on the telephone instead of the web wording (docs/definition-format.md)
            item["interviewer"] = interviewer
        required = self.flag(SURVEY, row, "required", True)
        if required is False:
            item["required"] = False
        if row.get("relevant"):
            item["relevance"] = condition(row.get("relevant"))
        spec = tokens[1] if len(tokens) > 1 else row.get("choices")
        if spec:
            item["choices"] = self.choices(row, spec, kind)
        self.configure(item, row)
        if row.get("constraint"):
            check = {"assert": condition(row.get("constraint"), code),
                     "message": row.texts.get("constraint_message", {})}
            if row.get("constraint_severity"):
                check["severity"] = row.get("constraint_severity")
            item["checks"] = [check]
        return item

    def choices(self, row: Row, spec: str, kind: str):
        if spec.startswith(REF_PREFIX):
            out: dict = {"ref": spec[len(REF_PREFIX):]}
            for key in ("exclude", "only"):
                if row.get(key):
                    out[key] = [_code(c) for c in row.get(key).split()]
            if row.get("relabel"):
                out["labels"] = self.relabel(row)
            return out
        if spec not in self.lists:
            self.problem(SURVEY, row.number, "type", f"no list {spec!r} in the choices sheet")
            return []
        self.used_lists.add(spec)
        return spec

    def relabel(self, row: Row) -> dict:
        return {str(e["code"]): e["label"] for e in self.list_named(row.get("relabel"), row, "relabel")}

    def configure(self, item: dict, row: Row) -> None:
        for key in NUMBER_COLUMNS:
            if row.get(key):
                item[key] = self.number(SURVEY, row, key)
        if row.get("scale"):
            item["scale"] = row.get("scale")
        multiple = self.flag(SURVEY, row, "multiple")
        if multiple is not None:
            item["multiple"] = multiple
        if not isinstance(item.get("choices"), dict):
            for key in ("exclude", "only"):
                if row.get(key):
                    item[key] = [_code(c) for c in row.get(key).split()]
            if row.get("relabel"):
                item["labels"] = self.relabel(row)
        if row.get("rows"):
            item["parts" if item["type"] == "split100" else "rows"] = [
                {k: v for k, v in e.items() if k not in ("exclusive", "other")}
                for e in self.list_named(row.get("rows"), row, "rows")]
        if row.get("columns"):
            item["columns"] = self.list_named(row.get("columns"), row, "columns")
        if row.get("extra_choices"):
            item["extra_choices"] = self.list_named(row.get("extra_choices"), row, "extra_choices")
        if row.get("anchors"):
            item["anchors"] = {e["code"]: e["label"] for e in self.list_named(row.get("anchors"), row, "anchors")}

    def derived(self) -> list[dict]:
        out = []
        for row in self.rows(DERIVED):
            name = row.get("name")
            self.origins[f"derived {name}"] = (DERIVED, row.number)
            d = {"name": name, "label": row.texts.get("label", {}), "expr": condition(row.get("calculation")),
                 "note": row.get("note")}
            if not row.get("calculation"):
                self.problem(DERIVED, row.number, "calculation", "is empty")
            if row.get("values"):
                entries = self.lists.get(row.get("values"))
                if entries is None:
                    self.problem(DERIVED, row.number, "values", f"no list {row.get('values')!r} in the choices sheet")
                else:
                    d["values"] = {e["code"]: e["label"] for e in entries}
            if row.get("type"):
                d["type"] = row.get("type")
            out.append(d)
        return out

    def _item_rows(self, raw: dict) -> dict[str, dict]:
        return {i["code"]: i for m in raw["modules"] for i in m["items"]}

    def extra_checks(self, raw: dict) -> None:
        items = self._item_rows(raw)
        for row in self.rows(CHECKS):
            item = items.get(row.get("item"))
            if item is None:
                self.problem(CHECKS, row.number, "item", f"no item {row.get('item')!r} in the survey sheet")
                continue
            check = {"assert": condition(row.get("constraint"), row.get("item")),
                     "message": row.texts.get("message", {})}
            if row.get("severity"):
                check["severity"] = row.get("severity")
            item.setdefault("checks", []).append(check)

    def variants(self, raw: dict) -> None:
        items = self._item_rows(raw)
        for row in self.rows(VARIANTS):
            item = items.get(row.get("item"))
            if item is None:
                self.problem(VARIANTS, row.number, "item", f"no item {row.get('item')!r} in the survey sheet")
                continue
            item.setdefault("variants", []).append({"when": condition(row.get("when")),
                                                    "wording": row.texts.get("label", {})})

    def tables(self) -> list[dict]:
        tables: dict[str, dict] = {}
        for row in self.rows(TABLES):
            name = row.get("table")
            if not name:
                self.problem(TABLES, row.number, "table", "is empty (the name of the table this row belongs to)")
                continue
            table = tables.setdefault(name, {"name": name, "rows": []})
            self.origins.setdefault(f"table {name}", (TABLES, row.number))
            for key in ("title", "group"):
                if row.get(key):
                    table[key] = row.get(key)
            if row.get("levels"):
                table["levels"] = [_code(c) for c in row.get("levels").split()]
            block = {k: row.get(k) for k in ("item", "kind", "statistic", "test", "base", "label") if row.get(k)}
            if row.get("variables"):
                block["variables"] = row.get("variables").split()
            if row.get("decimals"):
                block["decimals"] = self.number(TABLES, row, "decimals")
            self.origins[f"table {name} row {len(table['rows']) + 1}"] = (TABLES, row.number)
            table["rows"].append(block)
        return list(tables.values())


    def edit_rules(self) -> list[dict]:
        """The edit_rules sheet: one rule a row (checked, and its errors named by rule, by the engine)."""
        rules = []
        for row in self.rows(EDIT_RULES):
            rule = {"id": row.get("id"), "severity": row.get("severity"), "condition": condition(row.get("condition")),
                    "message": row.texts.get("message", {}), "items": row.get("items").split()}
            if row.get("weight"):
                rule["weight"] = self.number(EDIT_RULES, row, "weight")
            self.origins[f"edit rule {row.get('id') or '?'}"] = (EDIT_RULES, row.number)
            rules.append(rule)
        return rules


def _code(text: str) -> int | str:
    """Choice codes: integers where the cell holds one (1, not 01), else the text."""
    stripped = text.strip()
    if stripped.lstrip("-").isdigit() and str(int(stripped)) == stripped:
        return int(stripped)
    return stripped


def workbook_sheets(content: bytes) -> dict[str, list[list[str]]]:
    """Every sheet of an XLSX workbook as rows of text, header first (cells as surveys.tabular reads them)."""
    from python_calamine import CalamineWorkbook

    if not content.startswith(b"PK\x03\x04"):
        raise ImportFileError("this is not an XLSX workbook")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
        return {name: [[xlsx_text(v) for v in row] for row in rows] for name, rows in sheets.items()}
    except Exception as exc:  # calamine raises its own types for a broken or non-XLSX file
        raise ImportFileError(f"the XLSX file is damaged or truncated ({exc.__class__.__name__})") from None


def workbook_read(sheets: dict[str, list[list[str]]], code: str | None = None) -> ReadResult:
    reader = _Reader(sheets, code)
    raw = reader.run()
    return ReadResult(raw=raw, problems=reader.problems, origins=reader.origins)
