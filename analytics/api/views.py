"""API views over stored results and export jobs (create, poll, download)."""
from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from analytics.api.serializers import (
    ExportJobSerializer,
    ExportRequestSerializer,
    ReportSerializer,
    ResultsIndexSerializer,
)
from analytics.data.export.jobs import export_job_create, may_export_identifiers
from analytics.data.export.options import CONTENT_TYPES
from analytics.models import ExportJob
from analytics.reports import report_get, report_names
from analytics.results import selectors
from analytics.results.presentation import report_tables
from analytics.results.views import may_view_results, suppress_below
from surveys.api.permissions import require_any
from surveys.api.views import questionnaire_get

RESULTS = require_any("analytics.view_results", "surveys.view_aggregates")
EXPORTS_VIEW = require_any("analytics.view_exportjob")
EXPORTS_ADD = require_any("analytics.add_exportjob")


class ResultsIndex(APIView):
    permission_classes = [RESULTS]

    @extend_schema(responses=ResultsIndexSerializer, operation_id="questionnaires_results_index",
                   summary="Reports available for a questionnaire")
    def get(self, request, code: str):
        questionnaire = questionnaire_get(code)
        stored = selectors.result_set_get(questionnaire=questionnaire)
        return ApiResponse(ResultsIndexSerializer({
            "questionnaire": code, "reports": report_names(code), "snapshot_at": stored and stored.snapshot_at,
            "n_responses": stored and stored.n_responses,
            "stale": bool(stored and stored.requested_at and (stored.snapshot_at is None
                                                              or stored.snapshot_at < stored.requested_at))}).data)


class ResultReport(APIView):
    permission_classes = [RESULTS]

    @extend_schema(responses=ReportSerializer, summary="One stored report (all waves): tables and report JSON")
    def get(self, request, code: str, report: str):
        questionnaire = questionnaire_get(code)
        if report not in report_names(code) or not may_view_results(request.user):
            raise NotFound("No such report.")
        stored = selectors.result_set_get(questionnaire=questionnaire)
        spec = report_get(code, report)
        names = list(spec.includes) if spec and spec.includes else [report]
        payloads = [p for p in (selectors.result_report(result_set=stored, name=n) for n in names) if p] \
            if stored else []
        hide = suppress_below(request.user)
        tables = [t for p in payloads for t in report_tables(p, suppress_below=hide)]
        return ApiResponse(ReportSerializer({
            "questionnaire": code, "report": report, "snapshot_at": stored and stored.snapshot_at, "tables": tables,
            "payloads": [] if hide else payloads}).data)


class ExportJobs(APIView):
    def get_permissions(self):
        return [EXPORTS_ADD() if self.request.method == "POST" else EXPORTS_VIEW()]

    @extend_schema(responses=ExportJobSerializer(many=True), summary="The questionnaire's last 50 export jobs")
    def get(self, request, code: str):
        jobs = questionnaire_get(code).export_jobs.select_related("questionnaire")[:50]
        return ApiResponse(ExportJobSerializer(jobs, many=True, context={"request": request}).data)

    @extend_schema(request=ExportRequestSerializer, responses={202: ExportJobSerializer},
                   summary="Start an export job; poll it until status is done, then download")
    def post(self, request, code: str):
        questionnaire = questionnaire_get(code)
        body = ExportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = export_job_create(questionnaire=questionnaire, options=body.options(), user=request.user)
        job.refresh_from_db()  # tasks run in-process when no broker is configured
        return ApiResponse(ExportJobSerializer(job, context={"request": request}).data, status=202)


def _job(key) -> ExportJob:
    return get_object_or_404(ExportJob.objects.select_related("questionnaire"), key=key)


class ExportJobDetail(APIView):
    permission_classes = [EXPORTS_VIEW]

    @extend_schema(responses=ExportJobSerializer, summary="Poll an export job")
    def get(self, request, key):
        return ApiResponse(ExportJobSerializer(_job(key), context={"request": request}).data)


class ExportJobDownload(APIView):
    permission_classes = [EXPORTS_VIEW]

    @extend_schema(responses={(200, media): OpenApiTypes.BINARY for media in CONTENT_TYPES.values()} | {
        410: OpenApiResponse(description="Expired or not ready: run the export again.")},
        summary="Download the file of a finished export job")
    def get(self, request, key):
        job = _job(key)
        if job.options.get("include_identifiers") and not may_export_identifiers(request.user):
            raise PermissionDenied("Your role does not allow files with firm identifiers.")
        if not job.is_downloadable(timezone.now()):
            return ApiResponse({"detail": "This download has expired or is not ready; run the export again."},
                               status=410)
        name = job.file.name.rsplit("/", 1)[-1]
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=name,
                            content_type=CONTENT_TYPES.get(job.format, "application/octet-stream"))
