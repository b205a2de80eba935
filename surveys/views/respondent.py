"""The respondent's screens: welcome, one page per module, review, submit, thank-you.

Every view finds the case through the personal token (surveys.access) and calls one service.
"""
from __future__ import annotations

import time

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_POST

from surveys.access import invitation_for_token
from surveys.engine.spec import spec_for_version
from surveys.engine.validation import page_relevance
from surveys.forms import initial_values, page_form_class, raw_values
from surveys.models import Invitation, Response
from surveys.models.i18n import pick
from surveys.pages import page_blocks, progress, review_sections, visible_modules
from surveys.ratelimit import client_address, hit
from surveys.services import AlreadySubmitted, Conflict, Incomplete, response_save_page, response_submit
from surveys.texts import TEXTS, t


def home(request):
    return render(request, "surveys/home.html")


def _case(request, token: str) -> tuple[Invitation, Response]:
    """The case behind a token; failed look-ups are rate limited per client address."""
    from django.conf import settings

    key = client_address(request)
    if not hit("token-check", key, 10**9, settings.RATE_LIMIT_WINDOW) or _blocked(key):
        raise _TooMany
    try:
        invitation = invitation_for_token(token)
    except Http404:
        hit("token-miss", key, settings.RATE_LIMIT_TOKEN, settings.RATE_LIMIT_WINDOW)
        raise
    return invitation, invitation.response


def _blocked(key: str) -> bool:
    from django.conf import settings
    from django.core.cache import cache

    return (cache.get(f"rl:token-miss:{key}") or 0) >= settings.RATE_LIMIT_TOKEN


class _TooMany(Exception):
    pass


