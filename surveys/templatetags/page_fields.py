"""`as_page_field`: crispy's field rendering, remembered for fields of an unbound page form.

A respondent page renders the same fields with the same few values over and over (choices,
scales), and crispy's Bootstrap templates cost about as much as the rest of the page. A field of an
unbound form (a page opened with GET) without errors renders the same HTML for the same form class
(one per compiled spec, page and language, see surveys.answering.forms.page_form_class), name and
value, so that HTML is kept per process. Bound forms (a page sent back with its errors) are
always rendered afresh.
"""
from html import escape as _html_escape

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.template.defaultfilters import linebreaksbr
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
def page_hidden(form) -> str:
    """The page's revision and opening time as hidden inputs (what Django's widget templates write,
    without rendering two templates per page)."""
    out = []
    for name in ("page_revision", "page_started"):
        bound = form[name]
        value = bound.value()
        shown = "" if value is None or value == "" else f' value="{escaped(bound.field.widget.format_value(value))}"'
        out.append(f'<input type="hidden" name="{name}"{shown} id="{escaped(bound.auto_id)}">')
    return mark_safe("".join(out))  # every value passed through escaped


@register.simple_tag
def page_blocks(blocks: list[dict], texts: dict):
    """Every item of a page, each a fieldset: legend, help, messages, warnings to confirm, its grid,
    fields, long lists and running total (blocks from surveys.answering.pages.page_blocks).

    Built in Python like the grid: as template loops these cost about half of a page's time in
    variable look-ups and context pushes, on every GET and after every save. The markup is what
    page.js, the browser and accessibility tests expect.
    """
    return mark_safe("".join(_block(b, texts) for b in blocks))  # every value passed through escaped


def _block(b: dict, texts: dict) -> str:
    code = escaped(b["code"])
    classes = "item mb-4" + ("" if b["visible"] else " item-hidden") + (" has-error" if b["has_error"] else "")
    out = [f'<fieldset class="{classes}" data-item="{code}" id="item-{code}">\n'
           f'<legend class="h6 mb-1" id="legend-{code}"><span class="text-muted small me-1">{code}</span> '
           f'{escaped(b["wording"])}']
    if not b["required"]:
        out.append(f' <span class="text-muted small">({escaped(texts["optional"])})</span>')
    out.append("</legend>\n")
    if b["help"]:
        out.append(f'<div id="help-{code}" class="form-text mb-2">{linebreaksbr(b["help"], autoescape=True)}</div>\n')
    if b["errors"]:
        out.append(_errors(code, b["errors"], texts, "error-message text-danger fw-semibold mb-1"))
    for ident, message in b["warnings"]:
        ident = escaped(ident)
        out.append(f'<div class="alert alert-warning py-2"><span class="error-message">{escaped(message)}</span>\n'
                   f'<div class="form-check mt-1"><input class="form-check-input" type="checkbox" '
                   f'name="confirm:{ident}" id="confirm-{ident}">\n'
                   f'<label class="form-check-label" for="confirm-{ident}">{escaped(texts["confirm_warning"])}</label>'
                   f'</div></div>\n')
    if b["rows"]:
        out.append(page_grid(b, texts))
    for f in b["fields"]:
        key = escaped(f["key"])
        out.append(f'<div data-key="{key}" class="{"" if f["visible"] else "item-hidden"}">\n')
        if f["errors"]:
            out.append(_errors(key, f["errors"], texts, "error-message text-danger fw-semibold mb-1"))
        out.append(_long_list(f, texts) if f["long"] else as_page_field(f["field"]))
        if f["missing"]:
            out.append(f'<div class="missing-codes small">{as_page_field(f["missing"])}</div>')
        out.append("</div>\n")
    if b["total"] is not None:
        out.append(f'<p class="split-total small" data-split="{code}">{escaped(texts["total"])}: '
                   f'<output id="total-{code}" aria-live="polite">{escaped(b["total"])}</output> / 100</p>\n')
    out.append("</fieldset>\n")
    return "".join(out)


