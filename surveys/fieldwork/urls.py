"""Fieldwork staff pages under /staff/ (docs/fieldwork.md)."""
from django.urls import path

from surveys.fieldwork import views as staff

app_name = "fieldwork"
urlpatterns = [
    path("", staff.waves, name="waves"),
    path("waves/<int:wave_id>/", staff.tracking, name="tracking"),
    path("waves/<int:wave_id>/recompute/", staff.tracking_refresh, name="recompute"),
    path("waves/<int:wave_id>/invite/", staff.wave_invite, name="invite"),
    path("waves/<int:wave_id>/invite/confirm/", staff.wave_invite_confirm, name="invite-confirm"),
    path("waves/<int:wave_id>/remind/", staff.wave_remind, name="remind"),
    path("waves/<int:wave_id>/sample/", staff.sample_new, name="sample-new"),
    path("waves/<int:wave_id>/messages/", staff.wave_messages, name="messages"),
    path("waves/<int:wave_id>/messages/<str:kind>/<str:language>/", staff.message_template_edit,
         name="message-template"),
    path("waves/<int:wave_id>/messages/<str:kind>/<str:language>/preview/", staff.message_template_preview,
         name="message-template-preview"),
    path("waves/<int:wave_id>/messages/<str:kind>/<str:language>/test/", staff.message_template_test,
         name="message-template-test"),
    path("waves/<int:wave_id>/messages/<str:kind>/<str:language>/reset/", staff.message_template_restore,
         name="message-template-reset"),
    path("samples/<int:sample_id>/", staff.sample_detail, name="sample"),
    path("samples/<int:sample_id>/firms.csv", staff.sample_download, name="sample-csv"),
    path("population/import/", staff.import_upload, name="import-upload"),
    path("population/import/<int:import_id>/", staff.import_detail, name="import"),
    path("population/import/<int:import_id>/check/", staff.import_check, name="import-check"),
    path("population/import/<int:import_id>/apply/", staff.import_apply, name="import-apply"),
]
