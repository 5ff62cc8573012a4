"""What the course-package tests share: the complete test package and ways to change it,
import it and count what was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from content import services
from content.models import Choice, Concept, Course, Exercise, Hint, Passage, Prerequisite, ReferenceAnswer
from content.package import CoursePackageError

PACKAGES = Path(__file__).parent / "packages"
BASIC = PACKAGES / "basic.yaml"


def basic() -> dict[str, Any]:
    """A fresh copy of the complete test package, to change per test."""
    return yaml.safe_load(BASIC.read_text(encoding="utf-8"))


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def exercise(data: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(e for e in data["exercises"] if e["slug"] == slug)


def concept(data: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(c for c in data["concepts"] if c["slug"] == slug)


def rejection(data: Any, filename: str = "basic.yaml") -> CoursePackageError:
    text = data if isinstance(data, str | bytes) else dump(data)
    with pytest.raises(CoursePackageError) as caught:
        services.course_import(text, filename=filename)
    return caught.value


def row_counts() -> dict[str, int]:
    models = [Course, Concept, Prerequisite, Passage, Exercise, Choice, ReferenceAnswer, Hint]
    return {model.__name__: model.objects.count() for model in models}
