from django.urls import path

from analytics.api import views

app_name = "api-analytics"
urlpatterns = [
    path("questionnaires/<slug:code>/results/", views.ResultsIndex.as_view(), name="results"),
    path("questionnaires/<slug:code>/results/<slug:report>/", views.ResultReport.as_view(), name="result"),
    path("questionnaires/<slug:code>/exports/", views.ExportJobs.as_view(), name="exports"),
    path("exports/<uuid:key>/", views.ExportJobDetail.as_view(), name="export"),
    path("exports/<uuid:key>/download/", views.ExportJobDownload.as_view(), name="export-download"),
]
