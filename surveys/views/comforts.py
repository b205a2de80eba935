"""The respondent's comforts on the personal link: confirm register data, pass the link on, a PDF copy."""
from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from surveys.comforts import contact_handover, register_confirm
from surveys.engine.spec import spec_for_version
from surveys.forms_comforts import HandoverForm, register_form_class
from surveys.models import Response
from surveys.pdf import answers_pdf
from surveys.views.respondent import token_view, welcome_render


@require_POST
@token_view
def register(request, token, invitation, response):
    spec = spec_for_version(response.version)
    form = register_form_class(spec, response.language)(request.POST)
    if not form.is_valid():
        return welcome_render(request, token, invitation, response, status=422, register_form=form)
    register_confirm(invitation=invitation, spec=spec, values=form.cleaned_data)
    return redirect("surveys:welcome", token=token)


@require_POST
@token_view
def handover(request, token, invitation, response):
    form = HandoverForm(request.POST, language=response.language)
    if not form.is_valid():
        return welcome_render(request, token, invitation, response, status=422, handover_form=form)
    contact_handover(invitation=invitation, **form.cleaned_data)
    return redirect("surveys:welcome", token=token)


@token_view
def pdf(request, token, invitation, response):
    if response.status != Response.Status.SUBMITTED:
        return redirect("surveys:welcome", token=token)
    name = f"answers-{invitation.firm.pseudonym}.pdf"
    return HttpResponse(answers_pdf(response=response, firm=invitation.firm), content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
