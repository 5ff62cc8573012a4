from django.apps import AppConfig


class ContentConfig(AppConfig):
    """The domain model: courses, concepts, prerequisites, exercises, hints, passages."""

    name = "content"
    verbose_name = "Content (domain model)"
