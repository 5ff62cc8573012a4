"""The homework pages: who may open what (teacher vs another teacher, student vs another
student, forged ids), what they show, and the CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from students.models import Attempt, GradeReview
from tests.factories import StudentFactory
from tests.tutor.homework.conftest import model_graded
from tutor.homework import services
from tutor.homework.models import Assignment, Submission

pytestmark = pytest.mark.django_db


def _teacher_gets(world, attempt_id: int, missing: int = 999999) -> list[str]:
    """Every teacher page and export that names an object of the classroom."""
    a, room = world.assignment.pk, world.room.pk
    return [
        f"/teach/homework/{a}/",
        f"/teach/classrooms/{room}/gradebook/",
        f"/teach/classrooms/{room}/gradebook.csv",
        f"/teach/classrooms/{room}/attempts.csv",
    ]


def test_the_teacher_opens_every_homework_page(client, world):
    attempt = model_graded(
        world.students[0], world.free_text, context=world.assignment.context, confidence=0.3
    )
    client.force_login(world.teacher)

    for url in [
        "/teach/",
        "/teach/homework/",
        "/teach/homework/new/",
        f"/teach/homework/new/?classroom={world.room.pk}",
        "/teach/review/",
        *_teacher_gets(world, attempt.pk),
    ]:
        assert client.get(url).status_code == 200, url


def test_another_teacher_gets_404_on_every_page_of_the_classroom(client, world):
    attempt = model_graded(world.students[0], world.free_text, context=world.assignment.context)
    client.force_login(world.other_teacher)

    for url in _teacher_gets(world, attempt.pk) + [f"/teach/homework/new/?classroom={world.room.pk}"]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/teach/homework/{world.assignment.pk}/release/").status_code == 404
    assert client.post(f"/teach/review/{attempt.pk}/", {"action": "accept"}).status_code == 404
    assert client.post(f"/teach/review/{attempt.pk}/lock/").status_code == 404
    assert "Because the gap" not in client.get("/teach/review/").content.decode()
    assert not GradeReview.objects.exists()
    world.assignment.refresh_from_db()
    assert world.assignment.released_at is None


def test_forged_ids_answer_404(client, world):
    client.force_login(world.teacher)
    for url in [
        "/teach/homework/999999/",
        "/teach/classrooms/999999/gradebook/",
        "/teach/classrooms/999999/attempts.csv",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post("/teach/review/999999/", {"action": "accept"}).status_code == 404
    client.force_login(world.students[0])
    assert client.get("/learn/homework/999999/").status_code == 404
    assert (
        client.post(
            "/learn/homework/999999/answer/", {"exercise": world.free_text.pk, "text": "x"}
        ).status_code
        == 404
    )


def test_students_may_not_open_teacher_pages(client, world):
    client.force_login(world.students[0])

    assert client.get("/teach/review/").status_code == 403
    assert client.get(f"/teach/classrooms/{world.room.pk}/gradebook/").status_code == 403


def test_a_student_of_another_classroom_gets_404_and_writes_nothing(client, world):
    client.force_login(world.outsider)

    assert client.get(f"/learn/homework/{world.assignment.pk}/").status_code == 404
    answer = client.post(
        f"/learn/homework/{world.assignment.pk}/answer/", {"exercise": world.free_text.pk, "text": "Mine."}
    )
    submit = client.post(f"/learn/homework/{world.assignment.pk}/submit/")
    assert answer.status_code == 404 and submit.status_code == 404
    assert "Circuits" not in client.get("/learn/homework/").content.decode()
    assert not Attempt.objects.exists() and not Submission.objects.exists()


def test_a_student_answers_and_submits_from_the_homework_page(client, world):
    student = world.students[0]
    client.force_login(student)

    page = client.get(f"/learn/homework/{world.assignment.pk}/").content.decode()
    client.post(
        f"/learn/homework/{world.assignment.pk}/answer/", {"exercise": world.free_text.pk, "text": "The gap."}
    )
    client.post(f"/learn/homework/{world.assignment.pk}/submit/")
    after = client.get(f"/learn/homework/{world.assignment.pk}/").content.decode()

    assert 'name="text"' in page and "Why no light" in page
    assert Attempt.objects.get().context == world.assignment.context
    assert "being reviewed" in after and "Submit homework" not in after
    assert "gap breaks the only path" not in page + after  # never the reference answer


def test_a_closed_homework_page_refuses_answers_with_a_clear_message(client, world):
    Assignment.objects.filter(pk=world.assignment.pk).update(
        due_at=timezone.now() - timedelta(hours=2), closes_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(world.students[0])

    response = client.post(
        f"/learn/homework/{world.assignment.pk}/answer/",
        {"exercise": world.free_text.pk, "text": "Late."},
        follow=True,
    )

    assert "closed" in response.content.decode()
    assert not Attempt.objects.exists()


def test_until_released_the_student_never_sees_the_models_grade(client, world):
    student = world.students[0]
    model_graded(student, world.free_text, context=world.assignment.context, label="contradictory", score=0.0)
    services.homework_submit(student, world.assignment.pk)
    client.force_login(student)

    html = client.get(f"/learn/homework/{world.assignment.pk}/").content.decode()

    assert "submitted, being reviewed" in html
    assert "Contradictory" not in html and "verdict-" not in html


def test_the_review_queue_page_shows_what_the_teacher_needs(client, world):
    attempt = model_graded(
        world.students[0], world.free_text, context=world.assignment.context, confidence=0.37, version="v7"
    )
    attempt.feedback = {
        "message": "Part of the idea is there.",
        "for_teacher": {"closest_reference": "The gap breaks it.", "missing_terms": ["only path"]},
    }
    attempt.save()
    client.force_login(world.teacher)

    html = client.get("/teach/review/").content.decode()

    for text in [
        "Why no light",
        "The gap breaks the only path.",
        "Because the gap breaks the path.",
        "0.37",
        "v7",
        "Correct",
        "Part of the idea is there.",
        "only path",
    ]:
        assert text in html, text
    assert 'src="/static/js/review.js"' in html


def test_the_teacher_overrides_from_the_page_with_a_comment(client, world):
    attempt = model_graded(world.students[0], world.free_text, context=world.assignment.context)
    client.force_login(world.teacher)

    response = client.post(
        f"/teach/review/{attempt.pk}/",
        {"action": "override", "label": "contradictory", "comment": "Check the gap.", "query": "reviewed=no"},
    )

    assert response.status_code == 302 and response["Location"] == "/teach/review/?reviewed=no"
    review = GradeReview.objects.get()
    assert review.label == "contradictory" and review.comment == "Check the gap."


def test_an_override_without_a_grade_is_refused(client, world):
    attempt = model_graded(world.students[0], world.free_text, context=world.assignment.context)
    client.force_login(world.teacher)

    response = client.post(f"/teach/review/{attempt.pk}/", {"action": "override"}, follow=True)

    assert "give a label or a score" in response.content.decode()
    assert not GradeReview.objects.exists()


def test_bulk_accept_previews_then_accepts(client, world):
    model_graded(world.students[0], world.free_text, context="practice:1", confidence=0.95)
    model_graded(world.students[1], world.free_text, context="practice:2", confidence=0.4)
    client.force_login(world.teacher)

    preview = client.get("/teach/review/?min_confidence=0.9").content.decode()
    client.post("/teach/review/bulk-accept/", {"min_confidence": "0.9"})

    assert "<strong>1</strong> unreviewed answer would be accepted" in preview
    assert GradeReview.objects.filter(accepted=True).count() == 1


def test_the_gradebook_and_its_csv_exports(client, world):
    student = world.students[0]
    services.homework_answer(
        student, world.assignment.pk, world.choice.pk, choices=[world.choice.choices.get(is_correct=True).pk]
    )
    model_graded(
        student,
        world.free_text,
        context=world.assignment.context,
        score=0.5,
        label="partially_correct_incomplete",
    )
    services.homework_submit(student, world.assignment.pk)
    client.force_login(world.teacher)

    html = client.get(f"/teach/classrooms/{world.room.pk}/gradebook/").content.decode()
    book = list(
        csv.reader(
            io.StringIO(client.get(f"/teach/classrooms/{world.room.pk}/gradebook.csv").content.decode())
        )
    )
    attempts = list(
        csv.DictReader(
            io.StringIO(client.get(f"/teach/classrooms/{world.room.pk}/attempts.csv").content.decode())
        )
    )

    assert "75%" in html and "Circuits" in html
    assert book[0] == ["student", "name", "Circuits score", "Circuits status"]
    assert [student.username, student.username, "0.75", "submitted"] in book
    assert {a["where"] for a in attempts} == {"Circuits"} and len(attempts) == 2
    assert any(
        a["answer"] == "Because the gap breaks the path." and a["label"] == "partially_correct_incomplete"
        for a in attempts
    )


def test_the_teachers_home_says_what_waits(client, world):
    model_graded(world.students[0], world.free_text, context=world.assignment.context)
    client.force_login(world.teacher)

    html = client.get("/teach/").content.decode()

    assert "answer to review" in html and "homework due soon" in html and "stuck" in html
    assert "Circuits" in html  # due in six days
    assert '<span class="wait-figure">1</span>' in html


def test_pages_carry_no_inline_script_or_style(client, world):
    model_graded(world.students[0], world.free_text, context=world.assignment.context)
    client.force_login(world.teacher)
    pages = [
        client.get(u).content.decode()
        for u in [
            "/teach/",
            "/teach/review/",
            f"/teach/classrooms/{world.room.pk}/gradebook/",
            f"/teach/homework/new/?classroom={world.room.pk}",
            f"/teach/homework/{world.assignment.pk}/",
        ]
    ]
    client.force_login(world.students[1])
    pages += [
        client.get(u).content.decode()
        for u in ["/learn/homework/", f"/learn/homework/{world.assignment.pk}/"]
    ]

    for html in pages:
        assert "<script>" not in html and " style=" not in html and "onclick=" not in html


def test_a_student_sees_their_homework_list_with_status_and_due_date(client, world):
    client.force_login(world.students[0])
    other = StudentFactory()
    world.room.students.add(other)

    html = client.get("/learn/homework/").content.decode()

    assert "Circuits" in html and "To do" in html and world.assignment.due_at.strftime("%b") in html
