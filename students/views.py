"""Pages of the teacher's area (/teach/): classrooms, their members and join codes, and the
dashboards; and the student's join form (/learn/classrooms/join/). Thin: parse, call one
service or selector, render. A classroom or student that is not the user's answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from content import selectors as content_selectors
from students import selectors, services
from students.dashboards import DashboardSettings
from students.forms import ClassroomCreateForm, JoinForm, UsernameForm, UsernamesForm


def _classroom_or_404(request: HttpRequest, pk: int):
    room = selectors.classroom_for_teacher(request.user, pk)
    if room is None:
        raise Http404("No such classroom of yours.")
    return room


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- classrooms ---------------------------------------------------------------------------------
def teach_home(request: HttpRequest) -> HttpResponse:
    return classroom_list(request)


def classroom_list(request: HttpRequest, form: ClassroomCreateForm | None = None) -> HttpResponse:
    context = {
        "classrooms": selectors.classrooms_for_teacher(request.user),
        "courses": content_selectors.published_courses(),
        "form": form or ClassroomCreateForm(),
        "may_create": request.user.is_teacher,
    }
    return render(request, "students/teach_home.html", context, status=400 if form else 200)


@require_POST
def classroom_create(request: HttpRequest) -> HttpResponse:
    form = ClassroomCreateForm(request.POST)
    if not form.is_valid():
        return classroom_list(request, form)
    try:
        room = services.classroom_create(
            teacher=request.user, name=form.cleaned_data["name"], courses=form.cleaned_data["courses"]
        )
    except services.ClassroomError as error:
        form.add_error(None, str(error))
        return classroom_list(request, form)
    messages.success(request, f"Classroom {room.name} created. Its join code is {room.join_code}.")
    return redirect("teach:manage", pk=room.pk)


def classroom_manage(request: HttpRequest, pk: int) -> HttpResponse:
    roster = selectors.classroom_roster(request.user, pk)
    if roster is None:
        raise Http404("No such classroom of yours.")
    context = {
        "roster": roster,
        "is_owner": roster.owner.pk == request.user.pk or request.user.is_admin_role,
        "students_form": UsernamesForm(),
        "co_teacher_form": UsernameForm(),
    }
    return render(request, "students/classroom_manage.html", context)


def _manage_write(request: HttpRequest, pk: int, write) -> HttpResponse:
    """Run one classroom write for the manage page; its error becomes a message."""
    room = _classroom_or_404(request, pk)
    try:
        done = write(room)
    except services.ClassroomError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("teach:manage", pk=room.pk)


@require_POST
def classroom_code(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage_write(
        request,
        pk,
        lambda room: (
            f"New join code: {services.classroom_code_regenerate(room)}. The old one no longer works."
        ),
    )


@require_POST
def classroom_students_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = UsernamesForm(request.POST)

    def write(room):
        if not form.is_valid():
            raise services.ClassroomError(_form_errors(form))
        added = services.classroom_students_add(room, form.cleaned_data["usernames"])
        return f"Added {', '.join(s.username for s in added)}."

    return _manage_write(request, pk, write)


@require_POST
def classroom_student_remove(request: HttpRequest, pk: int, student_id: int) -> HttpResponse:
    def write(room):
        services.classroom_student_remove(room, student_id)
        return "Student removed from the classroom; their answers stay theirs."

    return _manage_write(request, pk, write)


@require_POST
def classroom_co_teacher_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = UsernameForm(request.POST)

    def write(room):
        if not form.is_valid():
            raise services.ClassroomError(_form_errors(form))
        user = services.classroom_co_teacher_add(
            room, by=request.user, username=form.cleaned_data["username"]
        )
        return f"{user.username} now co-teaches {room.name}."

    return _manage_write(request, pk, write)


@require_POST
def classroom_co_teacher_remove(request: HttpRequest, pk: int, teacher_id: int) -> HttpResponse:
    def write(room):
        services.classroom_co_teacher_remove(room, by=request.user, teacher_id=teacher_id)
        return "Co-teacher removed."

    return _manage_write(request, pk, write)


@require_POST
def classroom_join(request: HttpRequest) -> HttpResponse:
    """A student joins with a code from their home page; joining twice changes nothing."""
    form = JoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the join code your teacher gave you.")
        return redirect("learn:home")
    try:
        room, joined = services.classroom_join(request.user, form.cleaned_data["code"])
    except services.ClassroomError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"You joined {room.name}." if joined else f"You are already in {room.name}."
        )
    return redirect("learn:home")


# --- dashboards ---------------------------------------------------------------------------------
def classroom(request: HttpRequest, pk: int) -> HttpResponse:
    """The classroom x concept heatmap, with a table of the same figures for those without
    the chart (each cell links to the student's history on that concept)."""
    heatmap = selectors.classroom_heatmap(request.user, pk)
    if heatmap is None:
        raise Http404("No such classroom of yours.")
    chart = {
        "students": [[r.student_id, r.name] for r in heatmap.rows],
        "concepts": [[c.concept_id, c.name] for c in heatmap.concepts],
        "z": [[None if m is None else round(m, 3) for m in r.mastery] for r in heatmap.rows],
    }
    context = {
        "heatmap": heatmap,
        "concept_ids": [c.concept_id for c in heatmap.concepts],
        "chart": chart,
        "student_url": reverse("teach:student", args=[heatmap.pk, 0]).removesuffix("0/"),
    }
    return render(request, "students/classroom.html", context)


def student_detail(request: HttpRequest, pk: int, student_id: int) -> HttpResponse:
    raw = request.GET.get("concept", "")
    if raw and not raw.isdigit():
        raise Http404("No such concept in this classroom.")
    page = selectors.student_page(request.user, pk, student_id, concept_id=int(raw) if raw else None)
    if page is None:
        raise Http404("No such student in a classroom of yours.")
    chart = {"trajectories": page.trajectories, "time": [list(d) for d in page.seconds_by_day]}
    context = {"page": page, "chart": chart, "cap": DashboardSettings.current().max_seconds_per_answer}
    return render(request, "students/student.html", context)


def stuck(request: HttpRequest, pk: int) -> HttpResponse:
    room = _classroom_or_404(request, pk)
    rules = DashboardSettings.current()
    # The page lists the first reasons of each student (the most practised concepts first).
    shown = rules.stuck_reasons_shown
    rows = [
        (s, s.reasons[:shown], len(s.reasons) - shown)
        for s in selectors.classroom_stuck_students(request.user, pk) or []
    ]
    student_url = reverse("teach:student", args=[room.pk, 0]).removesuffix("0/")
    context = {"room": room, "rows": rows, "rules": rules, "student_url": student_url}
    return render(request, "students/stuck.html", context)


def items(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = selectors.item_analysis(request.user, pk)
    if analysis is None:
        raise Http404("No such classroom of yours.")
    context = {"analysis": analysis, "rules": DashboardSettings.current()}
    return render(request, "students/items.html", context)
