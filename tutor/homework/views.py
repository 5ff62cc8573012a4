"""Homework pages: the teacher's (/teach/: home, homework, the review queue, the gradebook)
and the student's (/learn/homework/). Thin: parse, call a selector or service, render."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from content import api as content_api
from students import selectors as student_selectors
from tutor.homework import gradebook as gradebook_selectors
from tutor.homework import selectors, services
from tutor.homework.forms import AssignmentForm, BulkAcceptForm, ReviewForm


# --- the teacher's home ------------------------------------------------------------------------
def teacher_home(request: HttpRequest) -> HttpResponse:
    return render(request, "homework/teacher_home.html", {"home": selectors.teacher_home(request.user)})


# --- setting homework --------------------------------------------------------------------------
def assignment_list(request: HttpRequest) -> HttpResponse:
    context = {
        "assignments": selectors.assignments_for_teacher(request.user),
        "classrooms": student_selectors.classrooms_taught(request.user),
    }
    return render(request, "homework/assignment_list.html", context)


def assignment_create(request: HttpRequest) -> HttpResponse:
    classrooms = student_selectors.classrooms_taught(request.user)
    raw = request.POST.get("classroom") or request.GET.get("classroom")
    room = selectors.classroom_taught(request.user, raw) if raw else None
    if raw and room is None:
        raise Http404("No such classroom of yours.")
    if room is None:
        return render(request, "homework/assignment_new.html", {"classrooms": classrooms, "room": None})
    exercises = list(selectors.exercises_for_classroom(request.user, room))
    concepts = selectors.concepts_for_classroom(room)
    form = AssignmentForm(request.POST or None, exercises=exercises, concepts=concepts)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_create(
                request.user, classroom_id=room.pk, **form.service_kwargs()
            )
        except services.HomeworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Homework “{assignment.title}” set for {room.name}.")
            return redirect("homework:assignment", assignment.pk)
    context = {
        "classrooms": classrooms,
        "room": room,
        "form": form,
        "exercise_rows": [
            {
                "id": str(e.pk),
                "title": e.title or e.slug,
                "kind": e.get_kind_display(),
                "prompt": e.prompt,
                "concepts": ", ".join(c.name for c in e.concepts.all()),
            }
            for e in exercises
        ],
    }
    return render(request, "homework/assignment_new.html", context)


def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_for_teacher(request.user, pk)
    if assignment is None:
        raise Http404("No such homework of yours.")
    book = gradebook_selectors.gradebook(request.user, assignment.classroom_id)
    context = {
        "assignment": assignment,
        "items": assignment.items.select_related("exercise"),
        "rows": [(s, book.cells[(s.pk, assignment.pk)]) for s in book.students],
        "grades_visible": selectors.grades_visible(assignment),
    }
    return render(request, "homework/assignment_detail.html", context)


@require_POST
def assignment_release(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        assignment = services.assignment_release(request.user, pk)
    except services.HomeworkNotFound as error:
        raise Http404(str(error)) from error
    messages.success(request, f"Grades of “{assignment.title}” released.")
    return redirect("homework:assignment", assignment.pk)


# --- the review queue --------------------------------------------------------------------------
def _filters(params) -> selectors.ReviewFilters:
    reviewed = {"no": False, "yes": True}.get(params.get("reviewed", "no"))
    return selectors.ReviewFilters(
        assignment_id=selectors.parse_id(params.get("homework")),
        exercise_id=selectors.parse_id(params.get("exercise")),
        label=params.get("label", "")
        if params.get("label", "") in dict(selectors.LABEL_NAMES) | {"pending": 1}
        else "",
        reviewed=reviewed,
    )


def review_queue(request: HttpRequest) -> HttpResponse:
    filters = _filters(request.GET)
    queue = selectors.review_queue(request.user, filters)
    bulk = BulkAcceptForm(request.GET if "min_confidence" in request.GET else None)
    preview = None
    if bulk.is_bound and bulk.is_valid():
        preview = len(
            selectors.bulk_accept_ids(
                request.user, min_confidence=bulk.cleaned_data["min_confidence"], filters=filters
            )
        )
    titles = dict(queue.assignments)
    context = {
        "queue": queue,
        "rows": [
            (
                r,
                selectors.assignment_title(r.context, titles),
                ReviewForm(initial={"label": r.label, "score": r.score}),
            )
            for r in queue.rows
        ],
        "filters": filters,
        "reviewed_param": request.GET.get("reviewed", "no"),
        "query": request.GET.urlencode(),
        "bulk": bulk,
        "preview": preview,
        "label_names": selectors.LABEL_NAMES,
    }
    return render(request, "homework/review_queue.html", context)


def _back_to_queue(request: HttpRequest) -> str:
    query = request.POST.get("query", "")
    return reverse("homework:review") + (f"?{query}" if query else "")


@require_POST
def review_lock(request: HttpRequest, attempt_id: int) -> JsonResponse:
    try:
        lock = services.review_lock_take(request.user, attempt_id)
    except services.HomeworkNotFound as error:
        raise Http404(str(error)) from error
    except services.HomeworkError as error:
        return JsonResponse({"detail": str(error)}, status=409)
    return JsonResponse({"attempt": attempt_id, "expires_at": lock.expires_at.isoformat()})


@require_POST
def review_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect(_back_to_queue(request))
    data = form.cleaned_data
    try:
        services.review_submit(
            request.user,
            attempt_id,
            accept=data["action"] == "accept",
            label=data.get("label") or "",
            score=data.get("score"),
            comment=data.get("comment") or "",
        )
    except services.HomeworkNotFound as error:
        raise Http404(str(error)) from error
    except services.HomeworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Answer {attempt_id}: {'accepted' if data['action'] == 'accept' else 'grade overridden'}.",
        )
    return redirect(_back_to_queue(request))


@require_POST
def review_bulk_accept(request: HttpRequest) -> HttpResponse:
    form = BulkAcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a confidence between 0 and 1.")
        return redirect(_back_to_queue(request))
    filters = _filters(request.POST)
    try:
        n = services.review_bulk_accept(
            request.user, min_confidence=form.cleaned_data["min_confidence"], filters=filters
        )
    except services.HomeworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Accepted {n} grade{'s' if n != 1 else ''} of the model.")
    return redirect(_back_to_queue(request))


# --- the gradebook -----------------------------------------------------------------------------
def gradebook(request: HttpRequest, pk: int) -> HttpResponse:
    book = gradebook_selectors.gradebook(request.user, pk)
    if book is None:
        raise Http404("No such classroom of yours.")
    rows = [(s, book.row(s.pk)) for s in book.students]
    return render(request, "homework/gradebook.html", {"book": book, "rows": rows})


def _csv(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def gradebook_csv(request: HttpRequest, pk: int) -> HttpResponse:
    book = gradebook_selectors.gradebook(request.user, pk)
    if book is None:
        raise Http404("No such classroom of yours.")
    header = ["student", "name"]
    for a in book.assignments:
        header += [f"{a.title} score", f"{a.title} status"]
    rows = []
    for s in book.students:
        row = [s.username, s.name]
        for cell in book.row(s.pk):
            row += [
                "" if cell.score is None else round(cell.score, 4),
                cell.status + (" (late)" if cell.late else ""),
            ]
        rows.append(row)
    return _csv(f"gradebook-{book.classroom_id}.csv", header, rows)


def attempts_csv(request: HttpRequest, pk: int) -> HttpResponse:
    rows = gradebook_selectors.attempts_export(request.user, pk)
    if rows is None:
        raise Http404("No such classroom of yours.")
    header = [
        "attempt",
        "student",
        "exercise",
        "kind",
        "where",
        "context",
        "answered_at",
        "answer",
        "status",
        "score",
        "label",
        "grade_source",
        "confidence",
        "grader_version",
        "teacher_comment",
    ]
    return _csv(f"attempts-{pk}.csv", header, ([r[h] for h in header] for r in rows))


# --- the student's homework --------------------------------------------------------------------
def student_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "homework/student_list.html", {"rows": selectors.homework_for_student(request.user)}
    )


def _own(request: HttpRequest, pk: int):
    assignment = selectors.assignment_for_student(request.user, pk)
    if assignment is None:
        raise Http404("No such homework of yours.")
    return assignment


def student_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own(request, pk)
    detail = selectors.homework_detail(request.user, assignment)
    context = {
        "detail": detail,
        "assignment": assignment,
        "exercise": detail.current,
        "action": reverse("homework:answer", args=[assignment.pk]),
        # the assistant's panel: its replies never give the answer of an open item away
        "course": content_api.course_by_slug(detail.current.course_slug) if detail.current else None,
    }
    return render(request, "homework/student_detail.html", context)


@require_POST
def student_answer(request: HttpRequest, pk: int) -> HttpResponse:
    _own(request, pk)
    try:
        outcome = services.homework_answer(
            request.user,
            pk,
            selectors.parse_id(request.POST.get("exercise")) or 0,
            choices=request.POST.getlist("choice"),
            value=request.POST.get("value"),
            text=request.POST.get("text"),
            response_seconds=_float(request.POST.get("elapsed")),
        )
    except services.HomeworkNotFound as error:
        raise Http404(str(error)) from error
    except (services.HomeworkError, content_api.AnswerError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Answer saved." + (" (late)" if outcome.late else ""))
    return redirect("homework:student_detail", pk)


@require_POST
def student_submit(request: HttpRequest, pk: int) -> HttpResponse:
    _own(request, pk)
    try:
        submission = services.homework_submit(request.user, pk)
    except services.HomeworkNotFound as error:
        raise Http404(str(error)) from error
    except services.HomeworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Homework submitted" + (", late." if submission.late else "."))
    return redirect("homework:student_detail", pk)


def _float(raw) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None
