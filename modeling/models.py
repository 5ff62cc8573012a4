"""The registry of trained grader versions."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class GraderVersion(models.Model):
    """One trained grader: its model folder, validation metrics and how it was trained.

    At most one version is active (a partial unique constraint); the services keep it at
    exactly one once any version exists.
    """

    version = models.CharField(max_length=64, unique=True)
    path = models.CharField(
        max_length=500, help_text="The model folder, relative to MODEL_DIR when it lies under it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=False)
    val_macro_f1_3way = models.FloatField(
        help_text="3-way macro-F1 on the by-question validation split; decides activation."
    )
    metrics = models.JSONField(default=dict, blank=True)
    data_fingerprint = models.CharField(
        max_length=64, help_text="sha256 of the training and validation data."
    )
    training_args = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="modeling_one_active_grader_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version}{' (active)' if self.is_active else ''}"

    @property
    def folder(self) -> Path:
        path = Path(self.path)
        return path if path.is_absolute() else Path(settings.MODEL_DIR) / path
