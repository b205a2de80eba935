"""Instrument definition files (YAML) -> normalised definitions -> questionnaire versions.

A definition is checked completely before anything is written; every problem is reported
with the item code it belongs to. Loading is idempotent: an unchanged file changes nothing,
a changed file rewrites a version nobody answered yet or else becomes a new version.
"""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pycountry
import yaml
from django.db import transaction

from surveys.models import (
    Choice,
    DerivedVariable,
    Item,
    ItemRow,
    Module,
    Questionnaire,
    QuestionnaireVersion,
    ReferenceEntry,
    ReferenceList,
)
from surveys.questionnaire.spec import Spec
from surveys.questionnaire.texts import t_all

logger = logging.getLogger("surveys.instruments")
INSTRUMENT_DIR = Path(__file__).resolve().parent / "instruments"
REFERENCE_FILE = INSTRUMENT_DIR / "reference_lists.yaml"
KINDS = {k.value for k in Item.Kind}
EDIT_SEVERITIES = ("hard", "soft")
CONFIG_KEYS = ("min", "max", "decimals", "unit", "max_selections", "min_selections", "multiple", "scale",
               "anchors", "max_length", "exclude", "only")


class DefinitionError(ValueError):
    def __init__(self, source: str, errors: list[str]):
        self.errors = errors
        super().__init__(f"{source}: " + "; ".join(errors))


# ------------------------------------------------------------------ reference lists
def country_entries() -> list[dict]:
    """ISO 3166-1 alpha-2 countries with names in English, Italian and Spanish."""
    translators = {}
    for lang in ("it", "es"):
        try:
            import gettext

            translators[lang] = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]).gettext
        except OSError:  # pragma: no cover - locale files ship with pycountry
            translators[lang] = str
    entries = []
    for country in sorted(pycountry.countries, key=lambda c: c.name):
        label = {"en": country.name, **{lang: tr(country.name) for lang, tr in translators.items()}}
        entries.append({"code": country.alpha_2, "label": label, "definition": {}, "attributes": {}})
    return entries


