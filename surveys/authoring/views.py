"""Staff authoring screens under /staff/authoring/ (docs/definition-format.md, "Authoring page").

One view per screen and one URL per action; each gets its object, validates a form and calls one
service (surveys.authoring.services). Permission: surveys.author_questionnaire (fieldwork staff,
agency administrators).
"""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from surveys.answering.pages import visible_modules
from surveys.authoring import preview as pv
from surveys.authoring.definitions import FORMATS, definition_export
from surveys.authoring.forms import UploadForm, WaveOpenForm, WaveSettingsForm, wave_settings_initial
from surveys.authoring.services import (
    AuthoringError,
    draft_diff,
    draft_publish,
    draft_upload,
    wave_open,
    wave_settings_update,
)
from surveys.fieldwork.views import staff_permission
from surveys.models import DefinitionDraft, Questionnaire, Wave

PUBLISHED = {"created": gettext_noop("created"), "rewritten": gettext_noop("rewritten"),
             "unchanged": gettext_noop("unchanged")}  # what publishing did to the version

AUTHOR = "surveys.author_questionnaire"
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "yaml": "application/yaml; charset=utf-8"}


@staff_permission(AUTHOR)
def home(request):
    questionnaires = Questionnaire.objects.prefetch_related("versions", "waves").order_by("code")
    drafts = DefinitionDraft.objects.select_related("uploaded_by", "published_version").defer("source_file")[:20]
    return render(request, "authoring/home.html", {"form": UploadForm(), "questionnaires": questionnaires,
                                                   "drafts": drafts, "wave_form": WaveOpenForm()})


@require_POST
@staff_permission(AUTHOR)
def upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("authoring:home")
    upload = form.cleaned_data["file"]
    draft = draft_upload(content=upload.read(), name=upload.name, user=request.user)
    return redirect("authoring:draft", draft_id=draft.pk)


@staff_permission(AUTHOR)
def draft(request, draft_id: int):
    draft = get_object_or_404(DefinitionDraft, pk=draft_id)
    diff = draft_diff(draft=draft) if draft.is_valid else None
    languages = draft.definition.get("languages", []) if draft.is_valid else []
    pages = [(m["code"], m["title"].get("en") or next(iter(m["title"].values()), ""))
             for m in draft.definition["modules"]] if draft.is_valid else []
    return render(request, "authoring/draft.html", {
        "draft": draft, "diff": diff, "languages": languages, "pages": pages,
        "sheets": pv.draft_sheets_with_problems(draft)})


@require_POST
@staff_permission(AUTHOR)
def publish(request, draft_id: int):
    draft = get_object_or_404(DefinitionDraft, pk=draft_id)
    try:
        version, what = draft_publish(draft=draft)
    except AuthoringError as exc:
        messages.error(request, str(exc))
        return redirect("authoring:draft", draft_id=draft.pk)
    messages.success(request, _("{questionnaire}: version {number} {what}.").format(
        questionnaire=version.questionnaire.code, number=version.number, what=_(PUBLISHED[what])))
    return redirect("authoring:home")


def _preview_draft(draft_id: int, language: str) -> tuple[DefinitionDraft, object]:
    draft = get_object_or_404(DefinitionDraft, pk=draft_id, definition__isnull=False)
    spec = pv.draft_spec(draft)
    if language not in spec.languages:
        raise Http404
    return draft, spec


@staff_permission(AUTHOR)
def preview_start(request, draft_id: int, language: str):
    draft, spec = _preview_draft(draft_id, language)
    request.session.pop(pv.session_key(draft, language), None)  # each preview starts blank
    first = visible_modules(spec, {})
    if not first:
        return redirect("authoring:preview-done", draft_id=draft.pk, language=language)
    return redirect("authoring:preview-page", draft_id=draft.pk, language=language, module=first[0].code)


