from django.apps import AppConfig


class ModelingConfig(AppConfig):
    """The learned models: the BERT grader/scorer and knowledge-tracing fitting."""

    name = "modeling"
    verbose_name = "Learned models"
