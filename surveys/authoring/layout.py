"""The workbook layout shared by the reader and the writer (docs/definition-format.md, "Workbooks").

XLSForm's sheets and columns where XLSForm has the concept (`survey`, `choices`, `settings`;
`type`, `name`, `label::it`, `hint::es`, `relevant`, `constraint`, `required`), and extra sheets
and columns for what our engine has beyond it (grids, splits, reference lists, variants,
several checks per item, derived variables, study tables).
"""
from __future__ import annotations

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
DERIVED, CHECKS, VARIANTS, TABLES = "derived", "checks", "variants", "tables"
EDIT_RULES = "edit_rules"  # the data editors' rules (docs/editing.md)
SHEETS = (SURVEY, CHOICES, SETTINGS, DERIVED, CHECKS, VARIANTS, TABLES, EDIT_RULES)

BEGIN_GROUP = {"begin_group", "begin group"}
END_GROUP = {"end_group", "end group"}
# XLSForm type names accepted for ours (the writer uses ours, except select_one/select_multiple)
KIND_ALIASES = {"select_one": "single", "select_multiple": "multi", "integer": "numeric", "decimal": "numeric",
                "select_one_country": "country", "note_text": "longtext", "yes_no": "yesno"}
SELECT_PREFIX = {"single": "select_one", "multi": "select_multiple"}
REF_PREFIX = "ref:"

# Multilingual columns per sheet: `<name>::<lang>` (or `<name>` alone for the default language)
TEXT_COLUMNS = {
    SURVEY: ("label", "hint", "note", "unit", "constraint_message", "interviewer_label", "interviewer_hint"),
    CHOICES: ("label", "hint", "note"),
    SETTINGS: ("title", "intro", *(f"welcome_{part}" for part in ("who", "why", "use", "contact"))),
    DERIVED: ("label",),
    CHECKS: ("message",),
    VARIANTS: ("label",),
    TABLES: (),
    EDIT_RULES: ("message",),
}
# item keys -> survey column, for the plain (not multilingual) configuration
NUMBER_COLUMNS = ("min", "max", "decimals", "min_selections", "max_selections", "max_length")
LIST_COLUMNS = ("rows", "columns", "anchors", "extra_choices", "relabel")
PLAIN_COLUMNS = {
    SURVEY: ("type", "name", "required", "relevant", "constraint", "constraint_severity", "choices", "scale",
             *NUMBER_COLUMNS, "multiple", "exclude", "only", *LIST_COLUMNS),
    CHOICES: ("list_name", "name", "relevant", "exclusive", "other"),
    SETTINGS: ("form_id", "languages", "modes", "missing_codes", "notes_fields", "default_group", "coding",
               "edit_key_items"),
    DERIVED: ("name", "calculation", "values", "type", "note"),
    CHECKS: ("item", "constraint", "severity"),
    VARIANTS: ("item", "when"),
    TABLES: ("table", "title", "group", "levels", "item", "variables", "kind", "statistic", "test", "base",
             "label", "decimals"),
    EDIT_RULES: ("id", "severity", "condition", "items", "weight"),
}
WELCOME_PARTS = ("who", "why", "use", "contact")  # the welcome page's texts (settings sheet)
TRUE_WORDS = {"yes", "true", "1", "y"}
FALSE_WORDS = {"no", "false", "0", "n"}


def generated_list(item_code: str, what: str) -> str:
    """The choices-sheet list name the writer gives an item's inline rows, columns, anchors..."""
    return item_code if what == "choices" else f"{item_code}.{what}"
