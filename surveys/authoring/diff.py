"""What publishing a definition changes, item by item, and what happens to the answers already given.

Versions are immutable once answered (surveys.questionnaire.definitions.version_store): any change
to a fielded version becomes a new version, and every response keeps the version it answered.
"""
from __future__ import annotations

from django.utils.translation import gettext_noop as _  # translated where shown

ADDED, REMOVED, RECODED, REWORDED, LOGIC, MOVED = "added", "removed", "recoded", "reworded", "logic", "moved"

CONSEQUENCES = {
    ADDED: _("Asked from the new version on; earlier responses have no value for it (exported as not applicable)."),
    REMOVED: _("No longer asked; answers already given stay with their version, in exports and in the codebook."),
    RECODED: _("Codes differ between versions: each answer keeps the codes of the version it answered; the "
             "codebook lists the codes of every version."),
    REWORDED: _("Same variable and codes; the codebook keeps each version's wording."),
    LOGIC: _("Skip logic, checks or limits change for new responses only; saved answers are not re-checked."),
    MOVED: _("Shown on another page; the variable and its answers are unchanged."),
}


def _items(definition: dict | None) -> dict[str, tuple[str, dict]]:
    return {i["code"]: (m["code"], i) for m in (definition or {}).get("modules", []) for i in m["items"]}


def _codes(entries: list[dict]) -> list[str]:
    return [str(e["code"]) for e in entries]


def _labels(entries: list[dict]) -> dict[str, dict]:
    return {str(e["code"]): (e.get("label"), e.get("help")) for e in entries}


def _code_changes(what: str, old: list[dict], new: list[dict]) -> list[str]:
    before, after = _codes(old), _codes(new)
    added = [c for c in after if c not in before]
    removed = [c for c in before if c not in after]
    out = []
    if added:
        out.append(f"{what} added: {', '.join(added)}")
    if removed:
        out.append(f"{what} removed: {', '.join(removed)}")
    return out


def item_changes(old: dict, new: dict) -> dict[str, list[str]]:
    """{kind of change: details} for one item present in both definitions."""
    changes: dict[str, list[str]] = {}
    recoded = []
    if old["kind"] != new["kind"]:
        recoded.append(f"type {old['kind']} → {new['kind']}")
    recoded += _code_changes("choices", old["choices"], new["choices"])
    recoded += _code_changes("rows", old["rows"], new["rows"])
    recoded += _code_changes("columns", old.get("columns", []), new.get("columns", []))
    if recoded:
        changes[RECODED] = recoded
    reworded = [name for name, a, b in (("wording", old["wording"], new["wording"]), ("help", old["help"], new["help"]),
                                        ("variants", old.get("variants"), new.get("variants"))) if a != b]
    for what in ("choices", "rows"):
        before, after = _labels(old[what]), _labels(new[what])
        if any(before[c] != after[c] for c in before.keys() & after.keys()):
            reworded.append(f"{what} labels")
    if reworded:
        changes[REWORDED] = reworded
    logic = [name for name in ("relevance", "required", "checks", "config") if old.get(name) != new.get(name)]
    logic += ["row conditions"] if [r.get("relevance") for r in old["rows"]] != [
        r.get("relevance") for r in new["rows"]] and not recoded else []
    if logic:
        changes[LOGIC] = logic
    return changes


def definition_diff(*, old: dict | None, new: dict, fielded: bool) -> dict:
    """Items added, removed, recoded, reworded; derived variables; whether publishing makes a new version."""
    before, after = _items(old), _items(new)
    rows = [{"code": code, "change": ADDED, "details": [f"page {after[code][0]}"]}
            for code in after if code not in before]
    rows += [{"code": code, "change": REMOVED, "details": [f"was on page {before[code][0]}"]}
             for code in before if code not in after]
    for code in (c for c in after if c in before):
        changes = item_changes(before[code][1], after[code][1])
        if before[code][0] != after[code][0]:
            changes[MOVED] = [f"page {before[code][0]} → {after[code][0]}"]
        rows += [{"code": code, "change": kind, "details": details} for kind, details in changes.items()]
    derived_before = {d["name"]: d for d in (old or {}).get("derived", [])}
    derived_after = {d["name"]: d for d in new.get("derived", [])}
    derived = sorted({n for n in derived_before.keys() | derived_after.keys()
                      if derived_before.get(n) != derived_after.get(n)})
    same = bool(old) and old.get("checksum") == new.get("checksum")
    outcome = "unchanged" if same else ("created" if not old or fielded else "rewritten")
    return {"rows": rows, "derived": derived, "outcome": outcome, "fielded": fielded,
            "consequences": {kind: CONSEQUENCES[kind] for kind in {r["change"] for r in rows}}}
