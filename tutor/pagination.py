"""Pagination of every list in the API: limit and offset, bounded.

DRF's limit/offset pagination takes any integer: ``?limit=9223372036854775808`` reached
the database as a slice and failed there (a 500). Here a limit or offset that is not a
small non-negative integer is refused with a 400 that names the parameter and its range,
and the schema states the same range, so a client (or a fuzzer) knows it in advance.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

# Defaults when the settings do not say: a page of 100, at most 500 per page, and an
# offset no list of this tutor comes near (a course of 20,000 exercises fits 50 times).
DEFAULT_MAX_LIMIT = 500
DEFAULT_MAX_OFFSET = 1_000_000


def max_limit() -> int:
    return int(getattr(settings, "API_MAX_PAGE_SIZE", DEFAULT_MAX_LIMIT))


def max_offset() -> int:
    return int(getattr(settings, "API_MAX_OFFSET", DEFAULT_MAX_OFFSET))


def bounded_int(raw: str, name: str, low: int, high: int) -> int:
    """``raw`` as an integer in [low, high], else a 400 naming ``name`` and the range."""
    text = raw.strip()
    # Only plain decimal digits: int() would also take "1_000", "+5" and "٣" (Arabic three).
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or not (low <= int(text) <= high):
        raise ValidationError(
            {name: [f"'{raw[:40]}' is not allowed: {name} must be an integer from {low} to {high}."]}
        )
    return int(text)


class BoundedLimitOffsetPagination(pagination.LimitOffsetPagination):
    """``?limit=`` from 1 to ``API_MAX_PAGE_SIZE``; ``?offset=`` from 0 to ``API_MAX_OFFSET``."""

    @property
    def max_limit(self) -> int:  # read per request: tests and deployments change the setting
        return max_limit()

    def get_limit(self, request) -> int:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None or raw == "":
            return min(self.default_limit or max_limit(), max_limit())
        return bounded_int(raw, self.limit_query_param, 1, max_limit())

    def get_offset(self, request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None or raw == "":
            return 0
        return bounded_int(raw, self.offset_query_param, 0, max_offset())

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": max_limit()}
                parameter["description"] = (
                    f"Number of results to return per page: 1 to {max_limit()} (default {self.default_limit})."
                )
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 0, "maximum": max_offset()}
                parameter["description"] = f"The index of the first result: 0 to {max_offset()}."
        return parameters
