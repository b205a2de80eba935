"""A questionnaire version compiled for use: items, the answer keys they store, conditions.

Built from the version's frozen definition (one row), cached per version id: versions never
change once stored, so the cache needs no invalidation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from surveys.questionnaire.texts import t_all

from .conditions import Compiler, ConditionError, parse_cached, references, truthy

CHOICE_KINDS = {"single", "yesno", "likert5"}
NUMBER_KINDS = {"numeric", "percent", "year"}
TEXT_KINDS = {"text", "longtext"}


@dataclass
class ChoiceSpec:
    code: int | str
    label: dict
    help: dict = field(default_factory=dict)
    exclusive: bool = False
    other: bool = False
    note: dict = field(default_factory=dict)


@dataclass
class FieldSpec:
    """One stored answer key: an item's value, a grid row, a split part, an 'other' text."""

    key: str
    item: ItemSpec
    kind: str  # choice | multi | number | text | date
    label: dict
    help: dict = field(default_factory=dict)
    relevance: str = ""
    required: bool = True
    choices: list[ChoiceSpec] = field(default_factory=list)
    role: str = "value"  # value | row | part | other | notes

    @property
    def value_type(self) -> str:
        if self.kind in ("text", "date"):
            return "str"
        if self.kind == "number":
            return "num"
        if self.choices and all(isinstance(c.code, int) for c in self.choices):
            return "int"
        return "str"


@dataclass
class ItemSpec:
    code: str
    kind: str
    module: str
    wording: dict
    help: dict
    required: bool
    relevance: str
    config: dict
    choices: list[ChoiceSpec]
    rows: list[dict]
    columns: list[dict]
    checks: list[dict]
    variants: list[dict]
    note: dict = field(default_factory=dict)
    interviewer: dict = field(default_factory=dict)  # {"wording": ..., "help": ...} read out on the telephone
    fields: list[FieldSpec] = field(default_factory=list)

    def texts_for(self, audience: str) -> tuple[dict, dict]:
        """(wording, help) for the web respondent or, where the item has its own, for the interviewer."""
        if audience == "interviewer" and self.interviewer:
            return self.interviewer.get("wording") or self.wording, self.interviewer.get("help") or self.help
        return self.wording, self.help

    @property
    def multiple(self) -> bool:
        return self.kind == "multi" or (self.kind == "country" and self.config.get("multiple", False))

    def choice(self, code) -> ChoiceSpec | None:
        text = str(code)
        return next((c for c in self.choices if str(c.code) == text), None)


@dataclass
class ModuleSpec:
    code: str
    title: dict
    relevance: str
    items: list[ItemSpec]


@dataclass
class DerivedSpec:
    name: str
    label: dict
    expr: str
    values: dict
    note: str
    type: str