def read_reference_lists(path: Path = REFERENCE_FILE) -> dict[str, dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {"lists": []}
    lists = {}
    for raw in data.get("lists", []):
        entries = [{"code": str(e["code"]), "label": e.get("label", {}), "definition": e.get("definition", {}),
                    "attributes": e.get("attributes", {}) or {}} for e in raw.get("entries", [])]
        lists[raw["code"]] = {"title": raw.get("title", {}), "entries": entries}
    lists["COUNTRY"] = {"title": {"en": "Countries (ISO 3166-1)"}, "entries": country_entries()}
    return lists


@transaction.atomic
def reference_lists_store(lists: dict[str, dict]) -> None:
    for code, data in lists.items():
        ref, _ = ReferenceList.objects.update_or_create(code=code, defaults={"title": data["title"]})
        existing = {e.code: e for e in ref.entries.all()}
        fresh = []
        for position, entry in enumerate(data["entries"], start=1):
            values = dict(position=position, label=entry["label"], definition=entry["definition"],
                          attributes=entry["attributes"])
            row = existing.get(entry["code"])
            if row is None:
                fresh.append(ReferenceEntry(reference_list=ref, code=entry["code"], **values))
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.save()
        ReferenceEntry.objects.bulk_create(fresh)


# ------------------------------------------------------------------ normalisation
class _Normaliser:
    def __init__(self, raw: dict, refs: dict[str, dict]):
        self.raw, self.refs = raw, refs
        self.errors: list[str] = []
        self.warnings: list[str] = []  # texts missing in a declared language: loaded, but reported
        self.languages = raw.get("languages", ["en"])

    def run(self) -> dict:
        raw = self.raw
        for key in ("code", "modules"):
            if key not in raw:
                self.errors.append(f"missing top-level key {key!r}")
        if self.errors:
            return {}
        definition = {
            "code": raw["code"], "title": raw.get("title", {}), "languages": self.languages,
            "modes": raw.get("modes", ["web"]), "missing_codes": raw.get("missing_codes", []),
            "notes_fields": bool(raw.get("notes_fields", False)), "intro": raw.get("intro", {}),
            "coding": raw.get("coding", {}), **({"welcome": raw["welcome"]} if raw.get("welcome") else {}),
            "modules": [self.module(m) for m in raw["modules"]],
        }
        definition["derived"] = [self.derived(d, definition) for d in raw.get("derived", []) or []]
        for key in ("tables", "default_group"):  # only when declared: older checksums stay valid
            if raw.get(key):
                definition[key] = raw[key]
        if raw.get("edit_rules"):
            definition["edit_rules"] = [self.edit_rule(r) for r in raw["edit_rules"]]
        if raw.get("edit_key_items"):
            definition["edit_key_items"] = [str(code) for code in raw["edit_key_items"]]
        self.duplicates(definition)
        return definition

    def untranslated(self, where: str, texts) -> None:
        """A text given in some languages but not in every language the instrument declares."""
        if isinstance(texts, dict) and texts and not all(str(v).strip().isdigit() for v in texts.values()):
            for language in self.languages:
                if not texts.get(language):
                    self.warnings.append(f"{where}: no {language} text")

    def module(self, m: dict) -> dict:
        self.untranslated(f"module {m.get('code')} title", m.get("title"))
        return {"code": str(m["code"]), "title": m.get("title", {}), "relevance": m.get("relevance") or "",
                "items": [self.item(i) for i in m.get("items", [])]}

    def item(self, i: dict) -> dict:
        code = str(i.get("code", "?"))
        kind = i.get("type")
        if kind not in KINDS:
            self.errors.append(f"item {code}: unknown type {kind!r}")
            kind = "text"
        if not (i.get("wording") or {}).get("en"):
            self.errors.append(f"item {code}: English wording is missing")
        config = {k: i[k] for k in CONFIG_KEYS if k in i}
        for part in ("wording", "help"):
            self.untranslated(f"item {code} {part}", i.get(part))
        for r in (i.get("rows") or i.get("parts") or []):
            self.untranslated(f"item {code} row {r.get('code')} label", r.get("label"))
        rows = [self.row(r) for r in (i.get("rows") or i.get("parts") or [])]
        if kind in ("grid", "split100") and not rows:
            self.errors.append(f"item {code}: a {kind} needs rows/parts")
        interviewer = i.get("interviewer") or {}  # wording and help read out by an interviewer, if different
        return {
            "code": code, "kind": kind, "wording": i.get("wording", {}), "help": i.get("help", {}) or {},
            **({"interviewer": {"wording": interviewer.get("wording") or {}, "help": interviewer.get("help") or {}}}
               if interviewer else {}),
            "note": i.get("note", {}) or {},
            "required": bool(i.get("required", True)), "relevance": i.get("relevance") or "",
            "config": config, "choices": self.choices_for(code, kind, i), "rows": rows,
            "columns": [self.row(c) for c in i.get("columns", []) or []],
            "checks": [self.check(code, c) for c in i.get("checks", []) or []],
            "variants": [{"when": v["when"], "wording": v.get("wording", {})} for v in i.get("variants", []) or []],
        }

    def row(self, r: dict) -> dict:
        return {"code": str(r["code"]), "label": r.get("label", {}), "help": r.get("help", {}) or {},
                "note": r.get("note", {}) or {}, "relevance": r.get("relevance") or ""}

    def check(self, code: str, c: dict) -> dict:
        if "assert" not in c:
            self.errors.append(f"item {code}: a check needs 'assert'")
        severity = c.get("severity", "error")
        if severity not in ("error", "warning"):
            self.errors.append(f"item {code}: check severity must be error or warning")
        return {"assert": c.get("assert", "true"), "message": c.get("message", {}), "severity": severity}

    def edit_rule(self, r) -> dict:
        """An edit rule of the data editors (docs/editing.md): a condition that must hold after submission."""
        if not isinstance(r, dict):
            self.errors.append(f"edit rule {r!r}: a rule is a mapping with id, severity, condition, message, items")
            return {}
        rule_id = str(r.get("id") or "?")
        if not r.get("id"):
            self.errors.append("edit rule ?: an edit rule needs an id")
        if r.get("severity") not in EDIT_SEVERITIES:
            self.errors.append(f"edit rule {rule_id}: severity must be hard or soft, not {r.get('severity')!r}")
        if not str(r.get("condition") or "").strip():
            self.errors.append(f"edit rule {rule_id}: the condition is missing")
        message = r.get("message") or {}
        if not isinstance(message, dict) or not message.get("en"):
            self.errors.append(f"edit rule {rule_id}: the English message is missing")
            message = {}
        self.untranslated(f"edit rule {rule_id} message", message)
        items = r.get("items") or []
        if not isinstance(items, list) or not items:
            self.errors.append(f"edit rule {rule_id}: list the items the rule involves")
            items = []
        weight = r.get("weight")
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0):
            self.errors.append(f"edit rule {rule_id}: weight must be a positive number")
            weight = None
        return {"id": rule_id, "severity": r.get("severity", "hard"), "condition": str(r.get("condition") or ""),
                "message": message, "items": [str(i) for i in items],
                **({"weight": float(weight)} if weight is not None else {})}

    # -------------------------------------------------------------- choices
    def choices_for(self, code: str, kind: str, i: dict) -> list[dict]:
        scale = i.get("scale") if kind == "grid" else kind
        if scale == "yesno":
            return [self.choice({"code": 1, "label": t_all("yes")}), self.choice({"code": 0, "label": t_all("no")})]
        if scale == "likert5":
            anchors = {int(k): v for k, v in (i.get("anchors") or {}).items()}
            return [self.choice({"code": n, "label": _anchor(n, anchors.get(n))}) for n in range(1, 6)]
        if kind == "country":
            return self.country_choices(code, i)
        if scale in ("single", "multi"):
            spec = i.get("choices")
            if spec is None:
                self.errors.append(f"item {code}: choices are missing")
                return []
            return self.resolve(code, spec)
        return []

    def resolve(self, code: str, spec) -> list[dict]:
        if isinstance(spec, str):
            named = (self.raw.get("choice_lists") or {}).get(spec)
            if named is None:
                self.errors.append(f"item {code}: unknown choice list {spec!r}")
                return []
            return [self.choice(c) for c in named]
        if isinstance(spec, dict):
            return self.from_reference(code, spec)
        return [self.choice(c) for c in spec]

    def from_reference(self, code: str, spec: dict) -> list[dict]:
        ref = self.refs.get(spec.get("ref", ""))
        if ref is None:
            self.errors.append(f"item {code}: unknown reference list {spec.get('ref')!r}")
            return []
        exclude = {str(x) for x in spec.get("exclude", [])}
        only = {str(x) for x in spec.get("only", [])}
        relabel = spec.get("labels", {}) or {}
        out = []
        for e in ref["entries"]:
            if e["code"] in exclude or (only and e["code"] not in only):
                continue
            attrs = e["attributes"]
            out.append(self.choice({"code": e["code"], "label": relabel.get(e["code"], e["label"]),
                                    "help": e["definition"], "other": attrs.get("other", False),
                                    "exclusive": attrs.get("exclusive", False)}))
        return out

    def country_choices(self, code: str, i: dict) -> list[dict]:
        choices = self.from_reference(code, {"ref": "COUNTRY", "exclude": i.get("exclude", []),
                                             "only": i.get("only", []), "labels": i.get("labels", {})})
        return choices + [self.choice(c) for c in i.get("extra_choices", []) or []]

    def choice(self, c: dict) -> dict:
        code = c.get("code")
        if isinstance(code, bool) or code is None:
            self.errors.append(f"choice code {code!r} of {c.get('label', {}).get('en', '?')!r}: quote codes "
                               "such as 'NO' or 'ON' (YAML reads them as booleans)")
            code = str(code)
        self.untranslated(f"choice {code}", c.get("label"))
        return {"code": code if isinstance(code, int) else str(code), "label": c.get("label", {}),
                "help": c.get("help", {}) or {}, "note": c.get("note", {}) or {},
                "exclusive": bool(c.get("exclusive", False)), "other": bool(c.get("other", False))}

    # -------------------------------------------------------------- derived, duplicates
    def derived(self, d: dict, definition: dict) -> dict:
        name = d.get("name", "?")
        if not str(name).startswith("$"):
            self.errors.append(f"derived {name}: names start with $")
        values = {str(k): v for k, v in (d.get("values") or {}).items()}
        return {"name": name, "label": d.get("label", {}), "expr": str(d.get("expr", "")), "values": values,
                "note": d.get("note", ""), "type": d.get("type") or _derived_type(d, values, definition)}

    def duplicates(self, definition: dict) -> None:
        seen: set[str] = set()
        for m in definition["modules"]:
            for i in m["items"]:
                if i["code"] in seen:
                    self.errors.append(f"item {i['code']}: duplicate code")
                seen.add(i["code"])
                codes = [str(c["code"]) for c in i["choices"]]
                if len(codes) != len(set(codes)):
                    self.errors.append(f"item {i['code']}: duplicate choice codes")
        rule_ids = [r.get("id") for r in definition.get("edit_rules", [])]
        for rule_id in sorted({x for x in rule_ids if rule_ids.count(x) > 1}):
            self.errors.append(f"edit rule {rule_id}: duplicate id")


