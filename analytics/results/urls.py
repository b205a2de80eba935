from django.urls import path

from analytics.results import views

app_name = "results"
urlpatterns = [
    path("", views.results_home, name="home"),
    path("<slug:code>/", views.dashboard, name="dashboard"),
    path("<slug:code>/views/", views.scope_create, name="scope_create"),
    path("<slug:code>/recompute/", views.recompute, name="recompute"),
    path("<slug:code>/<slug:report>.csv", views.whole_report_csv, name="report_csv"),
    path("<slug:code>/<slug:report>/<str:block>.csv", views.block_csv, name="block_csv"),
    path("<slug:code>/<slug:report>/<str:block>.svg", views.block_svg, name="block_svg"),
]
