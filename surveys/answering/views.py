"""The respondent's screens: welcome, one page per module, review, submit, thank-you.

Every view finds the case through the personal token (surveys.access) and calls one service.
"""
from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from surveys.access import invitation_for_token
from surveys.answering.comforts import contact_handover, register_confirm
from surveys.answering.forms import HandoverForm, register_form_class, welcome_about, welcome_extras
from surveys.answering.pageflow import (
    Channel,
    back_view,
    base_context,
    page_keep_draft,
    page_view,
    relevance_view,
    resume_target,
)
from surveys.answering.pages import review_sections
from surveys.answering.pdf import answers_pdf
from surveys.answering.saves import Incomplete, response_submit
from surveys.authoring.waves import response_languages
from surveys.models import Invitation, Response
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.texts import pick, t
from surveys.ratelimit import client_address, hit


def home(request):
    return render(request, "surveys/home.html")


def _case(request, token: str) -> tuple[Invitation, Response]:
    """The case behind a token. Failed look-ups are counted per client address, and once an address
    has failed too often its failed look-ups answer 429 instead of 404. A valid link (192 random
    bits: never guessed) always opens, also from an office whose shared address somebody's mistyped
    links pushed over the limit, and a respondent's own page costs no cache round trip."""
    from django.conf import settings

    try:
        invitation = invitation_for_token(token)
    except Http404:
        if not hit("token-miss", client_address(request), settings.RATE_LIMIT_TOKEN, settings.RATE_LIMIT_WINDOW):
            raise _TooMany from None
        raise
    return invitation, invitation.response


class _TooMany(Exception):
    pass


QUOTA_CLOSED_VIEWS = ("closed", "set_language", "optout")  # what a case closed by a full quota still opens


def token_view(view):
    def wrapper(request, token, *args, **kwargs):
        try:
            invitation, response = _case(request, token)
        except _TooMany:
            return HttpResponse("Too many attempts with invalid links. Please wait a few minutes.", status=429)
        language = response.language
        translation.activate(language)
        if response.screened_out_at and view.__name__ not in QUOTA_CLOSED_VIEWS:
            return redirect("surveys:closed", token=token)
        return view(request, token, invitation, response, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


@token_view
def welcome(request, token, invitation, response):
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    if response.status == Response.Status.SUBMITTED:
        return redirect("surveys:thanks", token=token)
    return welcome_render(request, token, invitation, response)


def welcome_render(request, token, invitation, response, status: int = 200, **forms):
    """The welcome page; `forms` passes back a bound register or handover form with its errors."""
    spec = spec_for_version(response.version)
    started = response.status == Response.Status.STARTED and bool(response.current_module)
    return render(request, "surveys/welcome.html", base_context(
        response, token=token, firm=invitation.firm, intro=pick(spec.definition.get("intro"), response.language),
        started=started, target=resume_target(spec, response), about=welcome_about(invitation.wave, response.language),
        **welcome_extras(invitation, spec, **forms)),
        status=status)


@require_POST
@token_view
def set_language(request, token, invitation, response):
    """Switch language; posted from a questionnaire page, it carries that page's unsaved values along."""
    language = request.POST.get("language", "")
    offered = response_languages(response, spec_for_version(response.version))
    if language in offered and response.status != Response.Status.SUBMITTED:
        if request.GET.get("module"):
            page_keep_draft(request, response, request.GET["module"])
        Response.objects.filter(pk=response.pk).update(language=language)
    return redirect(same_site_next(request) or reverse("surveys:welcome", kwargs={"token": token}))


def same_site_next(request) -> str:
    """The `next` the form sent when it is a path on this site; "" for junk or another site's URL."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _channel(token: str, response: Response) -> Channel:
    """The respondent's own link: a telephone case continued on the web becomes a web case again."""
    kwargs = {"token": token}
    return Channel(namespace="surveys", kwargs=kwargs, start=reverse("surveys:welcome", kwargs=kwargs),
                   done=reverse("surveys:thanks", kwargs=kwargs), closed=reverse("surveys:closed", kwargs=kwargs),
                   mode=Response.Mode.WEB if response.mode == Response.Mode.CATI else None,
                   allow_missing=response.mode == Response.Mode.INTERVIEW, context={"token": token})


@token_view
def page(request, token, invitation, response, module):
    if response.status == Response.Status.SUBMITTED:
        return redirect("surveys:thanks", token=token)
    return page_view(request, _channel(token, response), response, module)


@require_POST
@token_view
def page_back(request, token, invitation, response, module):
    if response.status == Response.Status.SUBMITTED:
        return redirect("surveys:thanks", token=token)
    return back_view(request, _channel(token, response), response, module)


@require_POST
@token_view
def relevance(request, token, invitation, response, module):
    return relevance_view(request, response, module)


@token_view
def review(request, token, invitation, response):
    if response.status == Response.Status.SUBMITTED:
        return redirect("surveys:thanks", token=token)
    spec = spec_for_version(response.version)
    return render(request, "surveys/review.html", base_context(
        response, token=token, sections=review_sections(spec, response.answers, response.language),
        notice=request.GET.get("incomplete") and t("submit_incomplete", response.language)))


@require_POST
@token_view
def submit(request, token, invitation, response):
    try:
        submitted, _ = response_submit(response_id=response.pk)
    except Incomplete as exc:
        return redirect(reverse("surveys:page", kwargs={"token": token, "module": exc.module_code}) + "?incomplete=1")
    return redirect("surveys:closed" if submitted.screened_out_at else "surveys:thanks", token=token)


@token_view
def closed(request, token, invitation, response):
    """The polite end of a case whose quota cell is full (AAPOR 4.80); its answers are kept."""
    if not response.screened_out_at:
        return redirect("surveys:welcome", token=token)
    return render(request, "surveys/closed.html", base_context(response, token=token, firm=invitation.firm))


@token_view
def thanks(request, token, invitation, response):
    if response.status != Response.Status.SUBMITTED:
        return redirect("surveys:welcome", token=token)
    spec = spec_for_version(response.version)
    return render(request, "surveys/thanks.html", base_context(
        response, token=token, firm=invitation.firm, submitted_at=response.submitted_at,
        sections=review_sections(spec, response.answers, response.language)))


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
