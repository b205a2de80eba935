"""DDI-Codebook 2.5 XML of one questionnaire version, written from the codebook (`codebook_for`).

Element order follows the schema's sequences (codebook.xsd of the DDI Alliance, 2012):
codeBook > docDscr, stdyDscr, fileDscr, dataDscr; var > labl, qstn, universe, catgry, derivation,
varFormat, notes. Every text is written once per language with `xml:lang`. Missing values are
categories with missing="Y" (-7 not applicable, -8 don't know, -9 refused). The universe of a
variable is the skip logic that makes its item relevant (module and item relevance conditions).
"""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

NAMESPACE = "ddi:codebook:2_5"
SCHEMA_LOCATION = "ddi:codebook:2_5 https://ddialliance.org/Specification/DDI-Codebook/2.5/XMLSchema/codebook.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DATA_FILE = "responses.csv"


class DdiError(ValueError):
    pass


def codebook_ddi(codebook: dict, *, version: int | None = None) -> str:
    """The DDI-Codebook 2.5 document of `version` (default: the latest) as a UTF-8 XML string."""
    numbers = [v["number"] for v in codebook["versions"]]
    version = version if version is not None else max(numbers, default=1)
    if numbers and version not in numbers:
        raise DdiError(f"{codebook['questionnaire']} has no version {version}; versions: "
                       f"{', '.join(map(str, numbers))}")
    ET.register_namespace("", NAMESPACE)
    ET.register_namespace("xsi", XSI)
    root = _el(None, "codeBook", {"version": "2.5", "ID": _id("CB", codebook["questionnaire"]),
                                  f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION})
    variables = [v for v in codebook["variables"] if version in v["versions"]]
    _doc_dscr(root, codebook, version)
    _stdy_dscr(root, codebook, version)
    _file_dscr(root, variables)
    _data_dscr(root, codebook, variables)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _el(parent, tag: str, attrs: dict | None = None, text: str | None = None):
    name = f"{{{NAMESPACE}}}{tag}"
    element = ET.Element(name, attrs or {}) if parent is None else ET.SubElement(parent, name, attrs or {})
    if text is not None:
        element.text = text
    return element


def _texts(parent, tag: str, texts: dict | str | None, attrs: dict | None = None) -> None:
    if not texts:
        return
    if isinstance(texts, str):
        _el(parent, tag, attrs, texts)
        return
    for lang, text in texts.items():
        if text:
            _el(parent, tag, {**(attrs or {}), LANG: lang}, text)


def _id(prefix: str, name: str) -> str:
    """An xs:ID: letters, digits, '_', '-', '.'; anything else becomes '_'."""
    return prefix + "_" + "".join(ch if ch.isalnum() or ch in "_-." else "_" for ch in str(name))


def _title(codebook: dict) -> str:
    title = codebook.get("title")
    if isinstance(title, dict):
        return title.get("en") or next(iter(title.values()), "") or codebook["questionnaire"]
    return title or codebook["questionnaire"]


def _citation(parent, codebook: dict, version: int) -> None:
    citation = _el(parent, "citation")
    title_statement = _el(citation, "titlStmt")
    _el(title_statement, "titl", text=_title(codebook))
    _el(title_statement, "IDNo", {"agency": "questionnaire code"}, codebook["questionnaire"])
    _el(_el(citation, "verStmt"), "version", {"date": dt.date.today().isoformat()}, str(version))


def _doc_dscr(root, codebook: dict, version: int) -> None:
    _citation(_el(root, "docDscr"), codebook, version)


def _stdy_dscr(root, codebook: dict, version: int) -> None:
    study = _el(root, "stdyDscr")
    _citation(study, codebook, version)
    summary = _el(_el(study, "stdyInfo"), "sumDscr")
    _el(summary, "anlyUnit", {"unit": "organization"}, "Firms (one response per firm and wave)")
    _el(summary, "universe", {"clusion": "I"}, "Firms of the population register selected into a wave's sample")
    _el(summary, "dataKind", text="survey data")


def _file_dscr(root, variables: list[dict]) -> None:
    text = _el(_el(root, "fileDscr", {"ID": "F1", "URI": DATA_FILE}), "fileTxt")
    _el(text, "fileName", text=DATA_FILE)
    _el(_el(text, "dimensns"), "varQnty", text=str(len(variables)))
    _el(text, "fileType", text="text/csv")


def _data_dscr(root, codebook: dict, variables: list[dict]) -> None:
    data = _el(root, "dataDscr")
    by_module: dict[str, list[str]] = {}
    for v in variables:
        by_module.setdefault(v["module"] or "", []).append(_id("V", v["name"]))
    for module in codebook["modules"]:
        ids = by_module.get(module["code"])
        if ids:
            group = _el(data, "varGrp", {"ID": _id("G", module["code"]), "name": module["code"], "type": "section",
                                         "var": " ".join(ids)})
            _texts(group, "labl", module["title"])
    if by_module.get(""):  # derived variables belong to no module
        group = _el(data, "varGrp", {"ID": "G_derived", "name": "derived", "type": "other", "otherType": "derived",
                                     "var": " ".join(by_module[""])})
        _el(group, "labl", {LANG: "en"}, "Derived variables")
    items = {i["code"]: i for i in codebook["items"]}
    modules = {m["code"]: m for m in codebook["modules"]}
    derived = {d["variable"]: d for d in codebook["derived"]}
    for v in variables:
        _var(data, v, items.get(v["item"]), modules.get(v["module"]), derived.get(v["name"]))


def _var(parent, v: dict, item: dict | None, module: dict | None, derived: dict | None) -> None:
    numeric = v["type"] != "str"
    attrs = {"ID": _id("V", v["name"]), "name": v["name"], "files": "F1",
             "intrvl": "contin" if v["measure"] == "scale" else "discrete"}
    var = _el(parent, "var", attrs)
    _texts(var, "labl", v["label"] or v["name"])
    if item:
        for lang, text in (item.get("wording") or {}).items():
            question = _el(var, "qstn", {LANG: lang, "seqNo": item["code"]})
            _el(question, "qstnLit", text=text)
            if (item.get("help") or {}).get(lang):
                _el(question, "ivuInstr", text=item["help"][lang])
    universe = " and ".join(f"({c})" for c in ((module or {}).get("relevance"), (item or {}).get("relevance")) if c)
    _el(var, "universe", {"clusion": "I"}, f"Responses where {universe}" if universe else "All responses")
    for label in v["value_labels"]:
        category = _el(var, "catgry")
        _el(category, "catValu", text=str(label["code"]))
        _texts(category, "labl", label["label"])
    for code in v["missing_values"]:
        category = _el(var, "catgry", {"missing": "Y"})
        _el(category, "catValu", text=str(code))
        _el(category, "labl", {LANG: "en"}, MISSING_NAMES[code])
    if derived:
        derivation = _el(var, "derivation")
        _el(derivation, "drvdesc", text=derived.get("note") or f"Derived variable {derived['name']}")
        _el(derivation, "drvcmd", {"syntax": "condition language (docs/definition-format.md)"}, derived["expression"])
    _el(var, "varFormat", {"type": "numeric" if numeric else "character", "schema": "other"})


MISSING_NAMES = {-7: "Not applicable", -8: "Don't know", -9: "Refused"}
