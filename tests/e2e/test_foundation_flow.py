"""An admin uploads and publishes a course; a student sees it and cannot open the admin."""

from __future__ import annotations

import pytest
import yaml

from content.models import Course, Status
from tests.e2e.conftest import login, logout
from tests.factories import PASSWORD, AdminFactory, StudentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PACKAGE = {
    "format": "tutor-course/1",
    "course": {"slug": "circuits-101", "title": "Circuits 101", "status": "draft", "version": 1},
    "concepts": [
        {"slug": "paths", "name": "Closed paths", "passages": [{"title": "Paths", "body": "A loop."}]},
        {"slug": "gaps", "name": "Gaps", "prerequisites": ["paths"]},
    ],
    "exercises": [
        {
            "slug": "bulb-lights",
            "kind": "multiple_choice",
            "prompt": "When does a bulb light?",
            "concepts": ["paths"],
            "status": "draft",
            "options": [
                {"text": "In a closed path with the battery", "correct": True},
                {"text": "Whenever it touches a wire"},
            ],
        },
        {
            "slug": "gap-why",
            "kind": "free_text",
            "prompt": "Why does an open switch turn the bulb off?",
            "concepts": ["gaps"],
            "status": "draft",
            "reference_answers": [{"text": "The open switch creates a gap in the path."}],
        },
    ],
}


def test_admin_publishes_an_uploaded_course_and_a_student_sees_it(page, tmp_path):
    admin = AdminFactory(username="ada")
    student = StudentFactory(username="sam")
    package = tmp_path / "circuits.yaml"
    package.write_text(yaml.safe_dump(PACKAGE))

    # The admin lands on the admin site and uploads the package.
    login(page, admin.username, PASSWORD)
    assert "/admin/" in page.url
    page.goto("/admin/content/course/")
    page.get_by_role("link", name="Import course package").click()
    page.set_input_files("input[type=file]", str(package))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    assert "Imported course “Circuits 101” version 1" in page.content()
    course = Course.objects.get(slug="circuits-101")
    assert course.status == Status.DRAFT

    # A draft is invisible to students.
    logout(page)
    login(page, student.username, PASSWORD)
    assert page.url.endswith("/learn/")
    assert "Circuits 101" not in page.content()
    logout(page)

    # The admin publishes it with the changelist action.
    login(page, admin.username, PASSWORD)
    page.goto("/admin/content/course/")
    page.locator(f"input[name=_selected_action][value='{course.pk}']").check()
    page.select_option("select[name=action]", "publish")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()
    assert "Published 1 course(s)." in page.content()
    logout(page)

    # The student sees it, opens it, and cannot open the admin.
    login(page, student.username, PASSWORD)
    page.get_by_role("link", name="Circuits 101").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Circuits 101").is_visible()
    assert page.locator("svg.concept-graph").is_visible()
    response = page.goto("/admin/")
    assert response.status == 403
    assert "may not open /admin/" in page.content()
    course.refresh_from_db()
    assert course.status == Status.PUBLISHED
    assert set(course.exercises.values_list("status", flat=True)) == {Status.PUBLISHED}
