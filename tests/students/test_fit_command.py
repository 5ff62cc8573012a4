"""fit_student_model: the database log in, fitted parameters out, close to the truth."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from students.kt.bkt import BKTParams
from students.kt.simulate import simulate_bkt
from students.models import Attempt, AttemptStatus, ConceptParameters, GradeSource, ItemParameters
from tests.factories import ConceptFactory, CourseFactory, ExerciseFactory, StudentFactory

pytestmark = pytest.mark.django_db

TRUE = BKTParams(p_init=0.3, p_learn=0.2, p_guess=0.15, p_slip=0.1)


def test_fitting_recovers_the_parameters_the_log_was_simulated_from(capsys):
    """Tolerance: +-0.08 absolute on each parameter with 300 students x 15 answers (the
    pure fitter is tested more tightly on bigger simulations in test_kt_fit)."""
    course = CourseFactory(slug="sim")
    concept = ConceptFactory(course=course)
    exercises = [ExerciseFactory(course=course, concepts=[concept]) for _ in range(3)]
    answers = simulate_bkt(TRUE, n_students=300, n_steps=15, seed=3)
    rows = []
    for sequence in answers:
        student = StudentFactory()
        for t, right in enumerate(sequence):
            rows.append(
                Attempt(
                    student=student,
                    exercise=exercises[t % 3],
                    response={},
                    status=AttemptStatus.GRADED,
                    score=float(right),
                    is_correct=bool(right),
                    grade_source=GradeSource.AUTO,
                )
            )
    Attempt.objects.bulk_create(rows)

    call_command("fit_student_model", "--course", "sim")

    fitted = ConceptParameters.objects.get(concept=concept)
    for name in ("p_init", "p_learn", "p_guess", "p_slip"):
        assert abs(getattr(fitted, name) - getattr(TRUE, name)) < 0.08, name
    assert fitted.p_guess < 0.5 and fitted.p_slip < 0.5
    assert fitted.n_observations == 300 * 15
    assert ItemParameters.objects.filter(exercise__in=exercises).count() == 3
    assert "Fitted 1 concepts and 3 items" in capsys.readouterr().out
    assert np.isfinite(ItemParameters.objects.first().difficulty)


def test_an_unknown_course_is_named():
    with pytest.raises(CommandError, match="No course with slug 'nope'"):
        call_command("fit_student_model", "--course", "nope")


def test_an_empty_log_changes_nothing(capsys):
    call_command("fit_student_model")

    assert "No graded attempts" in capsys.readouterr().out
    assert not ConceptParameters.objects.exists()
