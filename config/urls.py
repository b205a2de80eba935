from django.contrib import admin
from django.urls import include, path, re_path

from surveys.api.errors import api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),  # its sign-in is throttled by the same backend (docs/roles.md)
    path("accounts/", include("surveys.accounts.urls")),  # sign-in, throttled per username and address (docs/roles.md)
    path("cati/", include("surveys.cati.urls")),  # telephone interviews (docs/cati.md)
    path("staff/data/", include("analytics.data.urls")),  # exports, codebook, imports (docs/data.md)
    path("staff/authoring/", include("surveys.authoring.urls")),  # workbooks, preview, publish
    path("staff/editing/", include("analytics.editing.urls")),  # edit rules, review queue, audit (docs/editing.md)
    path("staff/", include("surveys.fieldwork.urls")),  # waves, tracking, samples, import (docs/fieldwork.md)
    path("api/v1/", include("surveys.api.urls")),  # REST API, schema and docs (docs/api.md)
    path("api/v1/", include("analytics.api.urls")),  # results and export jobs in the same API
    re_path(r"^api/", api_not_found),  # any other API path: a JSON 404
    path("results/", include("analytics.results.urls")),  # results dashboard (docs/analytics.md)
    path("", include("surveys.answering.urls")),
]

handler404 = "surveys.errors.page_not_found"  # friendly pages that keep a respondent's link
handler500 = "surveys.errors.server_error"
