from django.urls import path

from surveys.cati import views as interviewer

app_name = "cati"
urlpatterns = [
    path("", interviewer.call_list_view, name="list"),
    path("case/<int:pk>/", interviewer.case, name="case"),
    path("case/<int:pk>/attempt/", interviewer.attempt, name="attempt"),
    path("case/<int:pk>/interview/", interviewer.interview, name="interview"),
    path("case/<int:pk>/release/", interviewer.release, name="release"),
    path("case/<int:pk>/p/<str:module>/", interviewer.page, name="page"),
    path("case/<int:pk>/p/<str:module>/back/", interviewer.page_back, name="page_back"),
    path("case/<int:pk>/p/<str:module>/relevance/", interviewer.relevance, name="relevance"),
    path("case/<int:pk>/review/", interviewer.review, name="review"),
    path("case/<int:pk>/submit/", interviewer.submit, name="submit"),
]
