"""The teacher's dashboards: the heatmap, stuck students with why and what to do, one
student's page, item analysis."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from students.models import Attempt, KnowledgeHistory
from students.selectors import classroom_stuck_students, item_analysis, stuck_students, student_page
from tests.factories import (
    AttemptFactory,
    ClassroomFactory,
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    GradeReviewFactory,
    KnowledgeStateFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(teacher):
    course = CourseFactory()
    room = ClassroomFactory(teacher=teacher, name="9B")
    room.courses.add(course)
    return room


def _course(room):
    return room.courses.get()


def _student(room, **names):
    student = StudentFactory(**names)
    room.students.add(student)
    return student


def _recently_active(student, course):
    AttemptFactory(student=student, exercise=ExerciseFactory(course=course))


# --- heatmap -------------------------------------------------------------------------------
def test_the_heatmap_page_carries_the_chart_data_and_links_each_cell(teacher_client, room):
    concept = ConceptFactory(course=_course(room), name="Series circuits")
    student = _student(room, first_name="Ada", last_name="L")
    KnowledgeStateFactory(student=student, concept=concept, mastery=0.5)

    html = teacher_client.get(f"/teach/classrooms/{room.pk}/").content.decode()

    data = json.loads(html.split('id="heatmap-data" type="application/json">')[1].split("</script>")[0])
    assert data == {
        "students": [[student.pk, "Ada L"]],
        "concepts": [[concept.pk, "Series circuits"]],
        "z": [[0.5]],
    }
    assert f'<a href="students/{student.pk}/?concept={concept.pk}">50%</a>' in html
    assert 'data-student-url="/teach/classrooms/' in html
    assert "<script>" not in html and "style=" not in html


# --- stuck students ------------------------------------------------------------------------
def test_ten_answers_without_mastery_flag_a_student_with_a_weak_prerequisite_to_assign(room):
    course = _course(room)
    basics = ConceptFactory(course=course, name="Basics")
    circuits = ConceptFactory(course=course, name="Circuits")
    circuits.prerequisites.add(basics)
    student = _student(room)
    _recently_active(student, course)
    KnowledgeStateFactory(student=student, concept=circuits, mastery=0.6, n_attempts=10)
    KnowledgeStateFactory(student=student, concept=basics, mastery=0.5, n_attempts=3)

    [stuck] = classroom_stuck_students(room.teacher, room.pk)

    [reason] = stuck.reasons
    assert (reason.rule, reason.concept_name) == ("many_items", "Circuits")
    assert reason.why.startswith("10 answers on Circuits without mastery")
    assert (reason.action, reason.action_concept_id) == ("prerequisite", basics.pk)
    assert reason.action_text == "Assign the prerequisite Basics first."


def test_nine_answers_do_not_flag_a_student(room):
    concept = ConceptFactory(course=_course(room))
    student = _student(room)
    _recently_active(student, _course(room))
    KnowledgeStateFactory(student=student, concept=concept, mastery=0.6, n_attempts=9)

    assert classroom_stuck_students(room.teacher, room.pk) == []


def test_a_mastered_concept_never_flags_a_student(room):
    concept = ConceptFactory(course=_course(room))
    student = _student(room)
    _recently_active(student, _course(room))
    KnowledgeStateFactory(student=student, concept=concept, mastery=0.97, n_attempts=30, error_streak=4)

    assert classroom_stuck_students(room.teacher, room.pk) == []


def test_errors_without_progress_suggest_the_worked_example(room):
    course = _course(room)
    concept = ConceptFactory(course=course, name="Voltage")
    ExerciseFactory(course=course, concepts=[concept], worked_example="Step 1 ...")
    student = _student(room)
    _recently_active(student, course)
    KnowledgeStateFactory(student=student, concept=concept, mastery=0.3, n_attempts=4, error_streak=3)

    [stuck] = classroom_stuck_students(room.teacher, room.pk)

    assert [(r.rule, r.action) for r in stuck.reasons] == [("errors", "worked_example")]
    assert stuck.reasons[0].action_text == "Assign the worked example of Voltage."


def test_without_a_worked_example_or_prerequisite_the_suggestion_is_a_talk(room):
    course = _course(room)
    concept = ConceptFactory(course=course, name="Voltage")
    ExerciseFactory(course=course, concepts=[concept], worked_example="")
    student = _student(room)
    _recently_active(student, course)
    KnowledgeStateFactory(student=student, concept=concept, mastery=0.3, n_attempts=4, error_streak=3)

    [stuck] = classroom_stuck_students(room.teacher, room.pk)

    assert stuck.reasons[0].action == "talk"


def test_a_week_without_an_answer_flags_a_student_with_the_concept_they_left(room):
    course = _course(room)
    concept = ConceptFactory(course=course, name="Current")
    student = _student(room)
    old = AttemptFactory(student=student, exercise=ExerciseFactory(course=course))
    Attempt.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    KnowledgeStateFactory(
        student=student, concept=concept, mastery=0.4, n_attempts=2, last_practiced_at=timezone.now()
    )

    [stuck] = classroom_stuck_students(room.teacher, room.pk)

    [reason] = stuck.reasons
    assert (reason.rule, reason.concept_name, reason.action) == ("inactive", "Current", "talk")
    assert reason.why == "No answer for 8 days."


def test_a_student_who_never_answered_is_flagged_inactive(room):
    _student(room)

    [stuck] = classroom_stuck_students(room.teacher, room.pk)

    assert stuck.reasons[0].why == "No answer yet in this classroom's courses."


def test_the_thresholds_are_settings(room, settings):
    settings.STUDENT_DASHBOARD = settings.STUDENT_DASHBOARD | {"stuck_min_items": 5}
    concept = ConceptFactory(course=_course(room))
    student = _student(room)
    _recently_active(student, _course(room))
    KnowledgeStateFactory(student=student, concept=concept, mastery=0.6, n_attempts=5)

    assert [s.reasons[0].rule for s in classroom_stuck_students(room.teacher, room.pk)] == ["many_items"]


def test_stuck_students_of_a_teacher_span_owned_and_co_taught_classrooms_only(teacher, room):
    shared, elsewhere = ClassroomFactory(), ClassroomFactory()
    shared.co_teachers.add(teacher)
    for r in (room, shared, elsewhere):
        r.students.add(StudentFactory())

    assert sorted(s.classroom_id for s in stuck_students(teacher)) == sorted([room.pk, shared.pk])


def test_the_stuck_page_shows_why_and_what_to_do(teacher_client, room):
    _student(room, first_name="Kim", last_name="S")

    html = teacher_client.get(f"/teach/classrooms/{room.pk}/stuck/").content.decode()

    assert "Kim S" in html
    assert 'data-rule="inactive"' in html
    assert "Talk with the student." in html


# --- a student's page ------------------------------------------------------------------------
def test_the_student_page_lists_recent_answers_with_grades_and_time_on_task(teacher_client, room):
    course = _course(room)
    concept = ConceptFactory(course=course, name="Voltage")
    exercise = ExerciseFactory(course=course, concepts=[concept], title="Two bulbs")
    student = _student(room)
    right = AttemptFactory(
        student=student, exercise=exercise, response={"text": "A gap in the path"}, score=1.0
    )
    AttemptFactory(
        student=student,
        exercise=exercise,
        response={"value": 3, "raw": "3 V"},
        score=0.0,
        response_seconds=5000,
    )
    KnowledgeHistory.objects.create(
        student=student, concept=concept, attempt=right, mastery_before=0.2, mastery=0.5
    )

    page = student_page(room.teacher, room.pk, student.pk)
    html = teacher_client.get(f"/teach/classrooms/{room.pk}/students/{student.pk}/").content.decode()

    assert [(a.answer, a.score) for a in page.attempts] == [("3 V", 0.0), ("A gap in the path", 1.0)]
    assert page.trajectories == {
        "Voltage": {"x": [page.trajectories["Voltage"]["x"][0]] * 2, "y": [0.2, 0.5]}
    }
    assert page.seconds_total == 30.0 + 600  # the long answer counts at most 10 minutes
    assert page.seconds_by_day[-1][1] == 630.0
    assert "A gap in the path" in html and "Two bulbs" in html
    assert 'id="student-data"' in html


def test_the_student_page_narrows_to_one_concept(room):
    course = _course(room)
    voltage, current = (
        ConceptFactory(course=course, name="Voltage"),
        ConceptFactory(course=course, name="Current"),
    )
    student = _student(room)
    AttemptFactory(student=student, exercise=ExerciseFactory(course=course, concepts=[voltage]))
    AttemptFactory(student=student, exercise=ExerciseFactory(course=course, concepts=[current]))

    page = student_page(room.teacher, room.pk, student.pk, concept_id=voltage.pk)

    assert page.concept_name == "Voltage"
    assert len(page.attempts) == 1


# --- item analysis ---------------------------------------------------------------------------
def test_item_analysis_figures(room):
    course = _course(room)
    item = ExerciseFactory(course=course, title="Why series?")
    anchor = ExerciseFactory(course=course, title="Anchor")
    students = [_student(room) for _ in range(6)]
    # The three who get the anchor right also get the item right: it discriminates perfectly.
    for i, s in enumerate(students):
        good = i < 3
        AttemptFactory(student=s, exercise=anchor, score=1.0 if good else 0.0, response_seconds=10)
        AttemptFactory(
            student=s,
            exercise=item,
            score=1.0 if good else 0.0,
            response={"text": "right" if good else ("Bulbs  are bright" if i < 5 else "no idea")},
            response_seconds=10 * (i + 1),
        )
    AttemptFactory(student=students[0], exercise=item, status="pending", score=None, is_correct=None)

    analysis = item_analysis(room.teacher, room.pk)

    stats = {i.title: i for i in analysis.items}["Why series?"]
    assert (stats.n_attempts, stats.n_students, stats.share_correct) == (6, 6, 0.5)
    assert stats.discrimination == 1.0
    assert stats.median_seconds == 35.0
    assert [(w.answer, w.count) for w in stats.wrong_answers] == [("Bulbs are bright", 2), ("no idea", 1)]
    assert (stats.n_reviews, stats.override_rate) == (0, None)


def test_too_few_students_give_no_discrimination(room):
    course = _course(room)
    student = _student(room)
    AttemptFactory(student=student, exercise=ExerciseFactory(course=course))
    AttemptFactory(student=student, exercise=ExerciseFactory(course=course))

    assert {i.discrimination for i in item_analysis(room.teacher, room.pk).items} == {None}


def test_item_analysis_counts_the_teachers_overrides(teacher_client, room):
    course = _course(room)
    exercise = ExerciseFactory(course=course, title="Free text")
    other = ExerciseFactory(course=course, title="Unreviewed")
    student = _student(room)
    a, b = (
        AttemptFactory(student=student, exercise=exercise),
        AttemptFactory(student=student, exercise=exercise),
    )
    AttemptFactory(student=student, exercise=other)
    GradeReviewFactory(attempt=a, accepted=True)
    GradeReviewFactory(attempt=b, accepted=False, label="contradictory", score=0.0)

    stats = {i.title: i for i in item_analysis(room.teacher, room.pk).items}
    html = teacher_client.get(f"/teach/classrooms/{room.pk}/items/").content.decode()

    assert (stats["Free text"].n_reviews, stats["Free text"].n_overridden) == (2, 1)
    assert "1 of 2 reviews (50%)" in html
    assert "no reviews yet" in html
