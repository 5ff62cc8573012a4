from django.apps import AppConfig


class HomeworkConfig(AppConfig):
    """Assignments, submissions, the review queue and release, the gradebook."""

    name = "tutor.homework"
    label = "homework"
    verbose_name = "Homework"
