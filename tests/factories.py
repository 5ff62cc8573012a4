"""factory_boy factories shared by the tests."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from content.models import (
    Choice,
    Concept,
    Course,
    Exercise,
    ExerciseKind,
    Hint,
    Passage,
    ReferenceAnswer,
    Status,
)
from students import services as student_services
from students.models import Attempt, AttemptStatus, Classroom, GradeReview, KnowledgeState, Role, User

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.STUDENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create:
            obj.save()


class StudentFactory(UserFactory):
    role = Role.STUDENT


class TeacherFactory(UserFactory):
    role = Role.TEACHER


class AdminFactory(UserFactory):
    role = Role.ADMIN


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course {n}")
    status = Status.PUBLISHED


class ConceptFactory(DjangoModelFactory):
    class Meta:
        model = Concept

    course = factory.SubFactory(CourseFactory)
    slug = factory.Sequence(lambda n: f"concept-{n}")
    name = factory.Sequence(lambda n: f"Concept {n}")
    order = factory.Sequence(lambda n: n)


class PassageFactory(DjangoModelFactory):
    class Meta:
        model = Passage

    concept = factory.SubFactory(ConceptFactory)
    title = "About it"
    body = "A closed path from one battery terminal to the other lets current flow."


class ExerciseFactory(DjangoModelFactory):
    class Meta:
        model = Exercise
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    slug = factory.Sequence(lambda n: f"exercise-{n}")
    kind = ExerciseKind.FREE_TEXT
    prompt = "Why does a damaged bulb stop the other bulbs in a series circuit?"
    status = Status.PUBLISHED
    worked_example = "Step 1: find the path. Step 2: the gap breaks it."

    @factory.post_generation
    def concepts(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        if extracted:
            obj.concepts.set(extracted)
        else:
            obj.concepts.add(ConceptFactory(course=obj.course))


class ChoiceFactory(DjangoModelFactory):
    class Meta:
        model = Choice

    exercise = factory.SubFactory(ExerciseFactory, kind=ExerciseKind.MULTIPLE_CHOICE)
    text = factory.Sequence(lambda n: f"Option {n}")
    is_correct = False


class ReferenceAnswerFactory(DjangoModelFactory):
    class Meta:
        model = ReferenceAnswer

    exercise = factory.SubFactory(ExerciseFactory)
    text = "The damaged bulb creates a gap in the only path."


class HintFactory(DjangoModelFactory):
    class Meta:
        model = Hint

    exercise = factory.SubFactory(ExerciseFactory)
    text = "Trace the path from the battery."


class ClassroomFactory(DjangoModelFactory):
    class Meta:
        model = Classroom

    name = factory.Sequence(lambda n: f"Class {n}")
    teacher = factory.SubFactory(TeacherFactory)


class AttemptFactory(DjangoModelFactory):
    """A graded answer (pass ``status=AttemptStatus.PENDING, score=None`` for one being graded)."""

    class Meta:
        model = Attempt

    student = factory.SubFactory(StudentFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    context = "practice:1"
    response = factory.LazyFunction(lambda: {"text": "The bulb breaks the path."})
    status = AttemptStatus.GRADED
    score = 1.0
    is_correct = factory.LazyAttribute(lambda o: o.score is not None and o.score >= 1.0)
    grade_source = "auto"
    response_seconds = 30.0


class KnowledgeStateFactory(DjangoModelFactory):
    class Meta:
        model = KnowledgeState

    student = factory.SubFactory(StudentFactory)
    concept = factory.SubFactory(ConceptFactory)
    mastery = 0.5


class GradeReviewFactory(DjangoModelFactory):
    class Meta:
        model = GradeReview

    attempt = factory.SubFactory(AttemptFactory)
    reviewer = factory.SubFactory(TeacherFactory)
    model_label = "correct"
    model_score = 1.0
    label = "correct"
    score = 1.0
    accepted = True


# --- homework (tutor.homework) ------------------------------------------------------------------
class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = "homework.Assignment"

    classroom = factory.SubFactory(ClassroomFactory)
    created_by = factory.SelfAttribute("classroom.teacher")
    title = factory.Sequence(lambda n: f"Homework {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=6))
    release_rule = "after_review"


class AssignmentItemFactory(DjangoModelFactory):
    class Meta:
        model = "homework.AssignmentItem"

    assignment = factory.SubFactory(AssignmentFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    order = factory.Sequence(lambda n: n)


# --- answers as the practice loop records them ----------------------------------------------------
OPEN_SWITCH_QUESTION = "Why does an open switch turn a bulb off?"
OPEN_SWITCH_REFERENCE = "An open switch creates a gap in the closed path."


def pending_free_text_answer(
    student=None,
    *,
    text: str = "It makes a gap.",
    prompt: str = OPEN_SWITCH_QUESTION,
    references: tuple[str, ...] = (OPEN_SWITCH_REFERENCE,),
    context: str = "practice:1",
) -> Attempt:
    """A free-text answer recorded through the student model's service, as the practice loop
    records it: stored as pending, for the grader (nothing is queued here)."""
    exercise = ExerciseFactory(kind=ExerciseKind.FREE_TEXT, prompt=prompt)
    for reference in references:
        ReferenceAnswerFactory(exercise=exercise, text=reference)
    attempt, _ = student_services.attempt_record(
        student=student or StudentFactory(),
        exercise=exercise,
        context=context,
        response={"text": text},
        score=None,
        is_correct=None,
        hints_used=0,
        worked_example_shown=False,
        response_seconds=20.0,
        reason={},
        predicted_correct=None,
    )
    return attempt
