"""Pages of the project itself (not of one of the tutor's jobs)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from students import api as students_api


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home page."""
    return redirect(students_api.home_url_for(request.user))
