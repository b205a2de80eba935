"""Page forms are built once per spec, page and language; each request's form copies only what it may change."""
import pytest

from surveys.answering.forms import page_form_class
from surveys.questionnaire.spec import spec_for_version

pytestmark = pytest.mark.django_db


def test_forms_of_one_page_share_their_choices_but_not_their_widget_attributes(mini_version):
    spec = spec_for_version(mini_version)
    module = spec.modules[1]
    key = next(f.key for item in module.items for f in item.fields if f.kind == "choice")
    form_class = page_form_class(spec, module, "en")
    first, second = form_class(), form_class()
    assert first.fields[key].choices is second.fields[key].choices  # shared, not deep-copied per request
    first.fields[key].widget.attrs["aria-invalid"] = "true"  # a page shown with an error marks its control
    assert "aria-invalid" not in second.fields[key].widget.attrs
    assert "aria-invalid" not in form_class.base_fields[key].widget.attrs
    first.fields[key].label = "changed"
    assert second.fields[key].label != "changed"


def test_every_field_of_a_page_form_is_copied_without_the_general_deepcopy(mini_version, monkeypatch):
    """copy.copy per field and widget cost a millisecond per page: a page form's fields copy
    themselves directly, and each copy is still its own (widget, attributes, messages, validators)."""
    import copy

    spec = spec_for_version(mini_version)
    form_class = page_form_class(spec, spec.modules[0], "en")
    calls = []
    real_copy = copy.copy
    monkeypatch.setattr(copy, "copy", lambda obj: calls.append(type(obj).__name__) or real_copy(obj))
    form = form_class()
    assert calls == []
    for name, field in form.fields.items():
        base = form_class.base_fields[name]
        assert field is not base and field.widget is not base.widget
        assert field.widget.attrs is not base.widget.attrs and field.widget.attrs == base.widget.attrs
        assert field.error_messages is not base.error_messages and field.validators is not base.validators
        assert type(field) is type(base) and field.required == base.required and field.label == base.label


@pytest.mark.parametrize("value", ['<b onclick="x">&amp;\'</b>', "", "plain", "é"])
def test_markup_written_in_python_escapes_as_django_does(value, monkeypatch):
    from django.utils import html
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from surveys.templatetags import page_fields

    assert page_fields.escaped(value) == str(html.escape(value))
    assert page_fields.escaped(mark_safe(value)) == value  # already safe: kept
    assert page_fields.escaped(gettext_lazy("Optional")) == "Optional"
    assert page_fields.escaped(7) == "7"
    monkeypatch.setattr(page_fields, "conditional_escape", None)  # a plain string never takes the slow path
    assert page_fields.escaped(value) == str(html.escape(value))
