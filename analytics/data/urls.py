from django.urls import path

from analytics.data import views as views_data

app_name = "data"
urlpatterns = [
    path("", views_data.data_home, name="home"),
    path("<slug:code>/exports/", views_data.exports, name="exports"),
    path("<slug:code>/exports/new/", views_data.export_create, name="export_create"),
    path("<slug:code>/exports/paradata/", views_data.paradata_create, name="paradata_create"),
    path("exports/<uuid:key>/download/", views_data.export_download, name="export_download"),
    path("<slug:code>/codebook/", views_data.codebook_page, name="codebook"),
    path("<slug:code>/codebook.<str:fmt>", views_data.codebook_download, name="codebook_download"),
    path("<slug:code>/import/", views_data.import_upload, name="import"),
]
