from django.urls import path

from analytics.editing import views

app_name = "editing"
urlpatterns = [
    path("", views.editing_home, name="home"),
    path("<slug:code>/", views.queue, name="queue"),
    path("<slug:code>/audit/", views.audit, name="audit"),
    path("responses/<int:pk>/", views.response_page, name="response"),
    path("responses/<int:pk>/edit/", views.edit, name="edit"),
    path("responses/<int:pk>/accept/", views.accept, name="accept"),
]
