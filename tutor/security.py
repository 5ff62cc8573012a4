"""What protects the site whatever page is asked for: response headers (Content-Security-
Policy, Permissions-Policy), limits on log-in attempts per account and per address, and the
API's rate limits. Numbers come from the settings (``tutor/settings.py``), read on each
request so a deployment (or a test) changes them without a restart of this module.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from rest_framework import throttling
from rest_framework.settings import api_settings

# --- headers ------------------------------------------------------------------------------------
# Every script and style sheet is a file served by the site itself: no inline <script>, no
# event-handler attributes, no <style> blocks, nothing from another origin. Style *attributes*
# stay allowed (``style-src-attr``): the mastery bars' widths and Plotly's and the admin's
# widgets set them, and a style attribute cannot run script. The WebSocket (ws/student/) is the
# page's own origin, which CSP 3's 'self' covers for ws: and wss:.
EMPTY_STYLE_HASH = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
DEFAULT_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    # The hash is that of the empty string: Plotly adds one empty <style> element and fills it
    # through the CSSOM (insertRule), which CSP does not restrict; no other inline style passes.
    "style-src": f"'self' '{EMPTY_STYLE_HASH}'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The tutor needs none of the browser's powerful features: denied to the page and to any frame.
DEFAULT_PERMISSIONS_POLICY = {
    feature: "()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}


# The API's HTML pages are third parties' templates: Swagger UI (/api/docs/) and DRF's
# browsable API each carry an inline <style> block. There, and only there, inline style
# *elements* are allowed too; scripts stay 'self' everywhere.
API_HTML_PREFIX = "/api/"
API_HTML_OVERRIDES = {"style-src": "'self' 'unsafe-inline'"}


def content_security_policy(path: str = "/", content_type: str = "") -> str:
    policy = dict(getattr(settings, "CONTENT_SECURITY_POLICY", None) or DEFAULT_CSP)
    if path.startswith(API_HTML_PREFIX) and content_type.startswith("text/html"):
        policy |= API_HTML_OVERRIDES
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


def permissions_policy() -> str:
    policy = getattr(settings, "PERMISSIONS_POLICY", None) or DEFAULT_PERMISSIONS_POLICY
    return ", ".join(f"{feature}={allow}" for feature, allow in policy.items())


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to every response (in DEBUG and in
    production alike: a page that breaks the policy should break on the developer's machine)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Content-Security-Policy",
            content_security_policy(request.path, response.get("Content-Type", "")),
        )
        response.headers.setdefault("Permissions-Policy", permissions_policy())
        return response


class RejectNulMiddleware:
    """A NUL character in the address (path or query string) is refused with a 400 before any
    view runs. PostgreSQL refuses NUL in text (SQLite stores it), so a NUL that reached a
    lookup (the admin's search box, a ``<path:>`` parameter) failed in the database as a 500.
    No address of this site has a use for one. Form and JSON bodies are checked where they are
    read (the answer's own validation, DRF's fields), which can say which field was wrong."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            message = "The address contains a NUL character (%00), which no address of this site takes."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


# --- log-in attempts -------------------------------------------------------------------------
# Failed log-ins are counted per account and per client address in Django's cache (Redis when
# REDIS_URL is set, so every server process sees the same counts). Past the limit within the
# window, that account (or address) is locked out for LOGIN_LOCKOUT_SECONDS; the lock-out ends
# by itself. Every log-in path goes through the authentication backend below (the log-in page,
# the admin's log-in, ``Client.login``), so none of them is a way around the limit.


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def client_address(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or, behind NUM_PROXIES trusted proxies (the
    REST_FRAMEWORK setting DRF's throttles use too), the address the nearest proxy saw."""
    if request is None:
        return "unknown"
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = api_settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return remote


def _key(kind: str, what: str, value: str) -> str:
    # Hashed: a username may hold characters a cache key may not (and its length is the user's).
    digest = hashlib.sha256(value.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    return f"login:{kind}:{what}:{digest}"


@dataclass(frozen=True)
class LockOut:
    who: str  # "account" or "address"
    seconds_left: int

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.seconds_left / 60))
        whom = "this account" if self.who == "account" else "your network address"
        return (
            f"Too many failed log-ins for {whom}: log-in is locked for {minutes} more "
            f"minute{'s' if minutes != 1 else ''}. Try again later."
        )


def login_lockout(username: str | None, address: str) -> LockOut | None:
    """The lock-out in force for this account or address, if any."""
    now = time.time()
    for who, value in (("account", username or ""), ("address", address)):
        if not value:
            continue
        until = cache.get(_key("lock", who, value))
        if until is not None and until > now:
            return LockOut(who=who, seconds_left=int(until - now) + 1)
    return None


def login_failed(username: str | None, address: str) -> None:
    """Count a failed log-in; past a limit, lock that account or address out."""
    window = _setting("LOGIN_FAILURE_WINDOW_SECONDS", 900)
    lockout = _setting("LOGIN_LOCKOUT_SECONDS", 900)
    limits = {
        "account": _setting("LOGIN_FAILURES_PER_ACCOUNT", 5),
        "address": _setting("LOGIN_FAILURES_PER_ADDRESS", 20),
    }
    for who, value in (("account", username or ""), ("address", address)):
        if not value:
            continue
        key = _key("count", who, value)
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        if count >= limits[who]:
            cache.set(_key("lock", who, value), time.time() + lockout, timeout=lockout)
            cache.delete(key)


def login_succeeded(username: str | None) -> None:
    """A right password clears the account's failures (not the address's: one good account
    must not reset the count of an address trying many)."""
    if username:
        cache.delete(_key("count", "account", username))


class ThrottledModelBackend(ModelBackend):
    """Django's backend, refusing while the account or the address is locked out and counting
    failures. ``PermissionDenied`` stops ``authenticate`` at once, so no other backend is tried."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        address = client_address(request)
        if login_lockout(username, address) is not None:
            raise PermissionDenied("Log-in is locked out for this account or address.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failed(username, address)
        else:
            login_succeeded(username)
        return user


class ThrottledAuthenticationForm(auth_forms.AuthenticationForm):
    """The log-in form, saying so when log-in is locked out (the backend only refuses)."""

    lockout: LockOut | None = None

    def clean(self):
        username = self.cleaned_data.get("username")
        lockout = login_lockout(username, client_address(self.request))
        if lockout is None:
            try:
                return super().clean()
            except ValidationError:
                lockout = login_lockout(username, client_address(self.request))
                if lockout is None:
                    raise
        self.lockout = lockout
        raise ValidationError(lockout.message, code="locked_out")


class LoginView(auth_views.LoginView):
    """Django's log-in page with the throttled form; a locked-out attempt answers 429."""

    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "lockout", None) is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.lockout.seconds_left)
        return response


# --- API rate limits -----------------------------------------------------------------------
class _LiveRate:
    """DRF reads THROTTLE_RATES once, when its module is imported; these read the settings on
    every request, so an override (a deployment's environment, a test) takes effect."""

    def get_rate(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get(self.scope)


class AnonRateThrottle(_LiveRate, throttling.AnonRateThrottle):
    """Requests per period from one address without a session (scope ``anon``)."""


class UserRateThrottle(_LiveRate, throttling.UserRateThrottle):
    """Requests per period from one signed-in user (scope ``user``)."""
