"""Homework as the services run it: setting it, answering, submitting, reviewing, releasing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import ExerciseKind
from students import selectors as student_selectors
from students import services as student_services
from students.models import Attempt, AttemptStatus, GradeReview, GradeSource, KnowledgeState
from tests.factories import ExerciseFactory, StudentFactory, TeacherFactory
from tests.tutor.homework.conftest import model_graded
from tutor.homework import selectors, services
from tutor.homework.models import Assignment, ReviewLock, Submission

pytestmark = pytest.mark.django_db


def _dates():
    now = timezone.now()
    return {"opens_at": now - timedelta(hours=1), "due_at": now + timedelta(days=3)}


# --- setting homework ----------------------------------------------------------------------------
def test_a_teacher_sets_homework_by_hand_by_concept_and_to_mastery(world):
    by_hand = services.assignment_create(
        world.teacher, classroom_id=world.room.pk, title="By hand", exercise_ids=[world.choice.pk], **_dates()
    )
    by_concept = services.assignment_create(
        world.teacher, classroom_id=world.room.pk, title="By concept", concept_id=world.concept.pk, **_dates()
    )
    mastery = services.assignment_create(
        world.teacher,
        classroom_id=world.room.pk,
        title="Master it",
        mode="mastery",
        concept_id=world.concept.pk,
        release_rule="at_once",
        **_dates(),
    )

    assert [i.exercise_id for i in by_hand.items.all()] == [world.choice.pk]
    assert {i.exercise_id for i in by_concept.items.all()} == {world.free_text.pk, world.choice.pk}
    assert mastery.mode == "mastery" and mastery.items.count() == 2


def test_a_teacher_cannot_set_homework_for_another_teachers_classroom(world):
    with pytest.raises(services.HomeworkNotFound):
        services.assignment_create(
            world.other_teacher,
            classroom_id=world.room.pk,
            title="X",
            exercise_ids=[world.choice.pk],
            **_dates(),
        )
    assert Assignment.objects.count() == 1


def test_a_co_teacher_sets_homework_for_the_classroom(world):
    co = TeacherFactory()
    world.room.co_teachers.add(co)

    assignment = services.assignment_create(
        co, classroom_id=world.room.pk, title="Co", exercise_ids=[world.choice.pk], **_dates()
    )

    assert assignment.classroom_id == world.room.pk


@pytest.mark.parametrize(
    "change, message",
    [
        ({"due_at": timezone.now() - timedelta(days=2)}, "before the opening"),
        ({"exercise_ids": [999999]}, "Not a published exercise"),
        ({"exercise_ids": [], "concept_id": None}, "Choose exercises"),
        ({"release_rule": "on_date"}, "date on which the grades are released"),
        ({"title": " "}, "title"),
    ],
)
def test_bad_homework_is_refused_with_a_clear_error_and_nothing_written(world, change, message):
    kwargs = {"title": "T", "exercise_ids": [world.choice.pk], **_dates(), **change}

    with pytest.raises(services.HomeworkError, match=message):
        services.assignment_create(world.teacher, classroom_id=world.room.pk, **kwargs)
    assert Assignment.objects.count() == 1


def test_an_exercise_of_another_course_cannot_be_assigned(world):
    stranger = ExerciseFactory(kind=ExerciseKind.FREE_TEXT)

    with pytest.raises(services.HomeworkError, match="Not a published exercise"):
        services.assignment_create(
            world.teacher, classroom_id=world.room.pk, title="T", exercise_ids=[stranger.pk], **_dates()
        )


# --- answering and submitting -------------------------------------------------------------------
def test_a_free_text_answer_is_stored_with_the_homework_context_and_queued_after_commit(
    world, queued, django_capture_on_commit_callbacks
):
    student = world.students[0]

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.homework_answer(student, world.assignment.pk, world.free_text.pk, text="The gap.")

    attempt = Attempt.objects.get(pk=outcome.attempt_id)
    assert attempt.context == f"homework:{world.assignment.pk}" and attempt.status == AttemptStatus.PENDING
    assert queued == [attempt.pk]
    assert Submission.objects.get(student=student).status == "in_progress"


def test_a_homework_answer_updates_the_student_model_like_practice(world):
    student = world.students[0]
    option = world.choice.choices.get(is_correct=True)

    outcome = services.homework_answer(student, world.assignment.pk, world.choice.pk, choices=[option.pk])

    assert KnowledgeState.objects.get(student=student, concept=world.concept).n_attempts == 1
    # after review: the student is not told the grade yet
    assert outcome.score is None and outcome.correct is None and not outcome.grade_visible


def test_a_student_cannot_answer_a_homework_of_a_classroom_they_are_not_in(world):
    with pytest.raises(services.HomeworkNotFound):
        services.homework_answer(world.outsider, world.assignment.pk, world.free_text.pk, text="Mine.")
    assert not Attempt.objects.exists()


def test_an_exercise_outside_the_homework_is_not_found(world):
    stray = ExerciseFactory(course=world.course, kind=ExerciseKind.FREE_TEXT)

    with pytest.raises(services.HomeworkNotFound):
        services.homework_answer(world.students[0], world.assignment.pk, stray.pk, text="Hm.")
    assert not Attempt.objects.exists()


def test_a_closed_homework_refuses_answers_and_writes_nothing(world):
    Assignment.objects.filter(pk=world.assignment.pk).update(
        due_at=timezone.now() - timedelta(hours=2), closes_at=timezone.now() - timedelta(hours=1)
    )

    with pytest.raises(services.HomeworkError, match="closed"):
        services.homework_answer(world.students[0], world.assignment.pk, world.free_text.pk, text="Late!")
    with pytest.raises(services.HomeworkError, match="closed"):
        services.homework_submit(world.students[0], world.assignment.pk)
    assert not Attempt.objects.exists() and not Submission.objects.exists()


def test_a_submitted_homework_refuses_more_answers(world):
    student = world.students[0]
    services.homework_submit(student, world.assignment.pk)

    with pytest.raises(services.HomeworkError, match="submitted"):
        services.homework_answer(student, world.assignment.pk, world.free_text.pk, text="More.")
    assert not Attempt.objects.exists()


def test_an_item_is_answered_once(world):
    student = world.students[0]
    services.homework_answer(student, world.assignment.pk, world.free_text.pk, text="Once.")

    with pytest.raises(services.HomeworkError, match="already"):
        services.homework_answer(student, world.assignment.pk, world.free_text.pk, text="Twice.")
    assert Attempt.objects.count() == 1


def test_a_homework_not_open_yet_refuses_answers(world):
    Assignment.objects.filter(pk=world.assignment.pk).update(opens_at=timezone.now() + timedelta(days=1))

    with pytest.raises(services.HomeworkError, match="opens on"):
        services.homework_answer(world.students[0], world.assignment.pk, world.free_text.pk, text="Early.")


def test_a_late_submission_is_marked_late(world):
    Assignment.objects.filter(pk=world.assignment.pk).update(
        opens_at=timezone.now() - timedelta(days=3), due_at=timezone.now() - timedelta(days=1)
    )

    outcome = services.homework_answer(
        world.students[0], world.assignment.pk, world.free_text.pk, text="Late."
    )
    submission = services.homework_submit(world.students[0], world.assignment.pk)

    assert outcome.late and submission.late
    assert selectors.homework_for_student(world.students[0])[0].late


# --- review ---------------------------------------------------------------------------------------
def test_a_teachers_override_is_kept_as_a_review_and_outranks_a_regrade(world):
    attempt = model_graded(
        world.students[0], world.free_text, context=world.assignment.context, confidence=0.4
    )

    services.review_submit(world.teacher, attempt.pk, label="contradictory", comment="Look at the gap again.")
    regraded = student_services.attempt_grade(attempt.pk, score=1.0, label="correct", regrade=True)

    review = GradeReview.objects.get(attempt=attempt)
    assert (review.model_label, review.model_score, review.model_confidence, review.model_version) == (
        "correct",
        1.0,
        0.4,
        "v1",
    )
    assert (review.label, review.score, review.accepted, review.reviewer) == (
        "contradictory",
        0.0,
        False,
        world.teacher,
    )
    assert regraded is None
    attempt.refresh_from_db()
    assert (
        attempt.grade_source == GradeSource.TEACHER
        and attempt.label == "contradictory"
        and attempt.score == 0.0
    )


def test_accepting_keeps_the_models_grade_as_the_teachers(world):
    attempt = model_graded(
        world.students[0],
        world.free_text,
        context="practice:1",
        label="partially_correct_incomplete",
        score=0.5,
    )

    services.review_submit(world.teacher, attempt.pk, accept=True)

    review = GradeReview.objects.get(attempt=attempt)
    assert review.accepted and review.label == "partially_correct_incomplete" and review.score == 0.5
    attempt.refresh_from_db()
    assert attempt.grade_source == GradeSource.TEACHER


def test_a_teacher_cannot_review_an_answer_of_another_teachers_classroom(world):
    attempt = model_graded(world.outsider, world.free_text, context="practice:1")

    with pytest.raises(services.HomeworkNotFound):
        services.review_submit(world.teacher, attempt.pk, accept=True)
    assert not GradeReview.objects.exists()


def test_two_teachers_cannot_grade_one_answer_at_once_until_the_lock_expires(world, settings):
    co = TeacherFactory()
    world.room.co_teachers.add(co)
    attempt = model_graded(world.students[0], world.free_text, context="practice:1")
    services.review_lock_take(world.teacher, attempt.pk)

    with pytest.raises(services.HomeworkError, match="is reviewing this answer"):
        services.review_submit(co, attempt.pk, label="irrelevant")
    assert not GradeReview.objects.exists()

    ReviewLock.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    services.review_submit(co, attempt.pk, label="irrelevant")
    assert GradeReview.objects.get().reviewer == co


def test_the_lock_length_is_a_setting(world, settings):
    settings.HOMEWORK_REVIEW_LOCK_SECONDS = 60
    attempt = model_graded(world.students[0], world.free_text, context="practice:1")

    lock = services.review_lock_take(world.teacher, attempt.pk)

    assert timedelta(seconds=55) < lock.expires_at - timezone.now() <= timedelta(seconds=60)


def test_a_pending_answer_can_be_graded_by_the_teacher_but_not_accepted(world):
    attempt, _ = student_services.attempt_record(
        student=world.students[0],
        exercise=world.free_text,
        context=world.assignment.context,
        response={"text": "Hmm."},
        score=None,
        is_correct=None,
        hints_used=0,
        worked_example_shown=False,
        response_seconds=None,
        reason={},
        predicted_correct=None,
    )

    with pytest.raises(services.HomeworkError, match="no grade of the model"):
        services.review_submit(world.teacher, attempt.pk, accept=True)
    services.review_submit(world.teacher, attempt.pk, score=0.25, comment="Say more.")

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED and attempt.score == 0.25
    assert KnowledgeState.objects.filter(student=world.students[0]).exists()


def test_bulk_accept_takes_the_unreviewed_grades_above_the_confidence(world):
    sure = model_graded(world.students[0], world.free_text, context="practice:1", confidence=0.95)
    unsure = model_graded(world.students[1], world.free_text, context="practice:2", confidence=0.5)
    reviewed = model_graded(world.students[1], world.free_text, context="practice:3", confidence=0.99)
    services.review_submit(world.teacher, reviewed.pk, label="irrelevant")

    preview = selectors.bulk_accept_ids(world.teacher, min_confidence=0.9)
    accepted = services.review_bulk_accept(world.teacher, min_confidence=0.9)

    assert preview == [sure.pk] and accepted == 1
    assert GradeReview.objects.filter(attempt=sure, accepted=True).exists()
    assert not GradeReview.objects.filter(attempt=unsure).exists()


def test_the_queue_puts_the_lowest_confidence_first_and_filters(world):
    high = model_graded(world.students[0], world.free_text, context=world.assignment.context, confidence=0.9)
    low = model_graded(
        world.students[1],
        world.free_text,
        context="practice:1",
        confidence=0.2,
        label="irrelevant",
        score=0.0,
    )
    model_graded(world.outsider, world.free_text, context="practice:9", confidence=0.1)

    everything = selectors.review_queue(world.teacher, selectors.ReviewFilters())
    homework = selectors.review_queue(
        world.teacher, selectors.ReviewFilters(assignment_id=world.assignment.pk)
    )
    irrelevant = selectors.review_queue(world.teacher, selectors.ReviewFilters(label="irrelevant"))
    foreign = selectors.review_queue(
        world.other_teacher, selectors.ReviewFilters(assignment_id=world.assignment.pk)
    )

    assert [r.attempt_id for r in everything.rows] == [low.pk, high.pk]
    assert everything.rows[0].reference_answers == ("The gap breaks the only path.",)
    assert [r.attempt_id for r in homework.rows] == [high.pk]
    assert [r.attempt_id for r in irrelevant.rows] == [low.pk]
    assert foreign.rows == [] and foreign.total == 0


def test_the_grader_agreement_is_counted_per_version(world):
    a = model_graded(world.students[0], world.free_text, context="practice:1", version="v1")
    b = model_graded(
        world.students[1],
        world.free_text,
        context="practice:2",
        version="v1",
        label="contradictory",
        score=0.0,
    )
    c = model_graded(
        world.students[1], world.free_text, context="practice:3", version="v2", label="irrelevant", score=0.0
    )
    services.review_submit(world.teacher, a.pk, accept=True)
    services.review_submit(world.teacher, b.pk, label="correct")
    # irrelevant and partially correct fold into one 3-way label: an agreement
    services.review_submit(world.teacher, c.pk, label="partially_correct_incomplete")

    agreement = {
        row.version: (row.n_reviews, row.n_agreed, row.share)
        for row in student_selectors.grader_agreement_by_version()
    }

    assert agreement == {"v1": (2, 1, 0.5), "v2": (1, 1, 1.0)}


# --- release ---------------------------------------------------------------------------------------
def test_grades_after_review_are_hidden_until_released_then_shown_with_the_comment(world):
    student = world.students[0]
    attempt = model_graded(student, world.free_text, context=world.assignment.context)
    services.review_submit(world.teacher, attempt.pk, label="contradictory", comment="Not the gap.")

    before = selectors.homework_detail(student, world.assignment)
    services.assignment_release(world.teacher, world.assignment.pk)
    world.assignment.refresh_from_db()
    after = selectors.homework_detail(student, world.assignment)

    assert not before.grades_released and before.items[0].answered and before.items[0].grade is None
    assert after.grades_released
    assert after.items[0].grade["comment"] == "Not the gap." and after.items[0].grade["verdict"] == "wrong"


def test_grades_on_a_date_show_from_that_date(world):
    Assignment.objects.filter(pk=world.assignment.pk).update(
        release_rule="on_date", release_at=timezone.now() + timedelta(days=1)
    )
    world.assignment.refresh_from_db()

    assert not selectors.grades_visible(world.assignment)
    assert selectors.grades_visible(world.assignment, timezone.now() + timedelta(days=2))


def test_the_release_is_pushed_to_the_students_pages(world, monkeypatch):
    sent = []
    monkeypatch.setattr(
        services.students_api, "event_send", lambda user_id, event: sent.append((user_id, event))
    )
    attempt = model_graded(world.students[0], world.free_text, context=world.assignment.context)

    services.assignment_release(world.teacher, world.assignment.pk)

    assert sent == [
        (
            world.students[0].pk,
            {
                "type": "homework.released",
                "assignment": world.assignment.pk,
                "title": "Circuits",
                "items": [
                    {
                        "exercise": world.free_text.pk,
                        "attempt": attempt.pk,
                        "status": "graded",
                        "verdict": "correct",
                        "score": 1.0,
                        "label": "Correct",
                        "comment": "",
                        "by_teacher": False,
                    }
                ],
            },
        )
    ]


def test_another_teacher_cannot_release(world):
    with pytest.raises(services.HomeworkNotFound):
        services.assignment_release(world.other_teacher, world.assignment.pk)


def test_a_student_never_receives_a_reference_answer_or_correct_option(world):
    student = world.students[0]
    Assignment.objects.filter(pk=world.assignment.pk).update(release_rule="at_once")
    world.assignment.refresh_from_db()
    services.homework_answer(student, world.assignment.pk, world.free_text.pk, text="The gap.")

    detail = selectors.homework_detail(student, world.assignment)

    assert detail.current.id == world.choice.pk
    assert not hasattr(detail.current.options[0], "is_correct")
    assert "gap breaks the only path" not in repr(detail)


def test_a_new_student_in_the_classroom_sees_the_homework(world):
    newcomer = StudentFactory()
    world.room.students.add(newcomer)

    assert [h.pk for h in selectors.homework_for_student(newcomer)] == [world.assignment.pk]


def test_the_exercises_of_open_homework_are_known_until_submitted_or_closed(world):
    student = world.students[0]

    services.homework_answer(student, world.assignment.pk, world.free_text.pk, text="Started.")
    services.homework_submit(world.students[1], world.assignment.pk)  # a classmate's submission
    before = selectors.open_homework_exercise_ids(student)
    services.homework_submit(student, world.assignment.pk)

    assert before == {world.free_text.pk, world.choice.pk}
    assert selectors.open_homework_exercise_ids(student) == set()
    assert selectors.open_homework_exercise_ids(world.outsider) == set()
