"""{% workspace_nav %}: the signed-in user's sections and language menu in the navigation bar of every
staff page; `|num`: a count or figure written as the active language writes numbers (13.200 in
Italian, 13,200 in English), for display only: attributes, inputs and files keep plain numbers."""
import re
from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import formats, translation

from surveys.accounts.language import user_language
from surveys.accounts.workspace import workspace_sections

register = template.Library()


@register.inclusion_tag("_workspace_nav.html", takes_context=True)
def workspace_nav(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    path = request.path if request else ""
    sections = workspace_sections(user=user) if user is not None else []
    current = next((s.key for s in sections if s.key != "codebook" and path.startswith(s.url)), "")
    return {"sections": sections, "current": current, "csrf_token": context.get("csrf_token"),
            "languages": settings.LANGUAGES, "chosen": user_language(user=user),
            "current_language": translation.get_language(), "next": request.get_full_path() if request else ""}


@register.filter
def num(value, decimals=None):
    """Thousands grouped and the decimal mark of the active language; None and "" stay as they are."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@register.filter
def num_text(value):
    """A table cell already rounded to text ("1234.5", "<5", "·"): plain numbers are rewritten in the
    active language with their decimals kept; anything else is shown as it is."""
    if not isinstance(value, str) or not PLAIN_NUMBER.fullmatch(value):
        return value
    decimals = len(value.partition(".")[2])
    return formats.number_format(Decimal(value), decimal_pos=decimals, use_l10n=True, force_grouping=True)
