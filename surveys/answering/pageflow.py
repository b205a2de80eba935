"""The questionnaire pages, shared by the respondent's link and the interviewer's screens.

A Channel says where the screens live and who saves: the respondent (token URLs) or an
interviewer (case URLs, mode "cati", don't know / refused offered, edits audited). Both save the
same Response through surveys.answering.saves.response_save_page, whose revision check turns a save
made from a stale page (other tab, or the other side of a web/telephone case) into a conflict.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from surveys.answering.comforts import register_answers_check, register_prefill
from surveys.answering.drafts import draft_drop, draft_initial, draft_keep
from surveys.answering.forms import initial_values, page_form_class, raw_values
from surveys.answering.pages import error_summary, page_blocks, progress, visible_modules
from surveys.answering.paradata import device_class
from surveys.answering.saves import AlreadySubmitted, Conflict, ScreenedOut, response_save_page
from surveys.authoring.waves import response_languages
from surveys.models import Response
from surveys.questionnaire.numbers import separators
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.texts import TEXTS, pick, t
from surveys.questionnaire.validation import PageResult, page_relevance, validate_page

LANGUAGE_NAMES = dict(settings.LANGUAGES)  # each language named in itself: English, Italiano, Español


@dataclass
class Channel:
    namespace: str  # URL namespace with views named page, relevance, review
    kwargs: dict  # what identifies the case in those URLs
    start: str  # the screen before the first page
    done: str  # where a submitted case goes
    mode: str | None = None  # recorded on the response by each save (None: leave as is)
    allow_missing: bool = False
    actor: object = None  # the signed-in user saving on the firm's behalf
    template: str = "surveys/page.html"
    audience: str = "web"  # whose wording and help the pages show: "web" or "interviewer"
    interface: str | None = None  # language of the screen's own texts (None: the respondent's)
    conflict: str = ""  # notice on a conflict (default: the respondent's text)
    closed: str = ""  # where a case screened out by a full quota goes (default: `done`)
    context: dict = field(default_factory=dict)

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"{self.namespace}:{name}", kwargs={**self.kwargs, **kwargs})


@lru_cache(maxsize=16)
def _texts(language: str) -> dict[str, str]:
    """The interface texts of one language (built once per process, read by every page)."""
    return {k: t(k, language) for k in TEXTS}


def base_context(response: Response, interface: str | None = None, **extra) -> dict:
    """What every questionnaire screen needs; `interface`: the language of buttons and notices when it is
    not the respondent's (an interviewer's screens follow the interviewer's browser)."""
    spec = spec_for_version(response.version)
    language = response.language
    languages = response_languages(response, spec)
    return {"spec": spec, "language": language, "texts": _texts(interface or language), "response": response,
            "title": pick(spec.definition.get("title"), language), "languages": languages,
            "language_names": [(code, LANGUAGE_NAMES.get(code, code)) for code in languages], **extra}


def next_after(spec, answers: dict, module_code: str) -> str:
    codes = [m.code for m in visible_modules(spec, answers)]
    if module_code in codes and codes.index(module_code) + 1 < len(codes):
        return codes[codes.index(module_code) + 1]
    return "review" if module_code in codes else (codes[0] if codes else "review")


def resume_target(spec, response: Response) -> str:
    """The page to open: the one after the last saved, else the first."""
    if response.status == Response.Status.STARTED and response.current_module:
        return next_after(spec, response.answers, response.current_module)
    modules = visible_modules(spec, response.answers)
    return modules[0].code if modules else "review"


def page_view(request, channel: Channel, response: Response, module: str) -> HttpResponse:
    spec = spec_for_version(response.version)
    if module not in [m.code for m in visible_modules(spec, response.answers)]:
        raise Http404
    module_spec = spec.module(module)
    form_class = page_form_class(spec, module_spec, response.language, channel.allow_missing, channel.interface)
    ui = channel.interface or response.language  # buttons, notices and messages: the screen user's language
    result, notice, status = None, "", 200
    if request.method == "POST":
        form = form_class(request.POST)
        form.is_valid()
        outcome = _save(request, channel, form, spec, module_spec, response)
        if isinstance(outcome, HttpResponse):
            return outcome
        result, notice, status, response, form = outcome
    else:
        form, restored = _fresh_form(request, form_class, spec, module_spec, response)
        notice = t("draft_restored", ui) if restored else ""
        if request.GET.get("incomplete"):  # sent back by a submit: say what is missing here
            result = stored_page_result(spec, module_spec, response, channel.allow_missing, messages=ui)
            notice = t("submit_incomplete_page", ui)
    return _render(request, channel, response, spec, module_spec, form, result, notice, status)


