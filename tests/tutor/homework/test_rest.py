"""Homework over REST: scoped to the caller's classrooms, forged ids 404, in the schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from django.utils import timezone
from rest_framework.test import APIClient

from students.models import Attempt, GradeReview
from tests.factories import TeacherFactory
from tests.tutor.homework.conftest import model_graded
from tutor.homework.models import Assignment, ReviewLock

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _new(world, **change) -> dict:
    now = timezone.now()
    return {
        "classroom": world.room.pk,
        "title": "Over REST",
        "exercises": [world.free_text.pk],
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "due_at": (now + timedelta(days=2)).isoformat(),
        **change,
    }


def test_a_teacher_lists_and_sets_homework_of_their_classrooms_only(world):
    teacher, other = _api(world.teacher), _api(world.other_teacher)

    created = teacher.post("/api/homework/assignments/", _new(world), format="json")
    foreign = other.post("/api/homework/assignments/", _new(world), format="json")

    assert created.status_code == 201 and created.json()["exercises"] == [world.free_text.pk]
    assert foreign.status_code == 404
    assert {a["title"] for a in teacher.get("/api/homework/assignments/").json()} == {"Circuits", "Over REST"}
    assert other.get("/api/homework/assignments/").json() == []


def test_bad_homework_over_rest_is_a_400_naming_the_problem(world):
    response = _api(world.teacher).post(
        "/api/homework/assignments/", _new(world, exercises=[], concept=None), format="json"
    )

    assert response.status_code == 400 and "Choose exercises" in response.json()["detail"]
    assert Assignment.objects.count() == 1


def test_students_cannot_use_the_teachers_endpoints(world):
    student = _api(world.students[0])

    assert student.get("/api/homework/assignments/").status_code == 403
    assert student.get("/api/homework/review/").status_code == 403
    assert student.get(f"/api/homework/classrooms/{world.room.pk}/gradebook/").status_code == 403


def test_a_student_lists_answers_and_submits_their_homework(world):
    api = _api(world.students[0])

    listed = api.get("/api/homework/mine/").json()
    detail = api.get(f"/api/homework/mine/{world.assignment.pk}/").json()
    answer = api.post(
        f"/api/homework/mine/{world.assignment.pk}/answer/",
        {"exercise": world.free_text.pk, "text": "The gap breaks it."},
        format="json",
    )
    submit = api.post(f"/api/homework/mine/{world.assignment.pk}/submit/")

    assert [h["title"] for h in listed] == ["Circuits"]
    assert detail["current"]["id"] == world.free_text.pk and "reference" not in str(detail).lower()
    assert answer.status_code == 200 and answer.json()["score"] is None
    assert submit.status_code == 200 and submit.json()["status"] == "submitted"
    again = api.post(
        f"/api/homework/mine/{world.assignment.pk}/answer/",
        {"exercise": world.choice.pk, "choices": []},
        format="json",
    )
    assert again.status_code == 400 and "submitted" in again.json()["detail"]
    assert Attempt.objects.count() == 1


def test_a_student_cannot_see_or_answer_another_classrooms_homework(world):
    api = _api(world.outsider)

    assert api.get("/api/homework/mine/").json() == []
    assert api.get(f"/api/homework/mine/{world.assignment.pk}/").status_code == 404
    answer = api.post(
        f"/api/homework/mine/{world.assignment.pk}/answer/",
        {"exercise": world.free_text.pk, "text": "x"},
        format="json",
    )
    assert answer.status_code == 404 and answer.json()["detail"]
    assert api.post(f"/api/homework/mine/{world.assignment.pk}/submit/").status_code == 404
    assert not Attempt.objects.exists()


def test_a_student_never_sees_another_students_grades(world):
    model_graded(world.students[0], world.free_text, context=world.assignment.context)
    Assignment.objects.filter(pk=world.assignment.pk).update(released_at=timezone.now())

    mine = _api(world.students[0]).get(f"/api/homework/mine/{world.assignment.pk}/").json()
    theirs = _api(world.students[1]).get(f"/api/homework/mine/{world.assignment.pk}/").json()

    assert mine["items"][0]["grade"]["verdict"] == "correct"
    assert all(item["grade"] is None for item in theirs["items"])


def test_a_closed_homework_refuses_answers_over_rest(world):
    Assignment.objects.filter(pk=world.assignment.pk).update(
        due_at=timezone.now() - timedelta(hours=2), closes_at=timezone.now() - timedelta(hours=1)
    )

    response = _api(world.students[0]).post(
        f"/api/homework/mine/{world.assignment.pk}/answer/",
        {"exercise": world.free_text.pk, "text": "x"},
        format="json",
    )

    assert response.status_code == 400 and "closed" in response.json()["detail"]
    assert not Attempt.objects.exists()


def test_forged_ids_answer_404_over_rest(world):
    teacher, student = _api(world.teacher), _api(world.students[0])

    assert teacher.post("/api/homework/assignments/999999/release/").status_code == 404
    assert teacher.post("/api/homework/review/999999/", {"accept": True}, format="json").status_code == 404
    assert teacher.post("/api/homework/review/999999/lock/").status_code == 404
    assert teacher.get("/api/homework/classrooms/999999/gradebook/").status_code == 404
    assert student.get("/api/homework/mine/999999/").status_code == 404
    assert (
        student.post(
            f"/api/homework/mine/{world.assignment.pk}/answer/",
            {"exercise": 999999, "text": "x"},
            format="json",
        ).status_code
        == 404
    )


def test_the_review_queue_and_actions_are_scoped_to_the_teacher(world):
    mine = model_graded(world.students[0], world.free_text, context=world.assignment.context, confidence=0.3)
    theirs = model_graded(world.outsider, world.free_text, context="practice:1", confidence=0.2)
    teacher, other = _api(world.teacher), _api(world.other_teacher)

    queue = teacher.get("/api/homework/review/").json()
    other_queue = other.get(f"/api/homework/review/?homework={world.assignment.pk}").json()
    grade_theirs = teacher.post(f"/api/homework/review/{theirs.pk}/", {"label": "correct"}, format="json")
    other_grades_mine = other.post(f"/api/homework/review/{mine.pk}/", {"label": "correct"}, format="json")
    override = teacher.post(
        f"/api/homework/review/{mine.pk}/", {"label": "irrelevant", "comment": "Off topic."}, format="json"
    )

    assert [r["attempt"] for r in queue["results"]] == [mine.pk] and queue["count"] == 1
    assert queue["results"][0]["reference_answers"] == ["The gap breaks the only path."]
    assert other_queue == {"count": 0, "results": []}
    assert grade_theirs.status_code == 404 and other_grades_mine.status_code == 404
    assert override.status_code == 200 and override.json()["model_label"] == "correct"
    assert GradeReview.objects.get().comment == "Off topic."


def test_a_locked_answer_answers_409_to_another_teacher(world):
    co = TeacherFactory()
    world.room.co_teachers.add(co)
    attempt = model_graded(world.students[0], world.free_text, context="practice:1")

    first = _api(world.teacher).post(f"/api/homework/review/{attempt.pk}/lock/")
    second = _api(co).post(f"/api/homework/review/{attempt.pk}/lock/")
    graded = _api(co).post(f"/api/homework/review/{attempt.pk}/", {"accept": True}, format="json")

    assert first.status_code == 200 and second.status_code == 409 and graded.status_code == 409
    assert ReviewLock.objects.get().teacher == world.teacher and not GradeReview.objects.exists()


def test_bulk_accept_over_rest_previews_then_accepts(world):
    model_graded(world.students[0], world.free_text, context="practice:1", confidence=0.97)
    api = _api(world.teacher)

    preview = api.post(
        "/api/homework/review/bulk-accept/", {"min_confidence": 0.9, "preview": True}, format="json"
    )
    done = api.post("/api/homework/review/bulk-accept/", {"min_confidence": 0.9}, format="json")

    assert preview.json() == {"count": 1, "preview": True} and done.json() == {"count": 1, "preview": False}
    assert GradeReview.objects.filter(accepted=True).count() == 1


def test_the_gradebook_over_rest(world):
    model_graded(world.students[0], world.free_text, context=world.assignment.context, score=1.0)

    book = _api(world.teacher).get(f"/api/homework/classrooms/{world.room.pk}/gradebook/").json()
    other = _api(world.other_teacher).get(f"/api/homework/classrooms/{world.room.pk}/gradebook/")

    row = next(r for r in book["rows"] if r["student"] == world.students[0].pk)
    assert row["cells"][0]["score"] == 0.5 and other.status_code == 404


def test_every_homework_endpoint_is_in_the_schema(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    paths = {p for p in schema["paths"] if p.startswith("/api/homework/")}
    assert paths == {
        "/api/homework/assignments/",
        "/api/homework/assignments/{id}/release/",
        "/api/homework/mine/",
        "/api/homework/mine/{id}/",
        "/api/homework/mine/{id}/answer/",
        "/api/homework/mine/{id}/submit/",
        "/api/homework/review/",
        "/api/homework/review/bulk-accept/",
        "/api/homework/review/{attempt_id}/",
        "/api/homework/review/{attempt_id}/lock/",
        "/api/homework/classrooms/{id}/gradebook/",
    }
