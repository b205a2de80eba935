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
from django.utils.html import conditional_escape
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


@register.simple_tag
def page_grid(block: dict, texts: dict):
    """The table of a grid item: one radio row per grid row, and a row's "other, specify" box.

    Built in Python rather than with template loops: a 15-row grid was half of a page's rendering
    time (tens of thousands of variable look-ups per page). The markup is what page.js and the
    accessibility tests expect: rows keyed by data-key, radios labelled by row and column.
    """
    header = block["rows"][0]["field"].field.choices
    other_codes = " ".join(block["other_codes"])
    out = [f'<div class="table-responsive"><table class="table table-sm grid-table align-middle" '
           f'data-other-codes="{_e(other_codes)}">\n<thead><tr><td></td>']
    out += [f'<th scope="col" class="text-center small">{_e(label)}</th>' for _, label in header]
    out.append("</tr></thead>\n<tbody>\n")
    for r in block["rows"]:
        out.append(_grid_row(r, texts, len(header)))
    out.append("</tbody></table></div>")
    return mark_safe("".join(out))  # every value passed through _e


def _grid_row(r: dict, texts: dict, columns: int) -> str:
    key, label = _e(r["key"]), _e(r["label"])
    hidden = "" if r["visible"] else "item-hidden"
    out = [f'<tr data-key="{key}" data-ruled="{1 if r["relevance"] else 0}" class="{hidden}">\n'
           f'<th scope="row">{label}']
    if r["help"]:
        out.append(f'\n<details class="small text-muted"><summary>{_e(texts["definition"])}</summary>'
                   f'{_e(r["help"])}</details>')
    invalid = ""
    if r["errors"]:
        out.append(_errors(key, r["errors"], texts, "error-message text-danger small fw-semibold"))
        invalid = f' aria-invalid="true" aria-describedby="error-{key}"'
    out.append("</th>\n")
    for code, choice in r["field"].field.choices:
        code_text = _e(code)
        checked = " checked" if r["value"] == code else ""
        out.append(f'<td><input type="radio" class="form-check-input" name="{key}" value="{code_text}" '
                   f'id="{key}-{code_text}"{checked} aria-label="{label}: {_e(choice)}"{invalid}>\n'
                   f'<label class="d-sm-none small" for="{key}-{code_text}">{_e(choice)}</label></td>\n')
    out.append("</tr>\n")
    other = r.get("other")
    if other:
        ident, other_key = _e(other["field"].auto_id), _e(other["key"])
        value = other["field"].value()
        other_invalid = f' aria-invalid="true" aria-describedby="error-{other_key}"' if other["errors"] else ""
        out.append(f'<tr class="grid-other{" item-hidden" if hidden else ""}" data-other-for="{key}" '
                   f'data-open="{1 if other.get("open") else 0}">\n<td colspan="{columns + 1}">\n'
                   f'<label class="form-label small" for="{ident}">{_e(other["label"])}</label>\n')
        if other["errors"]:
            out.append(_errors(other_key, other["errors"], texts, "error-message text-danger small fw-semibold mb-1"))
        out.append(f'<input type="text" class="form-control form-control-sm" name="{other_key}" id="{ident}" '
                   f'value="{_e("" if value is None else value)}"{other_invalid}>\n</td>\n</tr>\n')
    return "".join(out)


def _errors(key: str, errors: list, texts: dict, css: str) -> str:
    prefix = _e(texts["error_prefix"])
    items = "".join(f'<p class="mb-0"><span class="visually-hidden">{prefix}</span> {_e(e)}</p>' for e in errors)
    return f'<div class="{css}" id="error-{key}">{items}</div>'


def _e(value) -> str:
    return str(conditional_escape(value))
