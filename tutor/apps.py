from django.apps import AppConfig


class TutorConfig(AppConfig):
    """The pedagogical model: practice sessions, next-item selection, homework, chat."""

    name = "tutor"
    verbose_name = "Tutor (pedagogical model)"