class Spec:
    def __init__(self, definition: dict, version_id: int | None = None):
        self.definition = definition
        self.version_id = version_id
        self.code = definition["code"]
        self.checksum = definition.get("checksum", "")
        self.languages = definition.get("languages", ["en"])
        self.missing_codes = definition.get("missing_codes", [])
        self.notes_fields = definition.get("notes_fields", False)
        self.modules = [self._module(m) for m in definition["modules"]]
        self.items = {i.code: i for m in self.modules for i in m.items}
        self.fields = {f.key: f for i in self.items.values() for f in i.fields}
        self.derived = [DerivedSpec(**d) for d in definition.get("derived", [])]
        self.derived_by_name = {d.name: d for d in self.derived}
        self.edit_rules: list[dict] = definition.get("edit_rules", [])
        self.edit_key_items: list[str] = definition.get("edit_key_items", [])
        self._compiler = Compiler(grids={i.code: [f.key for f in i.fields if f.role == "row"]
                                         for i in self.items.values() if i.kind == "grid"})
        self._fns: dict[str, object] = {}

    # ------------------------------------------------------------ building
    def _module(self, m: dict) -> ModuleSpec:
        items = [self._item(i, m["code"]) for i in m["items"]]
        return ModuleSpec(m["code"], m.get("title", {}), m.get("relevance", ""), items)

    def _item(self, d: dict, module: str) -> ItemSpec:
        choices = [ChoiceSpec(**c) for c in d.get("choices", [])]
        item = ItemSpec(
            code=d["code"], kind=d["kind"], module=module, wording=d.get("wording", {}),
            help=d.get("help", {}), required=d.get("required", True), relevance=d.get("relevance", ""),
            config=d.get("config", {}), choices=choices, rows=d.get("rows", []),
            columns=d.get("columns", []), checks=d.get("checks", []), variants=d.get("variants", []),
            note=d.get("note", {}), interviewer=d.get("interviewer", {}),
        )
        item.fields = list(self._fields(item))
        return item

    def _fields(self, item: ItemSpec):
        base = dict(item=item, help=item.help, required=item.required)
        yield from FIELD_BUILDERS.get(item.kind, _plain_fields)(item, base)
        if self.notes_fields:
            yield FieldSpec(key=f"{item.code}.notes", kind="text", label={"en": "Interviewer notes"}, role="notes",
                            **{**base, "required": False})

    # ------------------------------------------------------------ conditions
    def fn(self, text: str):
        """The compiled closure of a condition (cached per text)."""
        f = self._fns.get(text)
        if f is None:
            f = self._fns[text] = self._compiler.compile(parse_cached(text))
        return f

    def known_names(self) -> set[str]:
        names = set(self.fields) | set(self.items)
        return names | {d.name for d in self.derived}

    def check_conditions(self) -> list[str]:
        """Every condition parses and refers to known names; returns errors naming the item."""
        errors: list[str] = []
        known = self.known_names()
        seen_derived: set[str] = set()

        def check(where: str, text: str, allowed: set[str]):
            if not text:
                return
            try:
                node = parse_cached(text)
                self.fn(text)
            except ConditionError as exc:
                errors.append(f"{where}: {exc}")
                return
            unknown = sorted(references(node) - allowed)
            if unknown:
                errors.append(f"{where}: {text!r} refers to unknown {', '.join(unknown)}")

        for d in self.derived:
            check(f"derived {d.name}", d.expr, (known - {x.name for x in self.derived}) | seen_derived)
            seen_derived.add(d.name)
        for m in self.modules:
            check(f"module {m.code} relevance", m.relevance, known)
            for i in m.items:
                check(f"item {i.code} relevance", i.relevance, known)
                for r in i.rows:
                    check(f"item {i.code} row {r['code']} relevance", r.get("relevance", ""), known)
                for c in i.checks:
                    check(f"item {i.code} check", c.get("assert", ""), known)
                for v in i.variants:
                    check(f"item {i.code} variant", v.get("when", ""), known)
        for rule in self.edit_rules:
            check(f"edit rule {rule['id']}", rule["condition"], known)
            unknown = sorted(set(rule["items"]) - set(self.fields) - set(self.items))
            if unknown:
                errors.append(f"edit rule {rule['id']}: unknown items {', '.join(unknown)}")
        unknown = sorted(k for k in self.edit_key_items if self.fields.get(k) is None
                         or self.fields[k].kind != "number")
        if unknown:
            errors.append(f"edit_key_items: {', '.join(unknown)} are not numeric answers")
        return errors

    # ------------------------------------------------------------ evaluation
    def env(self, answers: dict) -> Env:
        """Answers as the condition language sees them, with derived variables on demand."""
        return Env(self, answers)

    def compute_derived(self, answers: dict) -> dict:
        return Env(self, answers).derived()

    def relevant(self, text: str, env: dict) -> bool:
        return True if not text else truthy(self.fn(text)(env))

    @cached_property
    def item_order(self) -> list[ItemSpec]:
        return [i for m in self.modules for i in m.items]

    def module(self, code: str) -> ModuleSpec:
        return next(m for m in self.modules if m.code == code)


