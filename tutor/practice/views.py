"""Pages of the student's area (/learn/). Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from content import api as content_api
from content import selectors as content_selectors
from students import selectors as student_selectors
from tutor.practice import selectors, services


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


# --- practice ------------------------------------------------------------------------------
def _course_for_practice(slug: str):
    course = content_selectors.published_courses().filter(slug=slug).first()
    if course is None:
        raise Http404("No such course.")
    return course


def practice(request: HttpRequest, slug: str) -> HttpResponse:
    """The exercise on screen (or the next one), with its reason, hints and mastery."""
    course = _course_for_practice(slug)
    session = services.practice_start(request.user, course)
    # "Practise more" after mastering the course: an optional item, labelled as such.
    optional = request.GET.get("more") == "1"
    try:
        served = services.practice_next(session, optional_practice=optional)
    except services.SessionClosed as error:
        # The exercise on screen was withdrawn: say so, and go on in a new session.
        messages.warning(request, str(error))
        served = services.practice_next(services.practice_start(request.user, course))
    session = served.session
    context = {
        "course": course,
        "served": served,
        "exercise": served.exercise,
        "decision": served.decision,
        "hints": services.practice_hints_shown(session),
        "worked_example": session.current_exercise.worked_example
        if served.exercise and session.worked_example_shown
        else "",
        "action": reverse("learn:answer", args=[course.slug]),
    }
    return render(request, "tutor/practice.html", context)


def _practice_post(request: HttpRequest, slug: str):
    """The course a form on the practice page acts on. Its step then acts on the open
    session (``practice_open_session``): one that ended meanwhile (idle too long, its
    exercise withdrawn) is not replaced there; the step is refused with the reason, and the
    practice page opens a new session."""
    if request.method != "POST":
        raise Http404("Use the form on the practice page.")
    return _course_for_practice(slug)


def _session_ended(request: HttpRequest, course, error: services.SessionClosed) -> HttpResponse:
    messages.error(request, f"{error} Nothing was recorded.")
    return redirect("learn:practice", course.slug)


def practice_hint(request: HttpRequest, slug: str) -> HttpResponse:
    course = _practice_post(request, slug)
    try:
        session = services.practice_open_session(request.user, course)
        services.practice_hint(session, _int(request.POST.get("exercise")))
    except services.SessionClosed as error:
        return _session_ended(request, course, error)
    except services.PracticeError as error:
        messages.error(request, str(error))
    return redirect(reverse("learn:practice", args=[course.slug]) + "#hints")


def practice_worked_example(request: HttpRequest, slug: str) -> HttpResponse:
    course = _practice_post(request, slug)
    try:
        session = services.practice_open_session(request.user, course)
        services.practice_worked_example(session, _int(request.POST.get("exercise")))
    except services.SessionClosed as error:
        return _session_ended(request, course, error)
    except services.PracticeError as error:
        messages.error(request, str(error))
    return redirect(reverse("learn:practice", args=[course.slug]) + "#worked-example")


def practice_answer(request: HttpRequest, slug: str) -> HttpResponse:
    course = _practice_post(request, slug)
    try:
        session = services.practice_open_session(request.user, course)
        outcome = services.practice_answer(
            session,
            _int(request.POST.get("exercise")),
            choices=request.POST.getlist("choice"),
            value=request.POST.get("value"),
            text=request.POST.get("text"),
            response_seconds=_float(request.POST.get("elapsed")),
        )
    except services.SessionClosed as error:
        return _session_ended(request, course, error)
    except (services.PracticeError, content_api.AnswerError) as error:
        messages.error(request, str(error))
        return redirect("learn:practice", course.slug)
    return redirect("learn:feedback", course.slug, outcome.attempt.pk)


def practice_feedback(request: HttpRequest, slug: str, attempt_id: int) -> HttpResponse:
    course = _course_for_practice(slug)
    result = student_selectors.attempt_result_for(request.user, attempt_id)
    # Only practice answers have a feedback page here: a homework answer's grade, correct
    # options and value wait for the teacher's release (the homework pages show them).
    if result is None or result.course_slug != course.slug or not result.context.startswith("practice:"):
        raise Http404("No such answer of yours.")
    return render(request, "tutor/feedback.html", {"course": course, "result": result})


def progress(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course_for_practice(slug)
    mastery = selectors.course_mastery_bars(request.user, course)
    policy = selectors.policy_settings(course)
    threshold = policy.mastery_threshold
    fills = {m.slug: _mastery_colour(m, threshold) for m in mastery}
    captions = {
        m.slug: f"{m.percent}% · {m.n_attempts} answer{'s' if m.n_attempts != 1 else ''}"
        if m.started
        else "not started"
        for m in mastery
    }
    context = {
        "course": course,
        "mastery": mastery,
        "threshold": threshold,
        "independent_needed": policy.mastery_min_independent,
        "graph_svg": mark_safe(  # built from escaped parts
            content_selectors.course_graph_svg(course, fills=fills, captions=captions)
        ),
        "history": student_selectors.mastery_history(request.user, course),
    }
    return render(request, "tutor/progress.html", context)


def _mastery_colour(m: selectors.MasteryBar, threshold: float) -> str:
    mastery = m.mastery
    if m.n_attempts == 0:
        return "#f1f5f9"
    if m.mastered:
        return "#bbf7d0"
    if mastery >= 0.6:
        return "#fef08a"
    if mastery >= 0.3:
        return "#fed7aa"
    return "#f1f5f9"


def _int(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError) as error:
        raise services.PracticeError(f"'{raw}' is not an exercise id.") from error


def _float(raw) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None
