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
    # Calibration, fitted on the validation split when the version was trained (its
    # grader.json holds the same; the engine reads it from there). A version trained before
    # calibration keeps temperature 1 and no threshold: none of its grades is auto-accepted.
    calibrated = models.BooleanField(default=False)
    temperature = models.FloatField(
        default=1.0, help_text="Temperature dividing the label logits (1: uncalibrated)."
    )
    auto_accept_threshold = models.FloatField(
        null=True,
        blank=True,
        help_text="Grades at or above this confidence were right (3-way) at least 90% of the time "
        "on validation and are auto-accepted; below it they go to a teacher first. Empty: none is.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="modeling_one_active_grader_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version}{' (active)' if self.is_active else ''}"

    def auto_accepts(self, confidence: float | None) -> bool:
        """Whether a grade of this version with ``confidence`` is auto-accepted."""
        return (
            self.auto_accept_threshold is not None
            and confidence is not None
            and (confidence >= self.auto_accept_threshold)
        )

    @property
    def folder(self) -> Path:
        path = Path(self.path)
        return path if path.is_absolute() else Path(settings.MODEL_DIR) / path