def _anchor(n: int, label: dict | None) -> dict:
    if not label:
        return {"en": str(n)}
    return {lang: f"{n} – {text}" for lang, text in label.items()}


def _derived_type(d: dict, values: dict, definition: dict) -> str:
    if values:
        return "num" if all(_intlike(k) for k in values) else "str"
    expr = str(d.get("expr", "")).strip()
    for m in definition["modules"]:
        for i in m["items"]:
            if i["code"] == expr and i["choices"] and not all(isinstance(c["code"], int) for c in i["choices"]):
                return "str"
    return "num"


def _intlike(text: str) -> bool:
    return text.lstrip("-").isdigit()


def normalise(raw: dict, refs: dict[str, dict], source: str = "definition") -> dict:
    normaliser = _Normaliser(raw, refs)
    definition = normaliser.run()
    for warning in dict.fromkeys(normaliser.warnings):
        logger.warning("%s: %s", source, warning)
    errors = normaliser.errors
    if not errors:
        spec = Spec(definition)
        errors = spec.check_conditions()
    if errors:
        raise DefinitionError(source, errors)
    definition["checksum"] = checksum(definition)
    return definition


def checksum(definition: dict) -> str:
    body = {k: v for k, v in definition.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# ------------------------------------------------------------------ storing versions
@transaction.atomic
def version_store(definition: dict, source: dict | None = None) -> tuple[QuestionnaireVersion, str]:
    """Store a normalised definition; returns the version and what happened (unchanged/rewritten/created).

    `source` (source_name, source_format, source_checksum, source_file, authored) records the file
    the definition came from; an unchanged definition keeps the source it was first stored with.
    """
    source = source or {}
    questionnaire, _ = Questionnaire.objects.get_or_create(code=definition["code"])
    if questionnaire.title != definition["title"]:
        questionnaire.title = definition["title"]
        questionnaire.save(update_fields=["title"])
    latest = questionnaire.versions.select_for_update().order_by("-number").first()
    if latest and latest.checksum == definition["checksum"]:
        if source and not latest.source_checksum:  # versions stored before sources were kept
            QuestionnaireVersion.objects.filter(pk=latest.pk).update(**source)
        return latest, "unchanged"
    fields = dict(checksum=definition["checksum"], definition=definition, languages=definition["languages"],
                  modes=definition["modes"], missing_codes=definition["missing_codes"], **source)
    if latest and not latest.is_fielded():
        QuestionnaireVersion.objects.filter(pk=latest.pk).update(**fields)
        latest.refresh_from_db()
        latest.modules.all().delete()
        latest.derived.all().delete()
        _store_rows(latest, definition)
        return latest, "rewritten"
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=(latest.number + 1 if latest else 1), **fields)
    _store_rows(version, definition)
    return version, "created"


