from django.contrib import admin
from django.urls import include, path

from surveys.accounts.views import ThrottledLoginView

urlpatterns = [
    path("admin/login/", ThrottledLoginView.as_view()),  # the admin's sign-in is throttled too
    path("admin/", admin.site.urls),
    path("accounts/", include("surveys.accounts.urls")),  # throttled sign-in (docs/roles.md)
    path("cati/", include("surveys.cati.urls")),  # telephone interviews (docs/cati.md)
    path("staff/data/", include("analytics.data.urls")),  # exports, codebook, imports (docs/data.md)
    path("staff/", include("surveys.fieldwork.urls")),  # waves, tracking, samples, import (docs/fieldwork.md)
    path("results/", include("analytics.results.urls")),  # results dashboard (docs/analytics.md)
    path("", include("surveys.answering.urls")),
]

handler404 = "surveys.errors.page_not_found"  # friendly pages that keep a respondent's link
handler500 = "surveys.errors.server_error"
