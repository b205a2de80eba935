"""Study tables declared as data in a questionnaire's definition (`tables:` / the `tables` sheet).

A table has rows (items, derived variables or read-model columns), columns (the levels of one
grouping variable, plus the whole base), a statistic and a test per row. Each row becomes a report
block chosen the way the general items-by-group report chooses it, with the author's overrides,
so a new questionnaire gets published tables without a Python module.
"""
from __future__ import annotations

import dataclasses
import re

from analytics.reports.general import NAME as ITEMS_BY_GROUP
from analytics.reports.general import _block_for
from analytics.reports.spec import Block, Condition, Grouping, Report
from surveys.questionnaire.spec import Spec
from surveys.questionnaire.variables import column_name, variables_for

KINDS = ("categorical", "rates", "means", "likert", "selections")
STATISTICS = ("count_pct", "pct", "count", "mean", "mean_sd", "top", "dist")
TESTS = ("auto", "chi2", "fisher", "welch", "mann-whitney", "none")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
_CACHE: dict[str, list[Report]] = {}


def _key_column(key: str) -> str:
    return column_name(str(key))


def _base(text: str) -> str:
    """A base written with item codes ("Q1 == 1", "B1.T01 in (1, 2)") as a read-model condition."""
    head, _, rest = text.strip().partition(" ")
    return f"{_key_column(head)} {rest}".strip()


class _Builder:
    def __init__(self, definition: dict):
        self.spec = Spec(definition)
        self.variables = variables_for(self.spec)
        self.by_name = {v.name: v for v in self.variables}
        self.errors: list[str] = []

    def block(self, where: str, n: int, row: dict) -> Block | None:
        override = {k: row[k] for k in ("statistic", "test", "decimals") if row.get(k) not in (None, "")}
        for key, allowed in (("statistic", STATISTICS), ("test", TESTS), ("kind", KINDS)):
            if row.get(key) and row[key] not in allowed:
                self.errors.append(f"{where}: {key} {row[key]!r} is not one of {', '.join(allowed)}")
        bases = tuple(_base(b) for b in str(row.get("base") or "").split(";") if b.strip())
        for text in bases:
            self.condition(where, text)
        if row.get("variables"):
            names = tuple(_key_column(v) for v in row["variables"])
            for name in names:
                if name not in self.by_name:
                    self.errors.append(f"{where}: {name!r} is not a variable of this questionnaire")
            kind = row.get("kind") or "rates"
            block = Block(f"row-{n}", row.get("label") or ", ".join(names), kind, names)
        else:
            block = self.item_block(where, str(row.get("item") or ""))
            if block is None:
                return None
            if row.get("kind"):
                override["kind"] = row["kind"]
        if row.get("label"):
            override["title"] = row["label"]
        return dataclasses.replace(block, id=f"row-{n}", base=bases, **override)

    def item_block(self, where: str, code: str) -> Block | None:
        if not code:
            self.errors.append(f"{where}: name an item (or variables)")
            return None
        item = self.spec.items.get(code)
        wanted = column_name(code)
        found = [v for v in self.variables if (v.item == code if item else v.name == wanted)]
        for variable in found:
            block = _block_for(variable, item.kind if item else "")
            if block:
                return block[1]
        self.errors.append(f"{where}: {code!r} is not an item or derived variable that can be tabulated")
        return None

    def condition(self, where: str, text: str) -> None:
        try:
            condition = Condition.parse(text)
        except (ValueError, SyntaxError):
            self.errors.append(f"{where}: cannot read base {text!r} (e.g. \"Q1 == 1\", \"Q2 in (1, 2)\")")
            return
        if condition.column not in self.by_name:
            self.errors.append(f"{where}: base {text!r} names no variable of this questionnaire")

    def report(self, table: dict, seen: set[str]) -> Report | None:
        name = str(table.get("name") or "")
        where = f"table {name}"
        if not _NAME.match(name) or name == ITEMS_BY_GROUP:
            self.errors.append(f"{where}: a table name is lower-case letters, digits and hyphens")
        if name in seen:
            self.errors.append(f"{where}: duplicate table name")
        seen.add(name)
        group = _key_column(table["group"]) if table.get("group") else ""
        if group and group not in self.by_name:
            self.errors.append(f"{where}: group {table['group']!r} is not a variable of this questionnaire")
        blocks = [self.block(f"{where} row {n}", n, row) for n, row in enumerate(table.get("rows") or [], start=1)]
        if not blocks:
            self.errors.append(f"{where}: a table needs at least one row")
        grouping = Grouping(column=group, levels=tuple(table.get("levels") or ()), whole_label="All respondents")
        return Report(name=name, title=str(table.get("title") or name), instrument=self.spec.code,
                      source="declared", grouping=grouping, blocks=tuple(b for b in blocks if b))


def tables_build(definition: dict) -> tuple[list[Report], list[str]]:
    """The declared tables of a normalised definition as reports, and the problems found."""
    builder = _Builder(definition)
    seen: set[str] = set()
    reports = [builder.report(t, seen) for t in definition.get("tables") or []]
    return [r for r in reports if r], builder.errors


def tables_check(definition: dict) -> list[str]:
    return tables_build(definition)[1] if definition.get("tables") else []


def declared_reports(definition: dict) -> list[Report]:
    """Reports of a stored definition (checked when it was stored), cached per checksum."""
    if not definition.get("tables"):
        return []
    key = definition.get("checksum", "")
    if key not in _CACHE:
        _CACHE[key] = tables_build(definition)[0]
    return _CACHE[key]
