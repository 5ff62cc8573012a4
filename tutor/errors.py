"""Errors of the API in one documented shape, from every URL under /api/.

Every error the API answers is JSON: ``{"detail": "<what went wrong>"}``, plus ``errors``,
a map from field to messages, when the request's fields were refused. Three pieces make
that hold whatever raised the error:

- ``api_exception_handler``: DRF's handler, reshaped (DRF answers a refused field as
  ``{"text": [...]}``, which the schema did not describe);
- ``handler400``/``handler403``/``handler404``/``handler500``: Django's error views for
  errors raised outside a DRF view (a URL that matches no route, such as a non-integer id;
  a body over the size limit refused before any view runs); JSON under /api/, the site's
  pages elsewhere;
- ``ApiJsonErrorsMiddleware``: with ``DEBUG`` on, Django answers a 404 with its technical
  HTML page without calling ``handler404``; under /api/ any 4xx that is not JSON becomes JSON.

``ErrorAutoSchema`` documents the shape on every operation (400, 403, 404, 409, 429 where
an operation can answer them), so the schema and the responses agree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus

from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views import defaults
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Under /api/ but not the API's JSON: the schema (YAML) and the interactive docs (HTML).
NOT_JSON = ("/api/schema/", "/api/docs/")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) and not path.startswith(NOT_JSON)


class ErrorSerializer(serializers.Serializer):
    """The body of every error of the API."""

    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="When fields were refused: each field's messages.",
    )


def _flatten(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _flatten(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _flatten(value)]
    return [str(errors)]


def _field_map(data) -> dict[str, list[str]]:
    if isinstance(data, dict):
        return {str(field): _flatten(messages) for field, messages in data.items()}
    return {"non_field_errors": _flatten(data)}


# The last line of defence against input the database cannot take: a number beyond its
# integers (SQLite raises OverflowError, PostgreSQL a DataError: "out of range"), a NUL in
# text (PostgreSQL). A view should have refused such input with a message naming the field
# (``tutor.pagination.bounded_int``, the answer's validation); one that did not still gets a
# 400 here, not a 500. Logged, so the view can be fixed.
BAD_DATA = (OverflowError, DataError)
BAD_DATA_MESSAGE = (
    "A value in the request is out of the range this server accepts (or holds a NUL character)."
)


def _bad_data(request: HttpRequest, exc: Exception) -> None:
    logger.warning("bad input reached the database at %s %s: %r", request.method, request.path, exc)


def api_exception_handler(exc, context):
    """DRF's handler, with every error body in the documented shape."""
    if isinstance(exc, BAD_DATA):
        _bad_data(context["request"], exc)
        set_rollback()
        return Response({"detail": BAD_DATA_MESSAGE}, status=400)
    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: a 500, answered by ``handler500``
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"detail": str(data["detail"])}
        return response
    errors = _field_map(data)
    summary = "; ".join(
        f"{field}: {' '.join(messages)}" if field != "non_field_errors" else " ".join(messages)
        for field, messages in errors.items()
    )
    response.data = {"detail": summary or "The request was refused.", "errors": errors}
    return response


def json_error(status: int, detail: str | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail or f"{HTTPStatus(status).phrase}."}, status=status)


# --- the project's error views (``tutor/urls.py``) -------------------------------------------
def handler400(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api_path(request.path):
        return json_error(400, "The request could not be read (malformed, or over the size limit).")
    return defaults.bad_request(request, exception)


def handler403(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api_path(request.path):
        message = str(exception) if exception and str(exception) else "You may not do this."
        return json_error(403, message)
    return defaults.permission_denied(request, exception)


def handler404(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api_path(request.path):
        return json_error(404, "Not found: no such address in the API, or nothing there of yours.")
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path):
        return json_error(500, "The server failed on this request; it has been logged.")
    return defaults.server_error(request)


class ApiJsonErrorsMiddleware:
    """Under /api/, a 4xx that is not JSON (Django's own pages) is answered as JSON; and a
    page view that let out-of-range input reach the database answers 400, not 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            400 <= response.status_code < 500
            and is_api_path(request.path)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replaced = json_error(response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BAD_DATA):
            return None
        _bad_data(request, exception)
        if is_api_path(request.path):
            return json_error(400, BAD_DATA_MESSAGE)
        return HttpResponseBadRequest(BAD_DATA_MESSAGE, content_type="text/plain; charset=utf-8")


# --- the schema ---------------------------------------------------------------------------------
ERROR_DESCRIPTIONS = {
    "400": "The request was refused: `detail` says why, `errors` names the fields.",
    "403": "Not signed in, or the caller's role may not use this.",
    "404": "No such object, or not one the caller may see.",
    "409": "The practice session has ended (course or exercise withdrawn, or idle too long).",
    "429": "Too many requests: wait the seconds of the Retry-After header.",
}


class ErrorAutoSchema(AutoSchema):
    """drf-spectacular's schema with the error responses each operation can give.

    A serializer with ``schema_closed = True`` is documented with ``additionalProperties:
    false``: where a response is one of several shapes (an exercise for a student or for
    staff), the closed one cannot also match the larger shape, so ``oneOf`` holds."""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if getattr(serializer, "schema_closed", False) and direction == "response":
            schema["additionalProperties"] = False
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["403", "429"]
        takes_input = self.method != "GET" or any(p.get("in") == "query" for p in self._get_parameters())
        if takes_input:
            codes.append("400")
        # An object named in the path, or in the body of a write, may not exist (or not be the caller's).
        if "{" in self.path or self.method != "GET":
            codes.append("404")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        for code, response in responses.items():
            if code not in ERROR_DESCRIPTIONS:
                continue
            if "content" not in response:  # declared with a description only: the body is an Error
                error = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["content"] = error["content"]
            if not response.get("description"):
                response["description"] = ERROR_DESCRIPTIONS[code]
        return responses