@staff_permission(AUTHOR)
def preview_page(request, draft_id: int, language: str, module: str):
    draft, spec = _preview_draft(draft_id, language)
    key = pv.session_key(draft, language)
    answers = request.session.get(key, {})
    if module not in [m.code for m in spec.modules]:  # staff may open a page skip logic would hide
        raise Http404
    context = {"draft": draft, "urls": _preview_urls(draft, language, module, spec, answers)}
    if request.method == "POST":
        step = pv.preview_submit(spec=spec, module=module, data=request.POST, answers=answers, language=language)
        if step.result.ok:
            request.session[key] = step.answers
            args = {"draft_id": draft.pk, "language": language}
            return redirect("authoring:preview-page", module=step.target, **args) if step.target else redirect(
                "authoring:preview-done", **args)
        context.update(pv.preview_context(spec=spec, module=module, language=language, answers=answers,
                                          data=request.POST, result=step.result))
        return render(request, "authoring/preview.html", context, status=422)
    context.update(pv.preview_context(spec=spec, module=module, language=language, answers=answers))
    return render(request, "authoring/preview.html", context)


def _preview_urls(draft, language: str, module: str, spec, answers: dict) -> dict:
    codes = [m.code for m in visible_modules(spec, answers)]
    if module not in codes:
        codes = [m.code for m in spec.modules]
    index = codes.index(module)
    args = {"draft_id": draft.pk, "language": language}
    back = (reverse("authoring:preview-page", kwargs={**args, "module": codes[index - 1]}) if index
            else reverse("authoring:draft", kwargs={"draft_id": draft.pk}))
    return {"back": back, "relevance": reverse("authoring:preview-relevance", kwargs={**args, "module": module})}


@require_POST
@staff_permission(AUTHOR)
def preview_relevance(request, draft_id: int, language: str, module: str):
    draft, spec = _preview_draft(draft_id, language)
    if module not in [m.code for m in spec.modules]:
        raise Http404
    answers = request.session.get(pv.session_key(draft, language), {})
    return JsonResponse(pv.preview_relevance(spec=spec, module=module, data=request.POST, answers=answers,
                                             language=language))


@staff_permission(AUTHOR)
def preview_done(request, draft_id: int, language: str):
    draft, spec = _preview_draft(draft_id, language)
    answers = request.session.get(pv.session_key(draft, language), {})
    return render(request, "authoring/preview_done.html", {"draft": draft, "language": language,
                                                           "answers": sorted(answers.items())})


@staff_permission(AUTHOR)
def export(request, code: str, fmt: str):
    questionnaire = get_object_or_404(Questionnaire, code=code)
    if fmt not in FORMATS:
        raise Http404
    response = HttpResponse(definition_export(questionnaire=questionnaire, fmt=fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{code}.{fmt}"'
    return response


@require_POST
@staff_permission(AUTHOR)
def wave_new(request, code: str):
    questionnaire = get_object_or_404(Questionnaire, code=code)
    form = WaveOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("authoring:home")
    try:
        wave = wave_open(questionnaire=questionnaire, **form.cleaned_data)
    except AuthoringError as exc:
        messages.error(request, str(exc))
        return redirect("authoring:home")
    messages.success(request, _("Wave {wave} opened on version {number}.").format(wave=wave,
                                                                                number=wave.version.number))
    return redirect("authoring:wave-settings", wave_id=wave.pk)


@staff_permission(AUTHOR)
def wave_settings(request, wave_id: int):
    wave = get_object_or_404(Wave.objects.select_related("questionnaire", "version"), pk=wave_id)
    form = WaveSettingsForm(request.POST or None, wave=wave, initial=wave_settings_initial(wave))
    if request.method == "POST" and form.is_valid():
        try:
            wave_settings_update(wave=wave, **form.cleaned_data)
        except AuthoringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Settings of {wave} saved.").format(wave=wave))
            return redirect("authoring:wave-settings", wave_id=wave.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "authoring/wave_settings.html", {"wave": wave, "form": form}, status=status)