def _long_list(f: dict, texts: dict) -> str:
    """A long choice list: grouped radios or checkboxes; page.js shows the filter box."""
    key, kind = escaped(f["key"]), escaped(f["input_type"])
    invalid = f' aria-invalid="true" aria-describedby="error-{key}"' if f["errors"] else ""
    out = [f'<div class="long-list" id="list-{key}">\n<div class="long-list-search mb-2" hidden>\n'
           f'<label class="form-label small" for="filter-{key}">{escaped(texts["filter_list"])}</label>\n'
           f'<input type="search" class="form-control form-control-sm long-list-filter" id="filter-{key}" '
           f'autocomplete="off" aria-controls="options-{key}">\n</div>\n'
           f'<div class="long-list-box border rounded p-2" id="options-{key}">\n']
    for n, group in enumerate(f["groups"], start=1):
        labelled = f' role="group" aria-labelledby="group-{key}-{n}"' if group["label"] else ""
        out.append(f'<div class="long-list-group"{labelled}>\n')
        if group["label"]:
            out.append(f'<p class="fw-semibold small mb-1 mt-2" id="group-{key}-{n}">{escaped(group["label"])}</p>\n')
        for o in group["options"]:
            ident = escaped(o["id"])
            out.append(f'<div class="form-check"><input class="form-check-input" type="{kind}" name="{key}" '
                       f'value="{escaped(o["code"])}" id="{ident}"{" checked" if o["checked"] else ""}{invalid}>\n'
                       f'<label class="form-check-label" for="{ident}">{escaped(o["label"])}</label></div>\n')
        out.append("</div>\n")
    out.append("</div>\n</div>\n")
    return "".join(out)


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
           f'data-other-codes="{escaped(other_codes)}">\n<thead><tr><td></td>']
    out += [f'<th scope="col" class="text-center small">{escaped(label)}</th>' for _, label in header]
    out.append("</tr></thead>\n<tbody>\n")
    for r in block["rows"]:
        out.append(_grid_row(r, texts, len(header)))
    out.append("</tbody></table></div>")
    return mark_safe("".join(out))  # every value passed through escaped


def _grid_row(r: dict, texts: dict, columns: int) -> str:
    key, label = escaped(r["key"]), escaped(r["label"])
    hidden = "" if r["visible"] else "item-hidden"
    out = [f'<tr data-key="{key}" data-ruled="{1 if r["relevance"] else 0}" class="{hidden}">\n'
           f'<th scope="row">{label}']
    if r["help"]:
        out.append(f'\n<details class="small text-muted"><summary>{escaped(texts["definition"])}</summary>'
                   f'{escaped(r["help"])}</details>')
    invalid = ""
    if r["errors"]:
        out.append(_errors(key, r["errors"], texts, "error-message text-danger small fw-semibold"))
        invalid = f' aria-invalid="true" aria-describedby="error-{key}"'
    out.append("</th>\n")
    for code, choice in r["field"].field.choices:
        code_text = escaped(code)
        checked = " checked" if r["value"] == code else ""
        out.append(f'<td><input type="radio" class="form-check-input" name="{key}" value="{code_text}" '
                   f'id="{key}-{code_text}"{checked} aria-label="{label}: {escaped(choice)}"{invalid}>\n'
                   f'<label class="d-sm-none small" for="{key}-{code_text}">{escaped(choice)}</label></td>\n')
    out.append("</tr>\n")
    other = r.get("other")
    if other:
        ident, other_key = escaped(other["field"].auto_id), escaped(other["key"])
        value = other["field"].value()
        other_invalid = f' aria-invalid="true" aria-describedby="error-{other_key}"' if other["errors"] else ""
        out.append(f'<tr class="grid-other{" item-hidden" if hidden else ""}" data-other-for="{key}" '
                   f'data-open="{1 if other.get("open") else 0}">\n<td colspan="{columns + 1}">\n'
                   f'<label class="form-label small" for="{ident}">{escaped(other["label"])}</label>\n')
        if other["errors"]:
            out.append(_errors(other_key, other["errors"], texts, "error-message text-danger small fw-semibold mb-1"))
        out.append(f'<input type="text" class="form-control form-control-sm" name="{other_key}" id="{ident}" '
                   f'value="{escaped("" if value is None else value)}"{other_invalid}>\n</td>\n</tr>\n')
    return "".join(out)


def _errors(key: str, errors: list, texts: dict, css: str) -> str:
    prefix = escaped(texts["error_prefix"])
    items = "".join(f'<p class="mb-0"><span class="visually-hidden">{prefix}</span> {escaped(e)}</p>' for e in errors)
    return f'<div class="{css}" id="error-{key}">{items}</div>'


def escaped(value) -> str:
    """A value as HTML text (already safe strings kept as they are), for markup written in Python.

    Plain strings, most of a page's several hundred values, go straight to html.escape, which is
    what Django's escape does for them: its lazy-aware wrapper costs more than the escaping.
    """
    if type(value) is str:
        return _html_escape(value)
    return str(conditional_escape(value))
