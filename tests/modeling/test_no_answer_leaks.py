"""A student never sees a reference answer of an item that can come back: not in the
feedback stored for them, not on their feedback page, not in the grade pushed to it. The
teacher keeps the closest reference."""

from __future__ import annotations

import json
import re

import pytest

from modeling.grader.feedback import content_terms, student_hints
from modeling.tasks import grade_attempt
from students import services as student_services
from students.models import Attempt
from tests.factories import pending_free_text_answer

pytestmark = pytest.mark.django_db

QUESTION = "How did you separate the salt from the water in the mock rock?"
REFERENCES = (
    "Evaporation deposits the dissolved crystals in a shallow dish.",
    "The water evaporates and crystals remain at the bottom.",
)
ANSWERS = [
    "I do not know",
    "we let it sit in the sun",
    "the water evaporates",
    "Evaporation deposits the dissolved crystals in a shallow dish.",
    "crystals evaporation dish dissolved shallow",
]


def _stems(text: str) -> set[str]:
    return {key for _, key in content_terms(text)}


def _reference_only(answer: str) -> set[str]:
    """The references' key words (stems) that neither the question nor the answer uses:
    what must never reach the student."""
    return set().union(*(_stems(r) for r in REFERENCES)) - _stems(QUESTION) - _stems(answer)


def _answer(student, text):
    return pending_free_text_answer(student, text=text, prompt=QUESTION, references=tuple(REFERENCES))


def _student_text(feedback: dict) -> str:
    """Every string the student's side of a feedback holds."""
    return json.dumps({k: v for k, v in feedback.items() if k != "for_teacher"})


@pytest.mark.parametrize("text", ANSWERS[:3])
def test_the_feedback_of_an_open_item_holds_no_reference_for_the_student(
    active_tiny, student, client, text, monkeypatch
):
    # given a student's answer, graded while the page listens for the push
    pushed: list[dict] = []
    monkeypatch.setattr(student_services.events, "event_send", lambda user_id, event: pushed.append(event))
    attempt = _answer(student, text)
    grade_attempt.apply(args=[attempt.pk]).get()
    attempt.refresh_from_db()
    client.force_login(student)

    # when the student reads the stored feedback, the page, and the pushed grade
    stored = _student_text(attempt.feedback)
    page = client.get(f"/learn/courses/{attempt.exercise.course.slug}/practice/answers/{attempt.pk}/")
    html = page.content.decode()
    event = json.dumps([e for e in pushed if e.get("attempt") == attempt.pk])

    # then no reference sentence, nor a key word only a reference has, is in any of them
    assert page.status_code == 200 and pushed
    for seen in (stored, html, event):
        for reference in REFERENCES:
            assert reference not in seen
            assert reference.lower().rstrip(".") not in seen.lower()
        leaked = _stems(re.sub(r"<[^>]+>", " ", seen)) & _reference_only(text)
        assert not leaked, leaked
    assert "for_teacher" not in event and "closest_reference" not in event
    # and the teacher keeps the closest reference
    assert attempt.feedback["for_teacher"]["closest_reference"] in REFERENCES


def test_a_grade_stored_before_the_teachers_part_was_set_apart_shows_no_reference(
    student, client, monkeypatch
):
    # given a grade stored the old way, with the closest reference beside the message
    pushed: list[dict] = []
    monkeypatch.setattr(student_services.events, "event_send", lambda user_id, event: pushed.append(event))
    attempt = _answer(student, "the water evaporates")
    student_services.attempt_grade(
        attempt.pk,
        score=0.5,
        label="partially_correct_incomplete",
        confidence=0.6,
        feedback={
            "message": "Part of the idea is there.",
            "closest_reference": REFERENCES[0],
            "missing_terms": ["dissolved", "crystals"],
        },
    )
    client.force_login(student)

    html = client.get(
        f"/learn/courses/{attempt.exercise.course.slug}/practice/answers/{attempt.pk}/"
    ).content.decode()

    assert "Part of the idea is there." in html
    assert REFERENCES[0] not in html and "crystals" not in html
    assert REFERENCES[0] not in json.dumps(pushed) and "crystals" not in json.dumps(pushed)
    assert Attempt.objects.get(pk=attempt.pk).feedback["closest_reference"] == REFERENCES[0]  # kept as stored


@pytest.mark.parametrize(
    "label", ["correct", "partially_correct_incomplete", "contradictory", "irrelevant", "non_domain"]
)
@pytest.mark.parametrize("answer", ANSWERS)
def test_hints_quote_only_the_questions_words(label, answer):
    checks = ("keyword_list",) if answer == ANSWERS[-1] else ()
    hints = " ".join(student_hints(answer, REFERENCES[0], QUESTION, label, checks))

    assert not _stems(hints) & _reference_only(answer)
    assert REFERENCES[0] not in hints


def test_a_partly_right_answer_is_told_what_of_the_question_it_leaves_out():
    hints = student_hints(
        "it evaporates", "The water evaporates, leaving the salt.", QUESTION, "partially_correct_incomplete"
    )

    assert "Your answer does not say anything about “salt” and “water” from the question." in hints
    assert any(hint.startswith("Your answer leaves out 1 of the 2 key ideas") for hint in hints)
