"""Staff pages for data in and out: export jobs, the printable codebook, the import upload."""
from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analytics.data.export.jobs import export_job_create, export_jobs_visible, may_export_identifiers
from analytics.data.export.options import CONTENT_TYPES
from analytics.data.forms import ExportForm, ImportForm, ParadataForm
from analytics.data.imports import responses_import
from analytics.models import ExportJob
from surveys.access import questionnaire_for_code
from surveys.models import Questionnaire
from surveys.questionnaire.codebook import codebook_csv, codebook_for

DATA_PERMISSIONS = ("analytics.view_exportjob", "analytics.import_responses", "surveys.view_questionnaire")


def may_use_data(user) -> bool:
    """Exports, codebook and import are for roles holding a data permission (not for the admin's staff flag)."""
    return user.is_active and any(user.has_perm(p) for p in DATA_PERMISSIONS)


def data_user(view):
    """Signed in (else the sign-in page) and holding a data permission (else 403)."""
    def check(request, *args, **kwargs):
        if not may_use_data(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    check.__name__, check.__doc__ = view.__name__, view.__doc__
    return login_required(check)


def _export_form(questionnaire: Questionnaire, data=None) -> ExportForm:
    languages = sorted({lang for v in questionnaire.versions.all() for lang in v.languages or ["en"]})
    return ExportForm(data, waves=list(questionnaire.waves.values_list("code", flat=True)), languages=languages)


@data_user
def data_home(request):
    return render(request, "data/home.html", {"questionnaires": Questionnaire.objects.all()})


@data_user
@permission_required("analytics.view_exportjob", raise_exception=True)
def exports(request, code: str):
    questionnaire = questionnaire_for_code(code)
    jobs = export_jobs_visible(user=request.user).filter(questionnaire=questionnaire)[:50]
    running = any(j.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING) for j in jobs)
    return render(request, "data/exports.html", {
        "questionnaire": questionnaire, "jobs": jobs, "form": _export_form(questionnaire), "now": timezone.now(),
        "refresh": running, "may_identify": may_export_identifiers(request.user),
        "paradata_form": _paradata_form(questionnaire)})


def _paradata_form(questionnaire: Questionnaire, data=None) -> ParadataForm:
    return ParadataForm(data, waves=list(questionnaire.waves.values_list("code", flat=True)))


@require_POST
@data_user
@permission_required("analytics.add_exportjob", raise_exception=True)
def paradata_create(request, code: str):
    """Queue a paradata export (pages, calls, burden in one zip), produced in the background like any export."""
    questionnaire = questionnaire_for_code(code)
    return _job_create(request, questionnaire, paradata_form=_paradata_form(questionnaire, request.POST))


@require_POST
@data_user
@permission_required("analytics.add_exportjob", raise_exception=True)
def export_create(request, code: str):
    questionnaire = questionnaire_for_code(code)
    return _job_create(request, questionnaire, export_form=_export_form(questionnaire, request.POST))


def _job_create(request, questionnaire: Questionnaire, *, export_form=None, paradata_form=None):
    """Queue the job of whichever form was posted; an invalid one is shown again with its errors."""
    form = export_form or paradata_form
    if not form.is_valid():
        return render(request, "data/exports.html", {
            "questionnaire": questionnaire, "form": export_form or _export_form(questionnaire),
            "paradata_form": paradata_form or _paradata_form(questionnaire), "jobs": [], "now": timezone.now()},
            status=400)
    export_job_create(questionnaire=questionnaire, options=form.options(), user=request.user)
    return redirect("data:exports", code=questionnaire.code)


@data_user
@permission_required("analytics.view_exportjob", raise_exception=True)
def export_download(request, key):
    job = get_object_or_404(export_jobs_visible(user=request.user), key=key)
    if not job.is_downloadable(timezone.now()):
        return HttpResponse(_("This download has expired or is not ready; run the export again."), status=410)
    if job.options.get("include_identifiers") and not may_export_identifiers(request.user):
        raise PermissionDenied
    name = job.file.name.rsplit("/", 1)[-1]
    content_type = "application/zip" if name.endswith(".zip") else CONTENT_TYPES.get(job.format)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name,
                        content_type=content_type or "application/octet-stream")


@data_user
def codebook_page(request, code: str):
    questionnaire = questionnaire_for_code(code)
    book = codebook_for(questionnaire)
    wanted = request.GET.get("language") or translation.get_language()  # else the interface language
    language = wanted if wanted in book["languages"] else "en"
    return render(request, "data/codebook.html", {"book": book, "language": language,
                                                  "questionnaire": questionnaire})


@data_user
def codebook_download(request, code: str, fmt: str):
    if fmt not in ("json", "csv"):
        raise Http404
    book = codebook_for(questionnaire_for_code(code))
    if fmt == "json":
        body, content_type = json.dumps(book, ensure_ascii=False, indent=1, default=str), "application/json"
    else:
        body, content_type = codebook_csv(book, request.GET.get("language", "en")), "text/csv"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{code}-codebook.{fmt}"'
    return response


@data_user
@permission_required("analytics.import_responses", raise_exception=True)
def import_upload(request, code: str):
    questionnaire = questionnaire_for_code(code)
    waves = list(questionnaire.waves.values_list("code", flat=True))
    form = ImportForm(request.POST or None, request.FILES or None, waves=waves)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = responses_import(questionnaire=questionnaire, stream=upload.file, filename=upload.name,
                                  valid_only=form.cleaned_data["valid_only"], wave_code=form.cleaned_data["wave"],
                                  source=f"upload:{upload.name} by {request.user.get_username()}")
    status = 200 if report is None or report.imported else 422
    return render(request, "data/import.html", {"questionnaire": questionnaire, "form": form, "report": report},
                  status=status)
