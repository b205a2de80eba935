from django.urls import path

from surveys.answering import views as respondent
from surveys.fieldwork import optout

app_name = "surveys"
urlpatterns = [
    path("", respondent.home, name="home"),
    path("s/<str:token>/", respondent.welcome, name="welcome"),
    path("s/<str:token>/language/", respondent.set_language, name="language"),
    path("s/<str:token>/p/<str:module>/", respondent.page, name="page"),
    path("s/<str:token>/p/<str:module>/back/", respondent.page_back, name="page_back"),
    path("s/<str:token>/p/<str:module>/relevance/", respondent.relevance, name="relevance"),
    path("s/<str:token>/review/", respondent.review, name="review"),
    path("s/<str:token>/submit/", respondent.submit, name="submit"),
    path("s/<str:token>/thanks/", respondent.thanks, name="thanks"),
    path("s/<str:token>/closed/", respondent.closed, name="closed"),  # quota cell full
    path("s/<str:token>/optout/", optout.optout, name="optout"),  # fieldwork e-mail opt-out
    path("s/<str:token>/register/", respondent.register, name="register"),  # respondent comforts
    path("s/<str:token>/handover/", respondent.handover, name="handover"),
    path("s/<str:token>/answers.pdf", respondent.pdf, name="pdf"),
]
