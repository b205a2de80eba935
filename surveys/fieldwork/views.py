"""Fieldwork staff screens: waves, tracking, sample drawing, population import.

Each view checks a permission (docs/fieldwork.md lists them), gets its object, validates a form,
calls one service and redirects. Long work (sending, recomputing) goes to Celery.
"""
from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from surveys.access import population_import_for_id, sample_for_id, wave_for_id
from surveys.authoring.waves import wave_languages
from surveys.fieldwork.charts import progress_chart
from surveys.fieldwork.emailtexts import (
    PLACEHOLDERS,
    message_template_reset,
    message_template_save,
    message_templates_overview,
    message_test_send,
    preview_choices,
    preview_compose,
    template_text,
)
from surveys.fieldwork.forms import (
    ImportUploadForm,
    MessageTemplateForm,
    SampleForm,
    mapping_form_class,
    mapping_from,
    mapping_initial,
)
from surveys.fieldwork.mailing import invitations_pending, invitations_schedule, reminder_days, reminders_queue
from surveys.fieldwork.population import upload_columns, upload_create, upload_run
from surveys.fieldwork.quotas import quota_fill
from surveys.fieldwork.sampling import SampleError, sample_csv, sample_draw, sample_selections
from surveys.fieldwork.sequential import sequential_status
from surveys.fieldwork.tracking import (
    CATEGORY_HELP,
    COUNT_HELP,
    COUNT_LABELS,
    COUNTS,
    RATE_HELP,
    tracking_recompute,
    tracking_schedule,
)
from surveys.models import Invitation, MessageTemplate, PopulationImport, Wave, WaveTracking

TRACKING_VIEWERS = ("surveys.view_wavetracking", "surveys.view_aggregates")
TEMPLATE_EDITORS = ("surveys.change_messagetemplate",)
STALE_AFTER = dt.timedelta(minutes=2)
SELECTIONS_SHOWN = 500  # the page lists the first drawn firms; the CSV has them all


