"""The Celery app. Queues: ``grading`` (the BERT grader, GPU workers where there are GPUs)
and ``default`` (everything else, and the beat sweeper). Configuration comes from Django
settings (CELERY_*)."""

import logging.config
import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutor.settings")

app = Celery("tutor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _django_logging(**kwargs) -> None:
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def _structured_logs() -> bool:
    from django.conf import settings

    return getattr(settings, "LOG_FORMAT", "text") == "json"


# Structured logs: workers and beat log through Django's LOGGING (JSON lines) instead of
# Celery's own text format. Connected only then: a receiver on this signal stops Celery from
# setting up its own logging, which development keeps.
if _structured_logs():
    setup_logging.connect(_django_logging, weak=False)
