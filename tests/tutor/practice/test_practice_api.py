"""The practice loop through the REST API."""

from __future__ import annotations

import pytest

from content.models import ExerciseKind
from tests.factories import (
    ChoiceFactory,
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    HintFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory(slug="elec")
    concept = ConceptFactory(course=course)
    for i in range(4):
        mc = ExerciseFactory(
            course=course, slug=f"mc-{i}", kind=ExerciseKind.MULTIPLE_CHOICE, concepts=[concept]
        )
        ChoiceFactory(exercise=mc, text="right", is_correct=True)
        ChoiceFactory(exercise=mc, text="wrong")
        HintFactory(exercise=mc, text="Look for a closed path.")
    return course


def test_a_student_practises_through_the_api(student_client, course):
    session = student_client.post(
        "/api/practice/sessions/", {"course": "elec"}, content_type="application/json"
    )
    assert session.status_code == 201
    sid = session.json()["id"]

    item = student_client.get(f"/api/practice/sessions/{sid}/next/").json()
    exercise = item["exercise"]
    assert item["decision"]["rule"] and item["decision"]["message"]
    assert set(exercise["options"][0]) == {"id", "text"}

    hint = student_client.post(
        f"/api/practice/sessions/{sid}/hint/", {"exercise": exercise["id"]}, content_type="application/json"
    ).json()
    assert hint == {"text": "Look for a closed path.", "number": 1, "total": 1}

    right = next(o["id"] for o in exercise["options"] if o["text"] == "right")
    answer = student_client.post(
        f"/api/practice/sessions/{sid}/answer/",
        {"exercise": exercise["id"], "choices": [right], "elapsed": 12.5},
        content_type="application/json",
    ).json()
    assert answer["correct"] is True and answer["score"] == 1.0
    assert answer["changes"][0]["after"] > answer["changes"][0]["before"]
    assert (
        student_client.get(f"/api/practice/sessions/{sid}/next/").json()["exercise"]["id"] != exercise["id"]
    )


def test_a_bad_answer_gets_a_400_that_names_the_problem(student_client, course):
    sid = student_client.post(
        "/api/practice/sessions/", {"course": "elec"}, content_type="application/json"
    ).json()["id"]
    student_client.get(f"/api/practice/sessions/{sid}/next/")

    response = student_client.post(
        f"/api/practice/sessions/{sid}/answer/",
        {"exercise": 424242, "choices": [1]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "424242 is not the exercise on screen" in response.json()["detail"]


def test_another_students_session_is_404(client, student_client, course):
    sid = student_client.post(
        "/api/practice/sessions/", {"course": "elec"}, content_type="application/json"
    ).json()["id"]
    client.force_login(StudentFactory())

    assert client.get(f"/api/practice/sessions/{sid}/next/").status_code == 404


def test_teachers_may_not_practise(teacher_client, course):
    response = teacher_client.post(
        "/api/practice/sessions/", {"course": "elec"}, content_type="application/json"
    )

    assert response.status_code == 403
