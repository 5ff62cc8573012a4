"""Pages of the teacher's area (/teach/)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from content import selectors as content_selectors
from students import selectors


def teach_home(request: HttpRequest) -> HttpResponse:
    context = {
        "classrooms": selectors.classrooms_for_teacher(request.user),
        "courses": content_selectors.published_courses(),
    }
    return render(request, "students/teach_home.html", context)
