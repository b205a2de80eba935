"""The report catalogue: named reports per instrument, plus the general items-by-group report.

    reports.catalogue("italian-districts-2016")   -> [Report, ...]   (it-table-1 ... it-text)
    reports.report_names(code)                     -> names shown in the dashboard and `manage.py report`
"""
from __future__ import annotations

from analytics.reports import basque, italian
from analytics.reports.declared import declared_reports
from analytics.reports.engine import Data, Unavailable, compute_report
from analytics.reports.general import NAME as ITEMS_BY_GROUP
from analytics.reports.general import items_report
from analytics.reports.spec import Block, Condition, Grouping, Report
from surveys.questionnaire.variables import column_name

__all__ = ["ITEMS_BY_GROUP", "Block", "Condition", "Data", "Grouping", "Report", "Unavailable", "catalogue",
           "compute_report", "default_group", "filter_columns", "items_report", "report_get", "report_menu",
           "report_names"]

_MODULES = {italian.CODE: italian, basque.CODE: basque}
COMMON_FILTERS = {"mode": "mode"}


def catalogue(code: str) -> list[Report]:
    """The named reports of an instrument (collections included), in catalogue order; a questionnaire
    without a report module gets the study tables declared in its latest definition."""
    module = _MODULES.get(code)
    return list(module.REPORTS) if module else declared_reports(_latest_definition(code))


def _latest_definition(code: str) -> dict:
    from surveys.models import QuestionnaireVersion

    version = QuestionnaireVersion.objects.filter(questionnaire__code=code).order_by("-number").first()
    return version.definition if version else {}


def report_get(code: str, name: str) -> Report | None:
    return next((r for r in catalogue(code) if r.name == name), None)


def report_names(code: str) -> list[str]:
    return [r.name for r in catalogue(code)] + [ITEMS_BY_GROUP]


def report_menu(code: str) -> list[dict]:
    """Name, printed title and source of each report, in menu order (the cross-tab last)."""
    menu = [{"name": r.name, "title": r.title, "source": r.source, "fixed_groups": bool(r.grouping.column or any(
        b.grouping for b in r.blocks))} for r in catalogue(code)]
    return menu + [{"name": ITEMS_BY_GROUP, "title": "Cross-tab: every item by a grouping variable", "source": "",
                    "fixed_groups": False}]


def filter_columns(code: str) -> dict[str, str]:
    """Analyst filter names (district, industry, size) -> read-model column, for this instrument."""
    module = _MODULES.get(code)
    return {**(module.FILTERS if module else {}), **COMMON_FILTERS}


def default_group(code: str) -> str:
    module = _MODULES.get(code)
    if module:
        return module.DEFAULT_GROUP
    declared = _latest_definition(code).get("default_group", "")
    return column_name(declared) if declared else ""
