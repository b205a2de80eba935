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
