"""Numbers as each questionnaire language writes them: reading what a respondent typed, writing it back.

Italian and Spanish group thousands with "." and write decimals with "," (13.200 = 13200, 60,5 = 60.5);
English does the opposite (13,200 and 60.5). A respondent who writes the other convention is
understood where only one reading exists ("60.5" in Italian); where both readings are plausible
("13,200" in Italian: 13.2 or 13200?) the answer is refused with a message that names both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.numberformat import format as django_format

# (thousands separator, decimal separator) per language; languages not listed write like English
SEPARATORS = {"en": (",", "."), "it": (".", ","), "es": (".", ",")}
SPACES = re.compile(r"[\s\u00a0\u202f']")  # spaces, no-break spaces and apostrophes also group thousands


def separators(language: str) -> tuple[str, str]:
    return SEPARATORS.get((language or "en")[:2], SEPARATORS["en"])


@dataclass(frozen=True)
class Reading:
    value: Decimal | None = None
    ambiguous: tuple[Decimal, Decimal] | None = None  # (the language's reading, the other reading)


def _read(text: str, group: str, decimal: str) -> Decimal | None:
    """The number `text` means in one convention, or None if it is not written that way."""
    g, d = re.escape(group), re.escape(decimal)
    pattern = rf"[+-]?(?:[1-9]\d{{0,2}}(?:{g}\d{{3}})+|\d+)(?:{d}\d+)?|[+-]?{d}\d+"
    if not re.fullmatch(pattern, text):
        return None
    try:
        return Decimal(text.replace(group, "").replace(decimal, "."))
    except InvalidOperation:
        return None


def number_read(text: str, language: str) -> Reading:
    """What a typed number means in the respondent's language (value, ambiguity, or neither)."""
    text = SPACES.sub("", str(text))
    group, decimal = separators(language)
    mine, other = _read(text, group, decimal), _read(text, decimal, group)
    if mine is None:
        return Reading(value=other)
    # one separator with exactly three digits after it: a decimal here, a thousands mark elsewhere
    lone = text.count(decimal) == 1 and text.count(group) == 0 and re.search(rf"{re.escape(decimal)}\d{{3}}$", text)
    if lone and other is not None and other != mine:
        return Reading(ambiguous=(mine, other))
    return Reading(value=mine)


def number_format(value, language: str, *, grouping: bool = True) -> str:
    """A stored number written the respondent's way (years and codes without grouping)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value)
    group, decimal = separators(language)
    if isinstance(value, Decimal):
        value = value.normalize()
        value = int(value) if value == value.to_integral() else value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = django_format(value, decimal, grouping=3 if grouping else 0, thousand_sep=group,
                         force_grouping=grouping, use_l10n=False)
    if isinstance(value, float) and decimal in text:
        text = text.rstrip("0").rstrip(decimal)
    return text


def plain(value: Decimal, language: str) -> str:
    """A reading quoted in a message: the language's own way, without grouping, never in exponent form."""
    text = format(value.normalize(), "f")
    return text.replace(".", separators(language)[1])
