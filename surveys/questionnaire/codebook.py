"""The codebook of a questionnaire: every item, variable and derived variable across its versions.

`codebook_for(questionnaire)` is the one source: a JSON-safe dict that the `codebook` command
prints, the HTML page renders, the CSV flattens and the XLSX/SPSS/Stata exports take their
labels from. Items and variables carry the version numbers they exist in; wording is the latest
version's, with earlier wordings listed where a later version reworded the item.
"""
from __future__ import annotations

import csv
import io

from surveys.answering.readmodel import questionnaire_variables
from surveys.models import Questionnaire
from surveys.questionnaire.spec import ItemSpec, spec_for_version
from surveys.questionnaire.texts import pick
from surveys.questionnaire.variables import MISSING_LABELS, Variable, column_name, variables_for

MISSING_TEXTS = {
    -7: {"en": MISSING_LABELS[-7], "it": "Non pertinente", "es": "No aplicable"},
    -8: {"en": MISSING_LABELS[-8], "it": "Non sa", "es": "No sabe"},
    -9: {"en": MISSING_LABELS[-9], "it": "Rifiuta", "es": "No contesta"},
}
SELECTED_TEXTS = {
    1: {"en": "Selected", "it": "Selezionato", "es": "Seleccionado"},
    0: {"en": "Not selected", "it": "Non selezionato", "es": "No seleccionado"},
}
META_VARIABLES = [
    ("firm", "str", {"en": "Firm (stable pseudonym)", "it": "Impresa (pseudonimo stabile)",
                     "es": "Empresa (seudónimo estable)"}),
    ("wave", "str", {"en": "Wave", "it": "Rilevazione", "es": "Oleada"}),
    ("version", "int", {"en": "Questionnaire version", "it": "Versione del questionario",
                        "es": "Versión del cuestionario"}),
    ("status", "str", {"en": "Final disposition", "it": "Esito finale", "es": "Disposición final"}),
    ("mode", "str", {"en": "Mode of data collection", "it": "Modalità di rilevazione", "es": "Modo de recogida"}),
    ("language", "str", {"en": "Language of the answers", "it": "Lingua delle risposte",
                         "es": "Idioma de las respuestas"}),
    ("started_at", "datetime", {"en": "Started (UTC)", "it": "Iniziato (UTC)", "es": "Iniciado (UTC)"}),
    ("submitted_at", "datetime", {"en": "Submitted (UTC)", "it": "Inviato (UTC)", "es": "Enviado (UTC)"}),
]
IDENTIFIER_VARIABLES = [
    ("firm_identifier", "str", {"en": "Firm tax / VAT id", "it": "Partita IVA / codice fiscale",
                                "es": "NIF / CIF"}),
    ("firm_name", "str", {"en": "Firm name", "it": "Ragione sociale", "es": "Razón social"}),
    ("contact_name", "str", {"en": "Contact person", "it": "Referente", "es": "Persona de contacto"}),
    ("email", "str", {"en": "E-mail", "it": "E-mail", "es": "Correo electrónico"}),
    ("phone", "str", {"en": "Phone", "it": "Telefono", "es": "Teléfono"}),
]
VALIDATION_KEYS = ("min", "max", "decimals", "unit", "max_selections", "min_selections", "multiple", "scale",
                   "max_length", "exclude", "only")


def value_labels_of(variable: Variable) -> dict:
    """Code -> {lang: label} of a variable, with translated 0/1 labels for multiple-choice columns."""
    if variable.role == "choice":
        return dict(SELECTED_TEXTS)
    return {_code(k, variable): v for k, v in variable.value_labels.items()}


def _code(key, variable: Variable):
    """Derived variables keep their value-label keys as text in the definition; numbers are numbers."""
    if variable.type != "str" and isinstance(key, str) and key.lstrip("-").isdigit():
        return int(key)
    return key


def export_order(questionnaire: Questionnaire) -> list[Variable]:
    """Variables in order of first appearance: a later version appends, so positions never move."""
    by_name = {v.name: v for v in questionnaire_variables(questionnaire)}
    seen: dict[str, Variable] = {}
    for version in questionnaire.versions.order_by("number"):
        for v in variables_for(spec_for_version(version)):
            seen.setdefault(v.name, by_name[v.name])
    return list(seen.values())


def codebook_for(questionnaire: Questionnaire) -> dict:
    versions = list(questionnaire.versions.order_by("number"))
    specs = [(v.number, spec_for_version(v)) for v in versions]
    variables = export_order(questionnaire)
    by_item: dict[str, list[Variable]] = {}
    for v in variables:
        by_item.setdefault(v.item or v.key, []).append(v)
    languages = list(dict.fromkeys(lang for _, s in specs for lang in s.languages)) or ["en"]
    return {
        "questionnaire": questionnaire.code,
        "title": questionnaire.title,
        "languages": languages,
        "versions": [{"number": v.number, "checksum": v.checksum, "languages": v.languages,
                      "created_at": v.created_at.isoformat() if v.created_at else None} for v in versions],
        "missing_values": [{"code": code, "label": label} for code, label in MISSING_TEXTS.items()],
        "meta_variables": [{"name": n, "type": t, "label": lab} for n, t, lab in META_VARIABLES],
        "identifier_variables": [{"name": n, "type": t, "label": lab} for n, t, lab in IDENTIFIER_VARIABLES],
        "modules": _modules(specs),
        "items": _items(specs, by_item),
        "derived": _derived(specs, by_item),
        "variables": [variable_entry(v) for v in variables],
    }


