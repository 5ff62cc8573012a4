"""Reads of the learned-model registry."""

from __future__ import annotations

from modeling.grader.errors import UnknownGraderVersion
from modeling.models import GraderVersion


def grader_version_active() -> GraderVersion | None:
    """The active grader version, or None when none is registered."""
    return GraderVersion.objects.filter(is_active=True).first()


def grader_version_get(version: str) -> GraderVersion:
    """The grader version named ``version``; UnknownGraderVersion if there is none."""
    try:
        return GraderVersion.objects.get(version=version)
    except GraderVersion.DoesNotExist:
        raise UnknownGraderVersion(version) from None


def grader_versions() -> list[GraderVersion]:
    """Every registered grader version, newest first."""
    return list(GraderVersion.objects.all())
