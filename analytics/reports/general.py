"""The general report: every item of a questionnaire by any grouping variable.

Built from the codebook's variables (surveys.questionnaire.variables): a multiple choice or a yes/no grid gives
one rates block, a Likert grid a likert block, a split or numeric item a means block, any coded
variable a categorical block; free texts and dates are left out.
"""
from __future__ import annotations

from analytics.reports.spec import Block, Grouping, Report

NAME = "items-by-group"
MAX_LISTED_CATEGORIES = 30  # longer code lists (countries) show the observed codes only
YES_NO_CODES = {0, 1}


def _codes(variable) -> set:
    out = set()
    for key in variable.value_labels:
        text = str(key)
        out.add(int(text) if text.lstrip("-").isdigit() else text)
    return out


# Business magnitudes whose means by group fall under disclosure control (turnover, employees of IT A1).
MAGNITUDE_VARIABLES = frozenset({"A1_2", "A1_5"})


def _block_for(variable, kind: str) -> tuple[str, Block] | None:
    """(dedup key, block) for one variable; item-level blocks share their item's key."""
    name, item = variable.name, variable.item
    title = (variable.label.get("en") or name).split(" | ")[0]
    if variable.role == "choice":
        return item, Block(f"item-{item}", f"{item} {title}", "rates", item=item, statistic="pct")
    if variable.role == "part":
        return item, Block(f"item-{item}", f"{item} {title}", "means", item=item, decimals=1)
    if variable.role == "row":
        if variable.measure == "ordinal":
            return item, Block(f"item-{item}", f"{item} {title}", "likert", item=item, statistic="dist",
                               chart="stacked")
        if _codes(variable) <= YES_NO_CODES and variable.value_labels:
            return item, Block(f"item-{item}", f"{item} {title}", "rates", item=item, statistic="pct")
    label = f"{item} {title}" if item else f"{name} {title}"
    if variable.type == "str" and not variable.value_labels:
        if kind == "country":
            return name, Block(f"var-{name}", label, "selections", (name,), statistic="count_pct")
        return None
    if variable.value_labels:
        observed = len(variable.value_labels) > MAX_LISTED_CATEGORIES
        return name, Block(f"var-{name}", label, "categorical", (name,), observed=observed,
                           statistic="count_pct")
    if variable.type == "num" or variable.measure == "scale":
        return name, Block(f"var-{name}", label, "means", (name,), decimals=2, magnitude=name in MAGNITUDE_VARIABLES)
    return None


def items_report(code: str, variables: list, group: str, kinds: dict[str, str] | None = None) -> Report:
    kinds = kinds or {}
    blocks, seen = [], set()
    for variable in variables:
        if variable.name == group or variable.free_text or variable.role in ("other", "notes"):
            continue
        if kinds.get(variable.item) in ("date", "text", "longtext"):
            continue
        found = _block_for(variable, kinds.get(variable.item, ""))
        if found and found[0] not in seen:
            seen.add(found[0])
            blocks.append(found[1])
    grouping = Grouping(column=group, whole_label="All respondents") if group else Grouping(
        whole_label="All respondents")
    return Report(name=NAME, title=f"All items by {group}" if group else "All items", instrument=code,
                  source="general", grouping=grouping, blocks=tuple(blocks),
                  notes=("Percentages of valid answers; missing, don't know and not applicable are counted apart.",
                         "“All respondents” includes respondents without a value of the grouping variable."))