def back_view(request, channel: Channel, response: Response, module: str) -> HttpResponse:
    """Back: the page is saved if it can be, else kept as typed; then the previous page."""
    spec = spec_for_version(response.version)
    if module not in [m.code for m in visible_modules(spec, response.answers)]:
        raise Http404
    module_spec = spec.module(module)
    form = page_form_class(spec, module_spec, response.language, channel.allow_missing,
                           channel.interface)(request.POST)
    form.is_valid()
    outcome = _save(request, channel, form, spec, module_spec, response, advance=False)
    if isinstance(outcome, tuple):  # not saved (messages, or a conflict): nothing typed is thrown away
        draft_keep(session=request.session, response_id=response.pk, module_code=module,
                   raw=raw_values(form, module_spec), language=response.language)
    response.refresh_from_db()
    previous = progress(spec, response.answers, module, response.language)["previous"]
    return redirect(channel.url("page", module=previous) if previous else channel.start)


def page_keep_draft(request, response: Response, module: str) -> None:
    """Keep the values a page was posted with (the language switch posts the page it sits on)."""
    spec = spec_for_version(response.version)
    if module not in [m.code for m in spec.modules] or "page_revision" not in request.POST:
        return
    module_spec = spec.module(module)
    form = page_form_class(spec, module_spec, response.language, True)(request.POST)
    draft_keep(session=request.session, response_id=response.pk, module_code=module,
               raw=raw_values(form, module_spec), language=response.language)


def stored_page_result(spec, module_spec, response: Response, allow_missing: bool,
                       messages: str | None = None) -> PageResult:
    """The messages the saved answers of one page get (a submit found this page incomplete)."""
    return validate_page(spec, module_spec.code, response.answers, response.answers, language=response.language,
                         confirmed=_AllConfirmed(), allow_missing=allow_missing or bool(spec.missing_codes),
                         messages=messages)


class _AllConfirmed:
    """Soft warnings were confirmed when the page was saved; only errors make a page incomplete."""

    def __contains__(self, item) -> bool:
        return True


def _fresh_form(request, form_class, spec, module_spec, response: Response):
    initial = {**register_prefill(spec, module_spec, response),
               **initial_values(module_spec, response.answers, response.language)}
    draft = draft_initial(session=request.session, response_id=response.pk, module=module_spec,
                          language=response.language)
    form = form_class(initial={**initial, **(draft or {}), "page_revision": response.revision,
                               "page_started": time.time()})
    return form, bool(draft)


def _save(request, channel: Channel, form, spec, module_spec, response: Response, advance: bool = True):
    """Save the page; on success a redirect (the next page, or the review it came from), else what to render."""
    started = form.cleaned_data.get("page_started") or time.time()
    confirmed = [k[len("confirm:"):] for k in request.POST if k.startswith("confirm:")]
    try:
        result, saved = response_save_page(
            response_id=response.pk, module_code=module_spec.code, raw=raw_values(form, module_spec),
            revision=form.cleaned_data.get("page_revision", -1), language=response.language,
            seconds=time.time() - started, confirmed=confirmed, mode=channel.mode,
            allow_missing=channel.allow_missing, actor=channel.actor, messages=channel.interface,
            device=device_class(request.META.get("HTTP_USER_AGENT", "")))
    except AlreadySubmitted:
        return redirect(channel.done)
    except ScreenedOut:
        return redirect(channel.closed or channel.done)
    except Conflict:
        response.refresh_from_db()
        fresh, _ = _fresh_form(request, type(form), spec, module_spec, response)
        return None, channel.conflict or t("conflict", channel.interface or response.language), 409, response, fresh
    if result.ok and saved.screened_out_at:
        return redirect(channel.closed or channel.done)
    if result.ok:
        draft_drop(session=request.session, response_id=response.pk, module_code=module_spec.code)
        register_answers_check(spec=spec, module_code=module_spec.code, response=saved, actor=channel.actor)
        if not advance:
            return redirect(channel.start)
        target = "review" if request.GET.get("return") == "review" else next_after(spec, saved.answers,
                                                                                    module_spec.code)
        return redirect(channel.url("review") if target == "review" else channel.url("page", module=target))
    return result, t("errors_on_page", channel.interface or response.language), 422, response, form


def _render(request, channel: Channel, response, spec, module_spec, form, result, notice, status):
    language = response.language
    steps = progress(spec, response.answers, module_spec.code, channel.interface or language)
    urls = {"relevance": channel.url("relevance", module=module_spec.code),
            "back": channel.url("page_back", module=module_spec.code)}
    blocks = page_blocks(spec, module_spec, form, response.answers, language, result, channel.audience)
    return render(request, channel.template, base_context(
        response, interface=channel.interface, **channel.context, module=module_spec,
        module_title=pick(module_spec.title, language), form=form,
        blocks=blocks, error_summary=error_summary(module_spec, form, result), progress=steps,
        notice=notice, urls=urls, allow_missing=channel.allow_missing, numbers=separators(language)),
        status=status)


def relevance_view(request, response: Response, module: str) -> JsonResponse:
    """Live skip logic: which items of the page the current (unsaved) values make relevant."""
    spec = spec_for_version(response.version)
    if module not in [m.code for m in spec.modules]:
        raise Http404
    module_spec = spec.module(module)
    form = page_form_class(spec, module_spec, response.language)(request.POST)
    return JsonResponse(page_relevance(spec, module, raw_values(form, module_spec), response.answers))
