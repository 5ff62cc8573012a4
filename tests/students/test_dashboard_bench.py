"""``teacher_bench`` builds its classroom, prints its figures and leaves nothing behind."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from content import selectors as content_selectors
from students.models import Attempt, Classroom, User
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_the_teacher_bench_prints_page_times_and_deletes_what_it_built():
    CourseFactory(slug="kept")
    out = io.StringIO()

    call_command("teacher_bench", students=4, concepts=3, attempts=40, requests=2, stdout=out)

    text = out.getvalue()
    for page in ("heatmap", "stuck students", "item analysis", "student page"):
        assert page in text
    assert "Deleted the throw-away course" in text
    assert (User.objects.count(), Attempt.objects.count(), Classroom.objects.count()) == (0, 0, 0)
    assert [c.slug for c in content_selectors.published_courses()] == ["kept"]
