"""Pages of the student's area (/learn/). Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe

from content import selectors as content_selectors
from students.access import home_url_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home page."""
    return redirect(home_url_for(request.user))


def learn_home(request: HttpRequest) -> HttpResponse:
    courses = content_selectors.published_courses()
    return render(request, "tutor/learn_home.html", {"courses": courses})


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = content_selectors.published_courses().filter(slug=slug).first()
    if course is None:
        raise Http404("No such course.")
    context = {
        "course": course,
        "concepts": content_selectors.course_overview(course),
        "graph_svg": mark_safe(content_selectors.course_graph_svg(course)),  # built from escaped parts
    }
    return render(request, "tutor/course_detail.html", context)
