from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Questionnaires and responses"

    def ready(self) -> None:
        # Register the fieldwork tasks by name in every process (surveys.dispatch sends them by name).
        from surveys.fieldwork import tasks  # noqa: F401