def token_view(view):
    def wrapper(request, token, *args, **kwargs):
        try:
            invitation, response = _case(request, token)
        except _TooMany:
            return HttpResponse("Too many attempts with invalid links. Please wait a few minutes.", status=429)
        language = response.language
        translation.activate(language)
        return view(request, token, invitation, response, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


def _context(response: Response, **extra) -> dict:
    spec = spec_for_version(response.version)
    language = response.language
    return {"spec": spec, "language": language, "texts": {k: t(k, language) for k in TEXTS},
            "title": pick(spec.definition.get("title"), language), "languages": spec.languages, **extra}


@token_view
def welcome(request, token, invitation, response):
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    if response.status == Response.Status.SUBMITTED:
        return redirect("surveys:thanks", token=token)
    spec = spec_for_version(response.version)
    modules = visible_modules(spec, response.answers)
    resume = response.current_module if response.status == Response.Status.STARTED else None
    target = _next_after(spec, response.answers, resume) if resume else modules[0].code
    return render(request, "surveys/welcome.html", _context(
        response, token=token, firm=invitation.firm, intro=pick(spec.definition.get("intro"), response.language),
        started=bool(resume), target=target))


def _next_after(spec, answers, module_code):
    codes = [m.code for m in visible_modules(spec, answers)]
    if module_code in codes and codes.index(module_code) + 1 < len(codes):
        return codes[codes.index(module_code) + 1]
    return "review" if module_code in codes else (codes[0] if codes else "review")


@require_POST
@token_view
def set_language(request, token, invitation, response):
    language = request.POST.get("language", "")
    if language in response.version.languages and response.status != Response.Status.SUBMITTED:
        Response.objects.filter(pk=response.pk).update(language=language)
    return redirect(request.POST.get("next") or "surveys:welcome", token=token)


@token_view
def page(request, token, invitation, response, module):
    if response.status == Response.Status.SUBMITTED:
        return redirect("surveys:thanks", token=token)
    spec = spec_for_version(response.version)
    if module not in [m.code for m in visible_modules(spec, response.answers)]:
        raise Http404
    allow_missing = response.mode in (Response.Mode.CATI, Response.Mode.INTERVIEW)
    form_class = page_form_class(spec, spec.module(module), response.language, allow_missing)
    result, notice = None, ""
    if request.method == "POST":
        form = form_class(request.POST)
        form.is_valid()
        outcome = _save(request, form, spec, module, response, allow_missing)
        if isinstance(outcome, HttpResponse):
            return outcome
        result, notice, response, form = outcome
    else:
        form = form_class(initial={**initial_values(spec.module(module), response.answers),
                                   "page_revision": response.revision, "page_started": time.time()})
    return _render_page(request, token, response, spec, module, form, result, notice)


def _save(request, form, spec, module, response, allow_missing):
    module_spec = spec.module(module)
    started = form.cleaned_data.get("page_started") or time.time()
    confirmed = [k[len("confirm:"):] for k in request.POST if k.startswith("confirm:")]
    try:
        result, saved = response_save_page(
            response_id=response.pk, module_code=module, raw=raw_values(form, module_spec),
            revision=form.cleaned_data.get("page_revision", -1), language=response.language,
            seconds=min(time.time() - started, 3600), confirmed=confirmed, allow_missing=allow_missing)
    except AlreadySubmitted:
        return redirect("surveys:thanks", token=request.resolver_match.kwargs["token"])
    except Conflict:
        response.refresh_from_db()
        fresh = page_form_class(spec, module_spec, response.language, allow_missing)(
            initial={**initial_values(module_spec, response.answers), "page_revision": response.revision,
                     "page_started": time.time()})
        return None, t("conflict", response.language), response, fresh
    if result.ok:
        target = _next_after(spec, saved.answers, module)
        token = request.resolver_match.kwargs["token"]
        return redirect("surveys:review", token=token) if target == "review" else redirect(
            "surveys:page", token=token, module=target)
    for key, messages in result.errors.items():
        if key in form.fields:  # item-level messages (grids, splits, checks) are shown from `result`
            for message in messages:
                form.add_error(key, message)
    return result, t("errors_on_page", response.language), response, form


def _render_page(request, token, response, spec, module, form, result, notice):
    language = response.language
    module_spec = spec.module(module)
    status = 409 if notice == t("conflict", language) else (200 if result is None or result.ok else 422)
    return render(request, "surveys/page.html", _context(
        response, token=token, module=module_spec, module_title=pick(module_spec.title, language), form=form,
        blocks=page_blocks(spec, module_spec, form, response.answers, language, result),
        progress=progress(spec, response.answers, module, language), notice=notice,
        allow_missing=response.mode != Response.Mode.WEB), status=status)


@require_POST
@token_view
def relevance(request, token, invitation, response, module):
    """Live skip logic: which items of the page the current (unsaved) values make relevant."""
    spec = spec_for_version(response.version)
    if module not in [m.code for m in spec.modules]:
        raise Http404
    module_spec = spec.module(module)
    form = page_form_class(spec, module_spec, response.language)(request.POST)
    return JsonResponse(page_relevance(spec, module, raw_values(form, module_spec), response.answers))


@token_view
def review(request, token, invitation, response):
    if response.status == Response.Status.SUBMITTED:
        return redirect("surveys:thanks", token=token)
    spec = spec_for_version(response.version)
    return render(request, "surveys/review.html", _context(
        response, token=token, sections=review_sections(spec, response.answers, response.language),
        notice=request.GET.get("incomplete") and t("submit_incomplete", response.language)))


@require_POST
@token_view
def submit(request, token, invitation, response):
    try:
        response_submit(response_id=response.pk)
    except Incomplete as exc:
        return redirect("surveys:page", token=token, module=exc.module_code)
    return redirect("surveys:thanks", token=token)


@token_view
def thanks(request, token, invitation, response):
    if response.status != Response.Status.SUBMITTED:
        return redirect("surveys:welcome", token=token)
    spec = spec_for_version(response.version)
    return render(request, "surveys/thanks.html", _context(
        response, token=token, firm=invitation.firm, submitted_at=response.submitted_at,
        sections=review_sections(spec, response.answers, response.language)))