def _store_rows(version: QuestionnaireVersion, definition: dict) -> None:
    position = 0
    for m_pos, m in enumerate(definition["modules"], start=1):
        module = Module.objects.create(version=version, code=m["code"], position=m_pos, title=m["title"],
                                       relevance=m["relevance"])
        for i in m["items"]:
            position += 1
            item = Item.objects.create(
                version=version, module=module, code=i["code"], position=position, kind=i["kind"],
                wording=i["wording"], help=i["help"], required=i["required"], relevance=i["relevance"],
                config={**i["config"], **({"variants": i["variants"]} if i["variants"] else {})}, checks=i["checks"])
            ItemRow.objects.bulk_create(
                [ItemRow(item=item, code=r["code"], position=n, label=r["label"], help=r["help"],
                         relevance=r["relevance"]) for n, r in enumerate(i["rows"], start=1)]
                + [ItemRow(item=item, code=c["code"], position=n, label=c["label"], is_column=True)
                   for n, c in enumerate(i["columns"], start=1)])
            Choice.objects.bulk_create(
                [Choice(item=item, code=str(c["code"]), position=n, label=c["label"], help=c["help"],
                        exclusive=c["exclusive"], is_other=c["other"]) for n, c in enumerate(i["choices"], start=1)])
    DerivedVariable.objects.bulk_create(
        [DerivedVariable(version=version, name=d["name"], position=n, label=d["label"], expr=d["expr"],
                         values=d["values"], note=d["note"]) for n, d in enumerate(definition["derived"], start=1)])


