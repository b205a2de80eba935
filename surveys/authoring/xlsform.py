"""XLSForm's spellings of conditions, read as the condition language (surveys.questionnaire.conditions)."""
from __future__ import annotations

import re

_XLSFORM_REF = re.compile(r"\$\{([^}]+)\}")
_XLSFORM_SELECTED = re.compile(r"selected\(\s*([\w.$]+)\s*,\s*'?([\w-]+)'?\s*\)")
_XLSFORM_SELF = re.compile(r"(?<![\w.'])\.(?![\w.'])")
_XLSFORM_EQUALS = re.compile(r"(?<![=!<>])=(?!=)")


def condition(text: str, item: str = "") -> str:
    """XLSForm spellings read as the condition language: ${x} -> x, . -> the item itself,
    selected(x, 'a') -> sel(x, a), a single = -> ==. Our own spellings pass unchanged."""
    text = _XLSFORM_REF.sub(r"\1", text)
    text = _XLSFORM_SELECTED.sub(r"sel(\1, \2)", text)
    if item:
        text = _XLSFORM_SELF.sub(item, text)
    return _XLSFORM_EQUALS.sub("==", text)
