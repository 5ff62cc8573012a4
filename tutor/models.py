"""The ``tutor`` app's models. Each job of the tutor keeps its models in its own folder;
Django finds them here."""

from tutor.practice.models import PracticeSession

__all__ = ["PracticeSession"]
