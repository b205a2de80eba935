"""Bulk import of responses from CSV or XLSX in the wide layout of the exports.

Every row goes through `validate_all(spec, raw, strict=True)` (types, choices, ranges, sums,
skip logic, required items): the same path as the web form. Problems are reported by row,
column and reason. Nothing is stored when any row has a problem, unless `valid_only`; then the
valid rows are stored in one transaction: new cases made as `invitation_issue` makes them (in
bulk), answers recorded with `response_record`, rows upserted with `readmodel_upsert`.
Re-importing a file changes nothing: rows are matched by firm and wave, and a response whose
answers are already the same is left alone. A response submitted on the web or by an
interviewer is never overwritten by a file.

The layout (shared with analytics.data.export): one row per response, meta columns (`firm`
pseudonym or `firm_identifier`, `wave`, `language`, `started_at`, `submitted_at`, ...), one
column per variable (surveys.questionnaire.variables). Missing codes: -7 not applicable (read as empty),
-8 don't know, -9 refused. Text cells that a spreadsheet could run as a formula carry a
leading apostrophe, removed on import.
"""
from analytics.data.imports.cells import formula_escape, formula_escape_text, formula_unescape
from analytics.data.imports.service import ImportReport, Problem, responses_import, responses_import_path
from surveys.tabular import ImportFileError, table_read, xlsx_text

__all__ = [
    "ImportFileError", "ImportReport", "Problem", "formula_escape", "formula_escape_text", "formula_unescape",
    "table_read", "responses_import", "responses_import_path", "xlsx_text",
]
