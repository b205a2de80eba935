"""What the API returns and accepts about questionnaires, responses and fieldwork (read-only)."""
from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from surveys.answering.changes import Cursor


class VersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    checksum = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    modes = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()


class VersionSerializer(VersionSummarySerializer):
    questionnaire = serializers.CharField(source="questionnaire.code")
    missing_codes = serializers.ListField(child=serializers.CharField())
    definition = serializers.JSONField(help_text="The definition as loaded, frozen with the version.")


class QuestionnaireSerializer(serializers.Serializer):
    code = serializers.SlugField()
    title = serializers.DictField(child=serializers.CharField(), help_text="Per language.")
    versions = VersionSummarySerializer(many=True, source="versions.all")
    waves = serializers.SerializerMethodField()

    def get_waves(self, questionnaire) -> list[str]:
        return [w.code for w in questionnaire.waves.all()]


class FeedQuerySerializer(serializers.Serializer):
    since = serializers.CharField(required=False, default="0", max_length=40,
                                  help_text="`next` of the previous page; 0 or absent: from the beginning.")
    limit = serializers.IntegerField(required=False, default=100, min_value=1,
                                     max_value=settings.API_FEED_MAX_LIMIT)

    def validate_since(self, value: str) -> Cursor:
        try:
            return Cursor.parse(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class FeedResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.SerializerMethodField(help_text="This change's place in the feed (a cursor).")
    firm = serializers.CharField(source="invitation.firm.pseudonym", help_text="Stable pseudonym of the firm.")
    firm_identifier = serializers.CharField(source="invitation.firm.identifier", required=False,
                                            help_text="Only for roles allowed to see firm identifiers.")
    firm_name = serializers.CharField(source="invitation.firm.name", required=False,
                                      help_text="Only for roles allowed to see firm identifiers.")
    wave = serializers.CharField(source="invitation.wave.code")
    version = serializers.IntegerField(source="version_number")
    status = serializers.CharField()
    mode = serializers.CharField()
    language = serializers.CharField()
    revision = serializers.IntegerField(help_text="Raised by every save of the response.")
    started_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    screened_out_at = serializers.DateTimeField(allow_null=True, help_text="Closed by a full quota cell.")
    answers = serializers.DictField(help_text="Answers keyed by item code.")
    derived = serializers.DictField(help_text="Derived variables.")

    def __init__(self, *args, identifiers: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not identifiers:
            self.fields.pop("firm_identifier")
            self.fields.pop("firm_name")

    def get_position(self, response) -> str:
        return str(Cursor(response.change_seq, response.pk))


class FeedPageSerializer(serializers.Serializer):
    results = FeedResponseSerializer(many=True)
    next = serializers.CharField(help_text="Pass as `since` to get the changes after this page.")
    has_more = serializers.BooleanField(help_text="False: the feed is read to its end for now; poll again later.")


class WaveSerializer(serializers.Serializer):
    code = serializers.SlugField()
    title = serializers.CharField()
    version = serializers.IntegerField(source="version.number")
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)


class QuotaCellFillSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    values = serializers.DictField()
    target = serializers.IntegerField()
    completed = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    screened_out = serializers.IntegerField()
    full = serializers.BooleanField()
    fill = serializers.FloatField(help_text="completed / target")


class QuotaFillSerializer(serializers.Serializer):
    name = serializers.CharField()
    variables = serializers.ListField(child=serializers.CharField())
    active = serializers.BooleanField()
    cells = QuotaCellFillSerializer(many=True)


class TrackingSerializer(serializers.Serializer):
    wave = serializers.CharField()
    computed_at = serializers.DateTimeField(allow_null=True)
    totals = serializers.DictField(child=serializers.IntegerField())
    categories = serializers.DictField(child=serializers.IntegerField())
    rates = serializers.DictField(child=serializers.FloatField(allow_null=True))
    dispositions = serializers.ListField(child=serializers.DictField())
    strata = serializers.ListField(child=serializers.DictField())
    daily = serializers.ListField(child=serializers.DictField())
    quotas = QuotaFillSerializer(many=True)
