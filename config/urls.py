from django.contrib import admin
from django.urls import include, path

from surveys.views.accounts import ThrottledLoginView

urlpatterns = [
    path("admin/login/", ThrottledLoginView.as_view()),  # the admin's sign-in is throttled too
    path("admin/", admin.site.urls),
    path("accounts/", include("surveys.urls_accounts")),  # throttled sign-in (docs/roles.md)
    path("cati/", include("surveys.urls_cati")),  # telephone interviews (docs/cati.md)
    path("staff/data/", include("analytics.urls_data")),  # exports, codebook, imports (docs/data.md)
    path("staff/", include("surveys.urls_staff")),  # fieldwork: waves, tracking, samples, import (docs/fieldwork.md)
    path("results/", include("analytics.urls")),  # results dashboard (docs/analytics.md)
    path("", include("surveys.urls")),
]
