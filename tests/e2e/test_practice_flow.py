"""A student practises a dozen items of the demo course in a real browser."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db.models import F

from content.models import Choice, Exercise
from students.models import Attempt, KnowledgeHistory
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _answer(page, exercise: Exercise, right: bool) -> None:
    if exercise.kind == "multiple_choice":
        options = list(Choice.objects.filter(exercise=exercise))
        pick = [o for o in options if o.is_correct == right][:1] or options[:1]
        for option in pick:
            page.locator(f"input[name=choice][value='{option.pk}']").check()
    elif exercise.kind == "numeric":
        value = exercise.numeric_value if right else exercise.numeric_value + 100
        page.get_by_label(re.compile("Your answer")).fill(f"{value:g}")
    else:
        page.get_by_label("Your answer, in your own words").fill("Because the path is closed.")
    page.locator("article.exercise").get_by_role("button", name="Check my answer").click()
    page.wait_for_load_state()


def test_a_student_practises_a_dozen_items_and_sees_mastery_move(page):
    call_command("seed_demo", verbosity=0)
    login(page, "student", "student-demo")
    page.get_by_role("link", name="Practise").first.click()
    page.wait_for_load_state()

    reasons, used_hint = [], False
    for i in range(12):
        why = page.locator("#why-this p").first.inner_text()
        assert why, f"item {i} has no reason"
        reasons.append(why)
        exercise = Exercise.objects.get(pk=page.locator("input[name=exercise]").first.get_attribute("value"))
        if not used_hint and page.get_by_role("button", name=re.compile("Show a hint")).count():
            page.get_by_role("button", name=re.compile("Show a hint")).click()
            page.wait_for_load_state()
            assert page.locator(".hint").first.is_visible()
            used_hint = True
        _answer(page, exercise, right=(i % 3 != 1))
        heading = page.locator("#result h1").inner_text()
        assert heading in {"Correct", "Not quite", "Partly right", "Being graded…"}
        page.get_by_role("link", name="Next exercise").click()
        page.wait_for_load_state()

    attempts = Attempt.objects.filter(student__username="student")
    assert attempts.count() == 12
    assert used_hint and attempts.filter(hints_used__gt=0).exists()
    assert attempts.filter(is_correct=False).exists() and attempts.filter(is_correct=True).exists()
    assert all(a.reason.get("rule") for a in attempts)
    moved = KnowledgeHistory.objects.filter(student__username="student").exclude(mastery=F("mastery_before"))
    assert moved.exists()

    page.goto("/learn/courses/basic-electricity/progress/")
    assert page.locator("svg.concept-graph").is_visible()
    page.wait_for_selector("#mastery-chart .main-svg")
