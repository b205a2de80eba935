"""API views over questionnaires, codebooks, the response change feed and fieldwork tracking.

Each view checks the permission its staff screen checks, calls one selector and serialises.
"""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from surveys.answering.changes import responses_changed
from surveys.api.permissions import may_see_identifiers, require_any
from surveys.api.serializers import (
    FeedPageSerializer,
    FeedQuerySerializer,
    FeedResponseSerializer,
    QuestionnaireSerializer,
    TrackingSerializer,
    VersionSerializer,
    WaveSerializer,
)
from surveys.fieldwork.quotas import quota_fill
from surveys.fieldwork.tracking import tracking_recompute
from surveys.models import Questionnaire, QuestionnaireVersion, Wave, WaveTracking
from surveys.questionnaire.codebook import codebook_for

DEFINITIONS = require_any("surveys.view_questionnaire")
RESPONSES = require_any("surveys.view_pseudonymised_data", "surveys.view_response")
TRACKING = require_any("surveys.view_wavetracking", "surveys.view_aggregates")


def questionnaire_get(code: str) -> Questionnaire:
    return get_object_or_404(Questionnaire, code=code)


class QuestionnaireList(APIView):
    permission_classes = [DEFINITIONS]

    @extend_schema(responses=QuestionnaireSerializer(many=True), summary="Questionnaires with versions and waves")
    def get(self, request):
        rows = Questionnaire.objects.prefetch_related("versions", "waves")
        return ApiResponse(QuestionnaireSerializer(rows, many=True).data)


class QuestionnaireDetail(APIView):
    permission_classes = [DEFINITIONS]

    @extend_schema(responses=QuestionnaireSerializer, summary="One questionnaire")
    def get(self, request, code: str):
        return ApiResponse(QuestionnaireSerializer(questionnaire_get(code)).data)


class VersionDetail(APIView):
    permission_classes = [DEFINITIONS]

    @extend_schema(responses=VersionSerializer, summary="One version with its frozen definition")
    def get(self, request, code: str, number: int):
        version = QuestionnaireVersion.objects.filter(questionnaire__code=code, number=number).first()
        if version is None:
            raise NotFound("No such questionnaire version.")
        return ApiResponse(VersionSerializer(version).data)


class Codebook(APIView):
    permission_classes = [DEFINITIONS]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Codebook across every version (docs/data.md)")
    def get(self, request, code: str):
        return ApiResponse(codebook_for(questionnaire_get(code)))


class ResponseFeed(APIView):
    permission_classes = [RESPONSES]

    @extend_schema(parameters=[FeedQuerySerializer], responses=FeedPageSerializer,
                   summary="Responses changed since a cursor, in change order (docs/api.md)")
    def get(self, request, code: str):
        questionnaire = questionnaire_get(code)
        query = FeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["limit"]
        rows, last = responses_changed(questionnaire_id=questionnaire.pk, after=query.validated_data["since"],
                                       limit=limit)
        results = FeedResponseSerializer(rows, many=True, identifiers=may_see_identifiers(request.user)).data
        return ApiResponse({"results": results, "next": str(last), "has_more": len(rows) == limit})


class WaveList(APIView):
    permission_classes = [TRACKING]

    @extend_schema(responses=WaveSerializer(many=True), summary="Waves of a questionnaire")
    def get(self, request, code: str):
        waves = Wave.objects.filter(questionnaire=questionnaire_get(code)).select_related("version")
        return ApiResponse(WaveSerializer(waves, many=True).data)


class Tracking(APIView):
    permission_classes = [TRACKING]

    @extend_schema(responses=TrackingSerializer, summary="Fieldwork tracking of a wave, with quota fill")
    def get(self, request, code: str, wave: str):
        found = get_object_or_404(Wave, questionnaire__code=code, code=wave)
        stored = WaveTracking.objects.filter(wave=found, computed_at__isnull=False).first()
        if stored is None:  # first look: compute once; Celery beat keeps it fresh afterwards
            tracking_recompute(wave_id=found.pk)
            stored = WaveTracking.objects.get(wave=found)
        data = {"wave": found.code, "computed_at": stored.computed_at, **stored.data,
                "quotas": quota_fill(wave=found)}
        return ApiResponse(TrackingSerializer(data).data)