def staff_permission(*perms: str):
    """Signed-in users holding any of `perms` (superusers hold all); others get 403."""
    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not any(request.user.has_perm(p) for p in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapper
    return decorate


# ------------------------------------------------------------------ waves and tracking
@staff_permission(*TRACKING_VIEWERS, "surveys.view_wave")
def waves(request):
    cases = Invitation.objects.filter(wave=OuterRef("pk")).values("wave").annotate(n=Count("pk")).values("n")
    rows = (Wave.objects.select_related("questionnaire", "version", "tracking")
            .annotate(cases=Subquery(cases), samples_count=Count("samples", distinct=True))
            .order_by("-opens_at", "questionnaire__code", "code"))
    return render(request, "fieldwork/waves.html", {"waves": rows})


@staff_permission(*TRACKING_VIEWERS)
def tracking(request, wave_id: int):
    wave = wave_for_id(wave_id)
    stored = WaveTracking.objects.filter(wave=wave).first()
    if stored is None or stored.computed_at is None:  # first visit: compute once, then Celery keeps it fresh
        tracking_recompute(wave_id=wave.pk)
    elif timezone.now() - stored.computed_at > STALE_AFTER:  # ask for fresh figures; the next visit shows them
        tracking_schedule(wave_id=wave.pk)
    stored = WaveTracking.objects.get(wave=wave)
    data = stored.data
    share = int(settings.FIELDWORK_PARTIAL_SHARE * 100)
    totals = [{"name": n, "label": _(COUNT_LABELS[n]), "value": data["totals"].get(n, 0),
               "help": _(COUNT_HELP[n]).format(share=share)} for n in COUNTS]
    rates = [{"name": n, "value": data["rates"].get(n), "help": _(h)} for n, h in RATE_HELP.items()]
    dispositions = [{**d, "label": _(d["label"])} for d in data["dispositions"]]  # stored in English
    return render(request, "fieldwork/tracking.html", {
        "wave": wave, "tracking": stored, "data": data, "totals": totals, "rates": rates, "dispositions": dispositions,
        "categories": [{"code": c, "help": _(h), "count": data["categories"].get(c, 0)}
                       for c, h in CATEGORY_HELP.items()],
        "chart": progress_chart(data.get("daily", [])), "samples": wave.samples.all(),
        "quotas": quota_fill(wave=wave),  # live: one query per quota
        "reminder_days": reminder_days(wave), "burden_cap": settings.PARADATA_PAGE_CAP_SECONDS // 60,
        "sequential": sequential_status(wave)})


@require_POST
@staff_permission("surveys.recompute_tracking")
def tracking_refresh(request, wave_id: int):
    wave = wave_for_id(wave_id)
    tracking_schedule(wave_id=wave.pk)
    messages.info(request, _("Recomputing: reload the page in a moment to see the new figures."))
    return redirect("fieldwork:tracking", wave_id=wave.pk)


@require_POST
@staff_permission("surveys.send_messages")
def wave_invite(request, wave_id: int):
    wave = wave_for_id(wave_id)
    invitations_schedule(wave_id=wave.pk)
    messages.success(request, _("Invitations are being prepared for every sampled firm not yet invited; the workers "
                                "send them in batches. Recompute in a moment to follow them."))
    return redirect("fieldwork:tracking", wave_id=wave.pk)


@staff_permission("surveys.send_messages")
def wave_invite_confirm(request, wave_id: int):
    """Before anything is mailed: how many invitations would go out, in which languages."""
    wave = get_object_or_404(Wave.objects.select_related("questionnaire"), pk=wave_id)
    return render(request, "fieldwork/invite_confirm.html", {"wave": wave, "pending": invitations_pending(wave=wave)})


@require_POST
@staff_permission("surveys.send_messages")
def wave_remind(request, wave_id: int):
    wave = wave_for_id(wave_id)
    queued = reminders_queue(wave=wave)
    messages.success(request, ngettext(
        "{n} reminder queued (only cases due under the schedule, never twice).",
        "{n} reminders queued (only cases due under the schedule, never twice).", queued).format(n=queued))
    return redirect("fieldwork:tracking", wave_id=wave.pk)


# ------------------------------------------------------------------ samples
@staff_permission("surveys.draw_sample")
def sample_new(request, wave_id: int):
    wave = wave_for_id(wave_id)
    form = SampleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sample = sample_draw(
                wave=wave, name=data["name"], filters=data["filters"], strata_fields=data["strata_fields"],
                allocation=data["allocation"], size=data["size"], fixed=data["fixed_allocation"],
                neyman_variable=data["neyman_variable"], take_all=data["take_all"],
                min_per_stratum=data["min_per_stratum"] or 0, seed=data["seed"], user=request.user)
        except SampleError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("fieldwork:sample", sample_id=sample.pk)
    return render(request, "fieldwork/sample_form.html", {"wave": wave, "form": form})


@staff_permission("surveys.view_sample", "surveys.draw_sample")
def sample_detail(request, sample_id: int):
    sample = sample_for_id(sample_id)
    strata = sample.strata.annotate(invited=Count("selections", filter=Q(selections__invitation__isnull=False)))
    selections = sample_selections(sample=sample)
    return render(request, "fieldwork/sample.html", {"sample": sample, "strata": strata, "total": selections.count(),
                                                     "selections": selections[:SELECTIONS_SHOWN]})


@staff_permission("surveys.view_sample", "surveys.draw_sample")
def sample_download(request, sample_id: int):
    sample = sample_for_id(sample_id)
    response = HttpResponse(sample_csv(sample=sample), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sample-{sample.pk}-{slugify(sample.name)}.csv"'
    return response


# ------------------------------------------------------------------ population import
@staff_permission("surveys.import_firms")
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        record = upload_create(upload=form.cleaned_data["file"], options=form.options(), user=request.user)
        return redirect("fieldwork:import", import_id=record.pk)
    recent = PopulationImport.objects.select_related("created_by")[:10]
    return render(request, "fieldwork/import_upload.html", {"form": form, "recent": recent})


@staff_permission("surveys.import_firms")
def import_detail(request, import_id: int):
    record = population_import_for_id(import_id)
    columns, mapping, file_errors = upload_columns(record)
    form = mapping_form_class(columns)(initial=mapping_initial(columns, mapping))
    return _import_page(request, record, form, file_errors)


@require_POST
@staff_permission("surveys.import_firms")
def import_check(request, import_id: int):
    return _import_run(request, import_id, apply=False)


@require_POST
@staff_permission("surveys.import_firms")
def import_apply(request, import_id: int):
    return _import_run(request, import_id, apply=True)


def _import_run(request, import_id: int, *, apply: bool):
    record = population_import_for_id(import_id)
    columns, _mapping, file_errors = upload_columns(record)
    form = mapping_form_class(columns)(request.POST)
    if record.status == PopulationImport.Status.IMPORTED or not form.is_valid():
        return _import_page(request, record, form, file_errors, status=400)
    report = upload_run(record=record, mapping=mapping_from(form, columns), apply=apply,
                        accept_valid=form.cleaned_data["accept_valid"])
    if report.applied:
        messages.success(request, _("Imported: {created} firms created, {updated} updated.").format(
            created=report.created, updated=report.updated))
    return redirect("fieldwork:import", import_id=record.pk)


def _import_page(request, record, form, file_errors, status: int = 200):
    return render(request, "fieldwork/import_detail.html", {
        "record": record, "form": form, "file_errors": file_errors, "report": record.report or None}, status=status)


# ------------------------------------------------------------------ e-mail texts of a wave
@staff_permission("surveys.view_messagetemplate", *TEMPLATE_EDITORS)
def wave_messages(request, wave_id: int):
    wave = wave_for_id(wave_id)
    return render(request, "fieldwork/messages.html", {"wave": wave, "rows": message_templates_overview(wave)})


def _template_wave(wave_id: int, kind: str, language: str) -> Wave:
    wave = wave_for_id(wave_id)
    if kind not in MessageTemplate.Kind.values or language not in wave_languages(wave):
        raise Http404
    return wave


@staff_permission(*TEMPLATE_EDITORS)
def message_template_edit(request, wave_id: int, kind: str, language: str):
    """The editor, pre-filled with the wave's text or the built-in one, and its preview; POST saves."""
    wave = _template_wave(wave_id, kind, language)
    if request.method != "POST":
        subject, body, _own = template_text(wave=wave, kind=kind, language=language)
        form = MessageTemplateForm(initial={"subject": subject, "body": body}, kind=kind)
        return _template_page(request, wave, kind, language, form, preview=(subject, body))
    form = MessageTemplateForm(request.POST, kind=kind)
    if not form.is_valid():
        return _template_page(request, wave, kind, language, form, status=400)
    message_template_save(wave=wave, kind=kind, language=language, user=request.user, **form.cleaned_data)
    messages.success(request, gettext("Saved: this text now goes out to the wave's firms in this language."))
    return redirect("fieldwork:message-template", wave_id=wave.pk, kind=kind, language=language)


@require_POST
@staff_permission(*TEMPLATE_EDITORS)
def message_template_preview(request, wave_id: int, kind: str, language: str):
    """The text in the editor as a firm of the wave would receive it; nothing is saved."""
    wave = _template_wave(wave_id, kind, language)
    form = MessageTemplateForm(request.POST, kind=kind)
    if not form.is_valid():
        return _template_page(request, wave, kind, language, form, status=400)
    return _template_page(request, wave, kind, language, form,
                          preview=(form.cleaned_data["subject"], form.cleaned_data["body"]))


@require_POST
@staff_permission(*TEMPLATE_EDITORS)
def message_template_test(request, wave_id: int, kind: str, language: str):
    """The text in the editor, rendered for a firm of the wave, mailed to the signed-in user alone."""
    wave = _template_wave(wave_id, kind, language)
    form = MessageTemplateForm(request.POST, kind=kind)
    if not form.is_valid():
        return _template_page(request, wave, kind, language, form, status=400)
    text = (form.cleaned_data["subject"], form.cleaned_data["body"])
    try:
        address = message_test_send(wave=wave, kind=kind, language=language, subject=text[0], body=text[1],
                                    user=request.user, firm_id=_chosen_firm(request))
    except ValidationError as exc:
        form.add_error(None, exc)
        status = 502 if getattr(exc, "code", None) == "not_sent" else 400  # the mail server's failure, not the input
        return _template_page(request, wave, kind, language, form, preview=text, status=status)
    messages.success(request, gettext("A test message went to %(address)s; no firm received anything.")
                     % {"address": address})
    return _template_page(request, wave, kind, language, form, preview=text)


@require_POST
@staff_permission(*TEMPLATE_EDITORS)
def message_template_restore(request, wave_id: int, kind: str, language: str):
    wave = _template_wave(wave_id, kind, language)
    if message_template_reset(wave=wave, kind=kind, language=language):
        messages.success(request, gettext("The wave's own text was deleted: the built-in text goes out again."))
    return redirect("fieldwork:message-template", wave_id=wave.pk, kind=kind, language=language)


def _chosen_firm(request) -> int | None:
    raw = request.POST.get("preview_firm") or request.GET.get("firm") or ""
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _template_page(request, wave, kind, language, form, preview=None, status: int = 200):
    context = {"wave": wave, "kind": kind, "kind_label": MessageTemplate.Kind(kind).label, "language": language,
               "language_name": dict(settings.LANGUAGES).get(language, language), "form": form,
               "own": MessageTemplate.objects.filter(wave=wave, kind=kind, language=language).exists(),
               "placeholders": [(name, text) for name, (text, kinds) in PLACEHOLDERS.items() if kind in kinds],
               "firms": preview_choices(wave, language)}
    if preview:
        subject, body, firm = preview_compose(wave=wave, kind=kind, language=language, subject=preview[0],
                                              body=preview[1], firm_id=_chosen_firm(request))
        context["preview"] = {"subject": subject, "body": body, "firm": firm}
    return render(request, "fieldwork/message_template.html", context, status=status)
