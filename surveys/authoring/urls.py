"""Authoring pages under /staff/authoring/ (docs/definition-format.md, "Authoring page")."""
from django.urls import path

from surveys.authoring import views

app_name = "authoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("drafts/<int:draft_id>/", views.draft, name="draft"),
    path("drafts/<int:draft_id>/publish/", views.publish, name="publish"),
    path("drafts/<int:draft_id>/preview/<slug:language>/", views.preview_start, name="preview"),
    path("drafts/<int:draft_id>/preview/<slug:language>/done/", views.preview_done, name="preview-done"),
    path("drafts/<int:draft_id>/preview/<slug:language>/<str:module>/", views.preview_page, name="preview-page"),
    path("drafts/<int:draft_id>/preview/<slug:language>/<str:module>/relevance/", views.preview_relevance,
         name="preview-relevance"),
    path("questionnaires/<slug:code>/export.<slug:fmt>", views.export, name="export"),
    path("questionnaires/<slug:code>/waves/", views.wave_new, name="wave-new"),
    path("waves/<int:wave_id>/settings/", views.wave_settings, name="wave-settings"),
]
