"""The editors' screens: the queue by score, one response beside its flags, a change with a reason, the audit.

Editing needs analytics.edit_responses (the editor role, and administrators); the audit list needs
analytics.view_valueedit (also analysts and fieldwork staff, who read it but change nothing).
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analytics.editing import selectors
from analytics.editing.edits import EditRefused, flags_accept, value_edit
from analytics.editing.forms import AcceptForm, ValueEditForm
from analytics.editing.rules import rule_counts
from surveys.access import questionnaire_for_code
from surveys.models import Questionnaire

EDIT = "analytics.edit_responses"


@login_required
@permission_required(EDIT, raise_exception=True)
def editing_home(request):
    rows = [(q, sum(c["flagged"] - c["accepted"] for c in rule_counts(questionnaire=q)))
            for q in Questionnaire.objects.all()]
    return render(request, "editing/home.html", {"rows": rows})


@login_required
@permission_required(EDIT, raise_exception=True)
def queue(request, code: str):
    questionnaire = questionnaire_for_code(code)
    return render(request, "editing/queue.html", {
        "questionnaire": questionnaire, "cases": selectors.queue_cases(questionnaire=questionnaire),
        "rules": rule_counts(questionnaire=questionnaire),
        "edits": selectors.recent_edits(questionnaire=questionnaire)})


@login_required
@permission_required(EDIT, raise_exception=True)
def response_page(request, pk: int):
    response = selectors.submitted_response(pk)
    return _response_page(request, response, status=200)


def _response_page(request, response, *, edit_form=None, accept_form=None, status: int):
    review = selectors.response_review(response=response)
    return render(request, "editing/response.html", {
        "response": response, "questionnaire": response.version.questionnaire, **review,
        "edit_form": edit_form or ValueEditForm(keys=review["keys"]), "accept_form": accept_form or AcceptForm()},
        status=status)


@require_POST
@login_required
@permission_required(EDIT, raise_exception=True)
def edit(request, pk: int):
    response = selectors.submitted_response(pk)
    form = ValueEditForm(request.POST, keys=selectors.response_review(response=response)["keys"])
    if not form.is_valid():
        return _response_page(request, response, edit_form=form, status=400)
    d = form.cleaned_data
    try:
        value_edit(response_id=response.pk, key=d["key"], raw=d["value"], reason=d["reason"], note=d["note"],
                   editor=request.user)
    except EditRefused as exc:
        form.add_error("value", str(exc))
        return _response_page(request, response, edit_form=form, status=400)
    messages.success(request, _("%(key)s changed; the raw answer is kept.") % {"key": d["key"]})
    return redirect("editing:response", pk=response.pk)


@require_POST
@login_required
@permission_required(EDIT, raise_exception=True)
def accept(request, pk: int):
    response = selectors.submitted_response(pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _response_page(request, response, accept_form=form, status=400)
    try:
        flags_accept(response_id=response.pk, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"],
                     editor=request.user)
    except EditRefused as exc:
        form.add_error(None, str(exc))
        return _response_page(request, response, accept_form=form, status=400)
    messages.success(request, _("The flagged values were accepted."))
    return redirect("editing:queue", code=response.version.questionnaire.code)


@login_required
@permission_required("analytics.view_valueedit", raise_exception=True)
def audit(request, code: str):
    questionnaire = questionnaire_for_code(code)
    return render(request, "editing/audit.html", {
        "questionnaire": questionnaire, "edits": selectors.audit_edits(questionnaire=questionnaire)})
