"""Pages of the teacher's area (/teach/)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from content import selectors as content_selectors
from students import selectors


def teach_home(request: HttpRequest) -> HttpResponse:
    context = {
        "classrooms": selectors.classrooms_for_teacher(request.user),
        "courses": content_selectors.published_courses(),
    }
    return render(request, "students/teach_home.html", context)


def classroom(request: HttpRequest, pk: int) -> HttpResponse:
    dashboard = selectors.classroom_dashboard(request.user, pk)
    if dashboard is None:
        raise Http404("No such classroom of yours.")
    return render(request, "students/classroom.html", {"dashboard": dashboard})
