"""Which column of the wide layout feeds which answer key, for one questionnaire version."""
from __future__ import annotations

from analytics.data.imports.cells import MISSING_CELLS, NOT_APPLICABLE_CELL, formula_unescape
from surveys.questionnaire.spec import Spec
from surveys.questionnaire.variables import Variable, variables_for


class Layout:
    """Which column feeds which answer key in one questionnaire version."""

    def __init__(self, spec: Spec, number: int, all_names: set[str]):
        self.spec, self.number = spec, number
        self.values: dict[str, Variable] = {}  # column -> variable (one answer key each)
        self.choices: dict[str, list[Variable]] = {}  # multi answer key -> its 0/1 columns
        own = variables_for(spec)
        for v in own:
            if v.role == "choice":
                self.choices.setdefault(v.key, []).append(v)
            elif v.role != "derived":
                self.values[v.name] = v
        self.derived = {v.name for v in own if v.role == "derived"}
        self.lists = {n for n, v in self.values.items() if spec.fields[v.key].kind == "multi"}  # "FR;DE"
        self.foreign = all_names - {v.name for v in own}  # columns of other versions
        self.key_columns = {v.key: [v.name] for v in self.values.values()}
        self.key_columns.update({k: [v.name for v in vs] for k, vs in self.choices.items()})
        for item in spec.items.values():
            self.key_columns.setdefault(item.code, [c for f in item.fields for c in self.key_columns.get(f.key, [])])

    def raw(self, cells: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
        raw: dict = {}
        problems: list[tuple[str, str]] = []
        for name, v in self.values.items():
            text = cells.get(name, "")
            if text != "":
                raw[v.key] = self._cell(v, text)
        for key, columns in self.choices.items():
            value, problem = self._multi(columns, cells)
            if problem:
                problems.append((columns[0].name, problem))
            elif value is not None:
                raw[key] = value
        for name in self.foreign:
            if cells.get(name, "") not in ("", NOT_APPLICABLE_CELL):
                problems.append((name, f"not part of version {self.number} of the questionnaire (this wave's)"))
        return raw, problems

    def _cell(self, v: Variable, text: str):
        if v.type == "str":
            value = formula_unescape(text)
            return value.split(";") if v.name in self.lists else value
        if text == NOT_APPLICABLE_CELL:
            return None
        return MISSING_CELLS.get(text, text)

    @staticmethod
    def _multi(columns: list[Variable], cells: dict[str, str]):
        values = {cells.get(v.name, "") for v in columns}
        if values <= {"", NOT_APPLICABLE_CELL}:
            return None, ""
        missing = values & set(MISSING_CELLS)
        if missing:
            if len(values) > 1:
                return None, "a don't-know/refused code must be in every column of the question"
            return MISSING_CELLS[missing.pop()], ""
        if not values <= {"0", "1"}:
            bad = sorted(values - {"0", "1"})[0]
            return None, f"{bad!r} is not 0 or 1 (multiple choice: one 0/1 column per choice)"
        return [v.choice for v in columns if cells.get(v.name) == "1"], ""


