from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from surveys.api import schema, views  # noqa: F401  (schema: registers the token scheme)


class VersionNumber:
    """Version numbers: digits that fit the database column, so a huge number is a 404, not an error."""

    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(VersionNumber, "version")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    path("questionnaires/", views.QuestionnaireList.as_view(), name="questionnaires"),
    path("questionnaires/<slug:code>/", views.QuestionnaireDetail.as_view(), name="questionnaire"),
    path("questionnaires/<slug:code>/versions/<version:number>/", views.VersionDetail.as_view(), name="version"),
    path("questionnaires/<slug:code>/codebook/", views.Codebook.as_view(), name="codebook"),
    path("questionnaires/<slug:code>/responses/", views.ResponseFeed.as_view(), name="responses"),
    path("questionnaires/<slug:code>/waves/", views.WaveList.as_view(), name="waves"),
    path("questionnaires/<slug:code>/waves/<slug:wave>/tracking/", views.Tracking.as_view(), name="tracking"),
]
