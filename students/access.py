"""Who may use which part of the site: decided here, in one place.

Every page lives in an *area* (a URL prefix). ``AREA_ROLES`` says which roles may enter
each area; ``RoleAccessMiddleware`` enforces it for every request, and ``HasAreaRole``
enforces the same table for the REST API, so no view or template repeats the rule.
Objects a user may not know exist are filtered out by the selectors and answer 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.permissions import BasePermission

from students.models import Role

ALL_ROLES = frozenset(Role.values)

# Longest prefix wins. Paths that match no area are public (login page, static files).
AREA_ROLES: dict[str, frozenset[str]] = {
    "/learn/": frozenset({Role.STUDENT}),
    "/teach/": frozenset({Role.TEACHER, Role.ADMIN}),
    "/admin/": frozenset({Role.ADMIN}),
    "/api/": ALL_ROLES,
    "/models/": frozenset({Role.TEACHER, Role.ADMIN}),
    "/home/": ALL_ROLES,
}

# Pages of the Django admin that an anonymous visitor must reach to sign in.
PUBLIC_PATHS = ("/admin/login/", "/api/schema/", "/api/docs/")

HOME_URL_BY_ROLE: dict[str, str] = {
    Role.STUDENT: "/learn/",
    Role.TEACHER: "/teach/",
    Role.ADMIN: "/admin/",
}


def area_for_path(path: str) -> str | None:
    matches = [prefix for prefix in AREA_ROLES if path.startswith(prefix)]
    return max(matches, key=len) if matches else None


def role_may_enter(role: str, path: str) -> bool:
    area = area_for_path(path)
    return area is None or role in AREA_ROLES[area]


def home_url_for(user) -> str:
    return HOME_URL_BY_ROLE.get(getattr(user, "role", ""), "/learn/")


class RoleAccessMiddleware:
    """Anonymous visitors are sent to the login page; a signed-in user outside their
    role's areas gets 403 (JSON for the API)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        area = area_for_path(path)
        if area is None or path.startswith(PUBLIC_PATHS):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            if area == "/api/":
                # DRF answers 403 with its own message for anonymous API calls.
                return self.get_response(request)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if user.role not in AREA_ROLES[area]:
            if area == "/api/":
                return JsonResponse({"detail": "Your role may not use this part of the API."}, status=403)
            raise PermissionDenied(f"The {user.get_role_display().lower()} role may not open {area}.")
        return self.get_response(request)


class HasAreaRole(BasePermission):
    """DRF: the same table, for views that declare ``allowed_roles``."""

    message = "Your role may not use this part of the API."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        allowed = getattr(view, "allowed_roles", ALL_ROLES)
        return user.role in allowed


def role_context(request: HttpRequest) -> dict:
    """Template context: the user's role and home, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_role": None, "home_url": "/"}
    return {"user_role": user.role, "home_url": home_url_for(user)}


def forbid(message: str) -> None:
    raise PermissionDenied(message)
