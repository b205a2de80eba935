"""`language_switch`: the respondent's language buttons in the navigation bar.

On a questionnaire page each button posts that page's form, so what was typed is carried over.
Written in Python because it is on every respondent page, and as a template (two URL look-ups,
filters and conditions per language) it cost more than the rest of the page's frame.
"""
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from surveys.templatetags.page_fields import escaped

register = template.Library()


@register.simple_tag(takes_context=True)
def language_switch(context) -> str:
    names = context.get("language_names") or []
    if len(names) <= 1:
        return ""
    action = (reverse("surveys:language", kwargs={"token": context["token"]})
              + "?next=" + quote(context["request"].path, safe="/"))
    current, module = context.get("language"), context.get("module")
    page = (f' form="page-form" formaction="{escaped(action)}&amp;module={escaped(quote(str(module.code), safe="/"))}"'
            " formnovalidate") if module else ""
    out = [f'<form method="post" action="{escaped(action)}" class="d-flex gap-1 align-items-center no-print" '
           f'id="language-form" aria-label="{escaped(context["texts"]["language"])}">\n'
           f'<input type="hidden" name="csrfmiddlewaretoken" value="{escaped(context.get("csrf_token", ""))}">\n']
    for code, name in names:
        chosen = ' aria-current="true"' if code == current else ""
        out.append(f'<button type="submit" name="language" value="{escaped(code)}" lang="{escaped(code)}" '
                   f'class="btn btn-sm {"btn-light" if chosen else "btn-outline-light"}"'
                   f'{chosen}{page}>{escaped(name)}</button>\n')
    out.append("</form>\n")
    return mark_safe("".join(out))  # every value passed through escaped