class Env(dict):
    """Answers keyed by code (missing codes read as missing); `$NAME` computed on demand.

    A derived variable is evaluated only when a condition asks for it (with the derived
    variables it reads), and remembered until an answer changes: page validation and bulk
    generation then cost a few closures per item instead of every derived expression.
    """

    def __init__(self, spec: Spec, answers: dict):
        super().__init__((k, None if isinstance(v, dict) else v) for k, v in answers.items())
        self.spec = spec
        self._memo: dict = {}

    def set(self, key: str, value) -> None:
        self[key] = None if isinstance(value, dict) else value
        self._memo = {}

    def drop(self, key: str) -> None:
        if self.pop(key, None) is not None:
            self._memo = {}

    def get(self, key, default=None):
        if key[:1] != "$":
            return super().get(key, default)
        memo = self._memo
        if key not in memo:
            derived = self.spec.derived_by_name.get(key)
            if derived is None:
                return default
            value = self.spec.fn(derived.expr)(self)
            memo[key] = int(value) if isinstance(value, bool) else value
        return memo[key]

    def derived(self) -> dict:
        return {d.name: self.get(d.name) for d in self.spec.derived}


def _join(a: dict, b: dict) -> dict:
    return {lang: f"{a.get(lang, a.get('en', ''))} – {b.get(lang, b.get('en', ''))}" for lang in set(a) | set(b)}


_CACHE: dict[int, Spec] = {}


def spec_for_version(version) -> Spec:
    """The compiled spec of a QuestionnaireVersion (cached: versions are immutable)."""
    spec = _CACHE.get(version.pk)
    if spec is None or spec.checksum != version.checksum:
        spec = _CACHE[version.pk] = Spec(version.definition, version.pk)
    return spec


# ------------------------------------------------------------ the fields of each item kind
def _other_field(key: str, base: dict) -> FieldSpec:
    return FieldSpec(key=f"{key}.other", kind="text", label=t_all("other_specify"), role="other",
                     **{**base, "required": False})


def _grid_fields(item: ItemSpec, base: dict):
    """One field per row (per row and column when the grid has columns), plus a row's "other" text."""
    cell = "multi" if item.config.get("scale", "single") == "multi" else "choice"
    for row in item.rows:
        keys = [(f"{item.code}.{row['code']}.{c['code']}", c) for c in item.columns] or [
            (f"{item.code}.{row['code']}", None)]
        for key, col in keys:
            label = row.get("label", {}) if col is None else _join(row.get("label", {}), col.get("label", {}))
            row_base = {**base, "help": row.get("help", {}), "required": item.required and cell != "multi"}
            yield FieldSpec(key=key, kind=cell, label=label, choices=item.choices, role="row",
                            relevance=row.get("relevance", ""), **row_base)
        if any(c.other for c in item.choices):
            yield _other_field(f"{item.code}.{row['code']}", base)


def _split_fields(item: ItemSpec, base: dict):
    """One number per part; the parts must add up to 100 (checked in validation)."""
    for part in item.rows:
        yield FieldSpec(key=f"{item.code}.{part['code']}", kind="number", label=part.get("label", {}),
                        role="part", **base)


def _plain_fields(item: ItemSpec, base: dict):
    """One field for the item, plus its "other, please specify" text."""
    kind = PLAIN_FIELD_KIND.get(item.kind, "text")
    if item.kind == "country" and item.config.get("multiple"):
        kind = "multi"
    yield FieldSpec(key=item.code, kind=kind, label=item.wording, choices=item.choices, **base)
    if any(c.other for c in item.choices):
        yield _other_field(item.code, base)


FIELD_BUILDERS = {"grid": _grid_fields, "split100": _split_fields}
PLAIN_FIELD_KIND = {**{k: "choice" for k in CHOICE_KINDS}, **{k: "number" for k in NUMBER_KINDS},
                    "multi": "multi", "country": "choice", "date": "date"}
