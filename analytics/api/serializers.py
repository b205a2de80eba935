"""What the API returns and accepts about results and export jobs."""
from __future__ import annotations

from rest_framework import serializers
from rest_framework.reverse import reverse

from analytics.data.export.options import FORMATS, MODES, STATUSES, ExportOptions


class ResultsIndexSerializer(serializers.Serializer):
    questionnaire = serializers.CharField()
    reports = serializers.ListField(child=serializers.CharField())
    snapshot_at = serializers.DateTimeField(allow_null=True, help_text="When the stored results began reading.")
    n_responses = serializers.IntegerField(allow_null=True)
    stale = serializers.BooleanField(help_text="A recompute was asked for after these results.")


class ReportSerializer(serializers.Serializer):
    questionnaire = serializers.CharField()
    report = serializers.CharField()
    snapshot_at = serializers.DateTimeField(allow_null=True)
    tables = serializers.ListField(child=serializers.DictField(), help_text="Rendered tables, small cells hidden "
                                   "for roles that must not see them.")
    payloads = serializers.ListField(child=serializers.DictField(), help_text="The stored report JSON; only for "
                                     "roles allowed to see small cells (empty otherwise).")


class ExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=list(FORMATS))
    waves = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    statuses = serializers.ListField(child=serializers.ChoiceField(choices=STATUSES), required=False,
                                     default=["submitted"])
    modes = serializers.ListField(child=serializers.ChoiceField(choices=MODES), required=False, default=list)
    since = serializers.DateTimeField(required=False, allow_null=True, default=None)
    until = serializers.DateTimeField(required=False, allow_null=True, default=None)
    labels = serializers.BooleanField(required=False, default=False)
    language = serializers.ChoiceField(choices=["en", "it", "es"], required=False, default="en")
    clean = serializers.BooleanField(required=False, default=True)
    free_text = serializers.BooleanField(required=False, default=True)
    include_identifiers = serializers.BooleanField(required=False, default=False)
    values = serializers.ChoiceField(choices=["edited", "raw"], required=False, default="edited")

    def options(self) -> ExportOptions:
        d = self.validated_data
        return ExportOptions(**{**d, "waves": tuple(d["waves"]), "statuses": tuple(d["statuses"]),
                                "modes": tuple(d["modes"])})


class ExportJobSerializer(serializers.Serializer):
    key = serializers.UUIDField()
    questionnaire = serializers.CharField(source="questionnaire.code")
    format = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    rows = serializers.IntegerField(allow_null=True)
    size = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    options = serializers.DictField()
    download = serializers.SerializerMethodField(help_text="Where to fetch the file once status is done.")

    def get_download(self, job) -> str | None:
        if job.status != job.Status.DONE:
            return None
        return reverse("api-analytics:export-download", args=[job.key], request=self.context.get("request"))
