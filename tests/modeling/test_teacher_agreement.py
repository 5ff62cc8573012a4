"""The model page says, per grader version, how often teachers agreed with its grades."""

from __future__ import annotations

from tests.factories import GradeReviewFactory, TeacherFactory


def test_the_model_page_shows_how_often_teachers_kept_the_active_versions_grades(client, active_tiny):
    # given three reviews of the active version's grades: two kept, one overridden
    GradeReviewFactory(model_version=active_tiny.version, accepted=True)
    GradeReviewFactory(
        model_version=active_tiny.version, accepted=False, model_label="correct", label="correct"
    )
    GradeReviewFactory(
        model_version=active_tiny.version,
        accepted=False,
        model_label="correct",
        label="contradictory",
        score=0.0,
    )
    client.force_login(TeacherFactory())

    # when a teacher opens the model page
    html = client.get("/models/grader/").content.decode()

    # then the agreement is 2 of 3
    assert "67% of 3 reviews" in html


def test_a_version_nobody_reviewed_says_so(client, active_tiny):
    client.force_login(TeacherFactory())

    assert "no reviews yet" in client.get("/models/grader/").content.decode()
