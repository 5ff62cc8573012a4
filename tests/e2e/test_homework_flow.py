"""A teacher sets homework with a free-text item for the demo classroom, a student answers
and submits, the teacher finds the answer in the review queue, overrides the grade with a
comment and releases: the student's open page shows the grade and the comment without a
reload (over the WebSocket, so the site is served here by daphne, HTTP and WebSocket)."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from content.models import Exercise
from students.models import Attempt, AttemptStatus, GradeReview, GradeSource
from tests.e2e.conftest import login
from tutor.homework.models import Assignment, Submission

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("HOMEWORK_SCREENSHOTS", "")  # a folder: keep a screenshot of each page


@pytest.fixture
def asgi_server(asgi_site, settings):
    # No grader is trained in this browser test: free-text answers stay pending, and the
    # teacher grades them (the override path of the review queue).
    settings.GRADER_IN_PROCESS = "inline"
    return asgi_site


def _context(browser, base_url: str, problems: list[str]):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None
        ),
    )
    return context, page


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_homework_from_setting_to_a_released_grade_seen_without_a_reload(browser, asgi_server):
    call_command("seed_demo", verbosity=0)
    item = Exercise.objects.filter(
        course__slug="basic-electricity", kind="free_text", status="published"
    ).first()
    problems: list[str] = []
    teacher_context, teacher = _context(browser, asgi_server, problems)
    student_context, student = _context(browser, asgi_server, problems)

    # The teacher sets homework for Physics 8A with one free-text item, found by searching.
    login(teacher, "teacher", "teacher-demo")
    _shot(teacher, "teacher-home")
    teacher.goto("/teach/homework/new/")
    teacher.get_by_label("Classroom").select_option(label="Physics 8A")
    teacher.get_by_role("button", name="Choose").click()
    teacher.get_by_label("Title").fill("Why bulbs go out")
    teacher.get_by_label("Exercises: search").fill((item.title or item.prompt).split()[0].lower())
    teacher.locator(f"input[name=exercises][value='{item.pk}']").check()
    _shot(teacher, "assignment-new")
    teacher.get_by_role("button", name="Set homework").click()
    teacher.wait_for_load_state()
    assignment = Assignment.objects.get(title="Why bulbs go out")
    assert [i.exercise_id for i in assignment.items.all()] == [item.pk]
    assert assignment.classroom.name == "Physics 8A" and assignment.release_rule == "after_review"

    # The student finds it in their homework list, answers and submits.
    login(student, "student", "student-demo")
    student.get_by_role("link", name="My homework").click()
    _shot(student, "student-list")
    student.get_by_role("link", name="Why bulbs go out").click()
    student.get_by_label("Your answer, in your own words").fill("The bulb stops because there is a gap.")
    student.get_by_role("button", name="Check my answer").click()
    student.wait_for_load_state()
    student.get_by_role("button", name="Submit homework").click()
    student.wait_for_load_state()
    assert "submitted, being reviewed" in student.locator(f"#item-{item.pk}").inner_text()
    _shot(student, "student-submitted")
    attempt = Attempt.objects.get(student__username="student", context=assignment.context)
    assert attempt.status == AttemptStatus.PENDING  # no grader in this test: the teacher grades it
    assert Submission.objects.get(assignment=assignment, student__username="student").status == "submitted"

    # The teacher finds it in the queue and overrides it with a comment, from the keyboard.
    teacher.get_by_role("link", name="Review").first.click()
    card = teacher.locator(f"#answer-{attempt.pk}")
    assert "The bulb stops because there is a gap." in card.inner_text()
    _shot(teacher, "review-queue")
    teacher.keyboard.press("o")
    card.locator(".override-label").select_option("partially_correct_incomplete")
    card.get_by_label("Comment to the student").fill("Say which path the gap breaks.")
    card.get_by_role("button", name="Override").click()
    teacher.wait_for_load_state()
    review = GradeReview.objects.get(attempt=attempt)
    assert review.reviewer.username == "teacher" and review.comment == "Say which path the gap breaks."
    attempt.refresh_from_db()
    assert attempt.grade_source == GradeSource.TEACHER and attempt.score == 0.5
    # Not released yet: the open student page still says it is being reviewed.
    assert "being reviewed" in student.locator(f"#item-{item.pk}").inner_text()

    # The teacher releases; the student's open page shows the grade and comment, no reload.
    teacher.goto(f"/teach/homework/{assignment.pk}/")
    teacher.get_by_role("button", name="Release grades now").click()
    teacher.wait_for_load_state()
    _shot(teacher, "assignment-released")
    comment = student.locator(f"#item-{item.pk} .teacher-comment")
    comment.wait_for(state="visible")
    assert comment.inner_text() == "Teacher: “Say which path the gap breaks.”"
    assert "Partial" in student.locator(f"#item-{item.pk} .hw-grade").inner_text()
    assert student.evaluate("performance.getEntriesByType('navigation').length") == 1
    _shot(student, "student-released")

    teacher.goto(f"/teach/classrooms/{assignment.classroom_id}/gradebook/")
    assert "50%" in teacher.locator("#gradebook").inner_text()
    _shot(teacher, "gradebook")

    teacher_context.close()
    student_context.close()
    assert not problems, problems
