"""`as_page_field`: crispy's field rendering, remembered for fields of an unbound page form.

A respondent page renders the same fields with the same few values over and over (choices,
scales), and crispy's Bootstrap templates cost about as much as the rest of the page. A field of an
unbound form (a page opened with GET) without errors renders the same HTML for the same form class
(one per compiled spec, page and language, see surveys.answering.forms.page_form_class), name and
value, so that HTML is kept per process. Bound forms (a page sent back with its errors) are
always rendered afresh.
"""
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.utils.safestring import mark_safe

register = template.Library()
_HTML: dict[tuple, str] = {}
MAX_ENTRIES = 20_000


@register.filter
def as_page_field(field):
    if field.form.is_bound or field.errors:
        return as_crispy_field(field)
    key = (type(field.form), field.name, field.auto_id, _frozen(field.value()))
    html = _HTML.get(key)
    if html is None:
        if len(_HTML) >= MAX_ENTRIES:
            _HTML.clear()
        html = _HTML[key] = str(as_crispy_field(field))
    return mark_safe(html)  # crispy's own output, marked safe by crispy in the first place


def _frozen(value):
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value if isinstance(value, str | int | float | bool | type(None)) else repr(value)