def variable_entry(v: Variable) -> dict:
    labels = value_labels_of(v)
    return {
        "name": v.name, "label": v.label, "type": v.type, "measure": v.measure, "role": v.role,
        "item": v.item or v.key, "module": v.module, "choice": v.choice, "free_text": v.free_text,
        "value_labels": [{"code": code, "label": label} for code, label in labels.items()],
        "missing_values": [] if v.type == "str" else sorted(MISSING_TEXTS),
        "versions": list(v.versions),
    }


def _modules(specs) -> list[dict]:
    out: dict[str, dict] = {}
    for number, spec in sorted(specs, key=lambda s: -s[0]):
        for m in spec.modules:
            entry = out.setdefault(m.code, {"code": m.code, "title": m.title, "relevance": m.relevance,
                                            "versions": []})
            entry["versions"].insert(0, number)
    return list(out.values())


def _items(specs, by_item: dict[str, list[Variable]]) -> list[dict]:
    latest: dict[str, tuple[int, ItemSpec]] = {}
    versions: dict[str, list[int]] = {}
    wordings: dict[str, dict[int, dict]] = {}
    order: list[str] = []
    for number, spec in sorted(specs, key=lambda s: s[0]):
        for item in spec.item_order:
            if item.code not in latest:
                order.append(item.code)
            latest[item.code] = (number, item)
            versions.setdefault(item.code, []).append(number)
            wordings.setdefault(item.code, {})[number] = item.wording
    return [_item_entry(latest[code][1], versions[code], wordings[code], by_item.get(code, []))
            for code in order]


def _item_entry(item: ItemSpec, versions: list[int], wordings: dict[int, dict], variables: list[Variable]) -> dict:
    earlier = [{"versions": [n], "wording": w} for n, w in sorted(wordings.items()) if w != item.wording]
    return {
        "code": item.code, "variable_stem": column_name(item.code), "module": item.module, "type": item.kind,
        "wording": item.wording, "help": item.help, "note": item.note, "earlier_wordings": earlier,
        "required": item.required, "relevance": item.relevance,
        "validation": {k: item.config[k] for k in VALIDATION_KEYS if k in item.config},
        "checks": [{"assert": c.get("assert", ""), "severity": c.get("severity", "error"),
                    "message": c.get("message", {})} for c in item.checks],
        "choices": [{"code": c.code, "label": c.label, "exclusive": c.exclusive, "other": c.other,
                     **({"note": c.note} if c.note else {})}
                    for c in item.choices if item.kind != "country"],
        "choice_count": len(item.choices),
        "rows": [{"code": r["code"], "label": r.get("label", {}), "help": r.get("help", {}),
                  "note": r.get("note", {}), "relevance": r.get("relevance", "")} for r in item.rows],
        "columns": [{"code": c["code"], "label": c.get("label", {})} for c in item.columns],
        "variables": [v.name for v in variables],
        "versions": versions,
    }


def _derived(specs, by_item: dict[str, list[Variable]]) -> list[dict]:
    out: dict[str, dict] = {}
    for number, spec in sorted(specs, key=lambda s: s[0]):
        for d in spec.derived:
            entry = out.setdefault(d.name, {"versions": []})
            entry.update({"name": d.name, "variable": column_name(d.name), "label": d.label, "expression": d.expr,
                          "values": [{"code": k, "label": v} for k, v in d.values.items()], "note": d.note,
                          "type": d.type})
            entry["versions"].append(number)
    return list(out.values())


# ------------------------------------------------------------------ flat renderings
CSV_FIELDS = ["name", "item", "module", "role", "type", "measure", "label", "value_labels", "missing_values",
              "versions", "relevance", "validation", "wording"]


def codebook_rows(codebook: dict, language: str = "en") -> list[dict]:
    """One row per variable (meta first) with texts in `language` (English where it lacks one)."""
    items = {i["code"]: i for i in codebook["items"]}
    derived = {d["variable"]: d for d in codebook["derived"]}
    rows = [{"name": m["name"], "role": "meta", "type": m["type"], "label": pick(m["label"], language)}
            for m in codebook["meta_variables"]]
    for v in codebook["variables"]:
        item = items.get(v["item"], {})
        d = derived.get(v["name"], {})
        rows.append({
            "name": v["name"], "item": v["item"], "module": v["module"], "role": v["role"], "type": v["type"],
            "measure": v["measure"], "label": pick(v["label"], language),
            "value_labels": "; ".join(f"{x['code']}={pick(x['label'], language)}" for x in v["value_labels"]),
            "missing_values": " ".join(str(c) for c in v["missing_values"]),
            "versions": " ".join(str(n) for n in v["versions"]),
            "relevance": item.get("relevance", ""),
            "validation": " ".join(f"{k}={val}" for k, val in item.get("validation", {}).items()),
            "wording": pick(item.get("wording", {}), language) or d.get("expression", ""),
        })
    return rows


def codebook_csv(codebook: dict, language: str = "en") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(codebook_rows(codebook, language))
    return buffer.getvalue()


def value_label_rows(codebook: dict, language: str = "en") -> list[tuple[str, object, str]]:
    """(variable, code, label) for every labelled code, missing codes included."""
    out = []
    for v in codebook["variables"]:
        for x in v["value_labels"]:
            out.append((v["name"], x["code"], pick(x["label"], language)))
        for code in v["missing_values"]:
            out.append((v["name"], code, pick(MISSING_TEXTS[code], language)))
    return out