def yaml_source(name: str, content: bytes, raw: dict) -> dict:
    """The source fields of a version loaded from a YAML file (authored form made JSON-safe)."""
    return {"source_name": name, "source_format": "yaml", "source_checksum": hashlib.sha256(content).hexdigest(),
            "source_file": content, "authored": json_safe(raw)}


def json_safe(raw: dict) -> dict:
    """YAML may hold dates and integer keys; the stored authored form is plain JSON."""
    return json.loads(json.dumps(raw, default=str, ensure_ascii=False))


def instrument_files(directory: Path = INSTRUMENT_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name != REFERENCE_FILE.name)


def instruments_load(*, directory: Path = INSTRUMENT_DIR) -> list[tuple[str, int, str]]:
    """Load the reference lists and every instrument file; all files are checked before any is stored."""
    refs = read_reference_lists(directory / REFERENCE_FILE.name)
    definitions = []
    errors = []
    for path in instrument_files(directory):
        try:
            content = path.read_bytes()
            raw = yaml.safe_load(content.decode("utf-8"))
            definitions.append((normalise(raw, refs, source=path.name), yaml_source(path.name, content, raw)))
        except DefinitionError as exc:
            errors.append(str(exc))
        except yaml.YAMLError as exc:
            errors.append(f"{path.name}: not valid YAML: {exc}")
    if errors:
        raise DefinitionError("instruments", errors)
    reference_lists_store(refs)
    results = []
    for definition, source in definitions:
        version, what = version_store(definition, source)
        results.append((definition["code"], version.number, what))
    return results
