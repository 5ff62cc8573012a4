"""Errors the grader raises; each message names what was wrong."""

from __future__ import annotations


class GraderError(Exception):
    """Something the grader cannot do with what it was given."""


class DataError(GraderError):
    """A data file that is missing, unreadable or lacks what the grader needs."""


class NoActiveGrader(GraderError):
    """No grader version is registered as active."""


class UnknownGraderVersion(GraderError):
    """A grader version that the registry does not hold."""

    def __init__(self, version: str) -> None:
        super().__init__(f"Unknown grader version {version!r}.")
        self.version = version
