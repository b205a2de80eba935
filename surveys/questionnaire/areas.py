"""World areas of countries, for grouping long country lists (data: country_converter's country table)."""
from __future__ import annotations

import csv
import unicodedata
from functools import cache
from importlib.resources import files

from django.utils.translation import gettext_noop as _

# The continent names of country_converter's table, as the respondent reads them (translated in locale/).
AREA_NAMES = {"Africa": _("Africa"), "America": _("Americas"), "Antarctica": _("Antarctica"), "Asia": _("Asia"),
              "Europe": _("Europe"), "Oceania": _("Oceania")}
OTHER_AREA = _("Other answers")


@cache
def _areas() -> dict[str, str]:
    table = files("country_converter").joinpath("country_data.tsv").read_text(encoding="utf-8")
    # read as text: csv leaves "NA" (Namibia) alone, where pandas would take it for a missing value
    return {row["ISO2"]: row["continent"] for row in csv.DictReader(table.splitlines(), delimiter="\t")}


def country_area(code: str) -> str | None:
    """The English name of the world area of an ISO 3166-1 alpha-2 code (None for other codes)."""
    area = _areas().get(str(code).upper())
    return AREA_NAMES.get(area) if area else None


def sort_key(label: str) -> str:
    """Alphabetical order as the respondent reads it: accents and case do not move a name."""
    decomposed = unicodedata.normalize("NFKD", label)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
