"""A student practises 25 items of the demo course in a real browser, on the embedded
default (grading on the web process's background thread, with a tiny grader registered):
no item whose answer was shown comes back within the course's window, the course cannot be
declared mastered on fewer answers than its minimum, and a free-text grade is pushed to the
open pages over the WebSocket (so the site is served here by daphne, HTTP and WebSocket)."""

from __future__ import annotations

import shutil

import pytest
from django.core.management import call_command

from content.api import course_settings_for
from content.models import Choice, Course, Exercise, ExerciseKind
from modeling import services as modeling_services
from modeling.grader import engine
from students.models import Attempt, KnowledgeState
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ITEMS = 25


@pytest.fixture
def tiny_grader(settings, tmp_path, tiny_grader_folder):
    """The tiny grader registered and active, graded on the background thread (the default)."""
    settings.MODEL_DIR = tmp_path / "models"
    settings.GRADER_DEVICE = "cpu"
    # The embedded default's grading (no broker), on the background thread, also in CI's run
    # with Redis (where the channel layer is Redis and the push goes through it).
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.GRADER_IN_PROCESS = "background"
    copy = tmp_path / "tiny"
    shutil.copytree(tiny_grader_folder, copy)
    modeling_services.grader_version_register(copy, version="tiny-e2e")
    engine.clear_cache()
    yield
    engine.clear_cache()


def _answer_right(page, exercise: Exercise) -> None:
    if exercise.kind == ExerciseKind.MULTIPLE_CHOICE:
        for option in Choice.objects.filter(exercise=exercise, is_correct=True):
            page.locator(f"input[name=choice][value='{option.pk}']").check()
    elif exercise.kind == ExerciseKind.NUMERIC:
        page.locator("input[name=value]").fill(f"{exercise.numeric_value:g} {exercise.unit}".strip())
    else:
        page.get_by_label("Your answer, in your own words").fill(
            "The bulb is in a closed path with the battery, so current flows through it."
        )
    page.locator("article.exercise").get_by_role("button", name="Check my answer").click()
    page.wait_for_load_state()
    if not page.locator("#result").count():
        page.screenshot(path="/tmp/h11_e2e_fail.png", full_page=True)
        pytest.fail(f"no feedback after answering {exercise.slug}: {page.locator('main').inner_text()[:600]}")


def _revealed(attempt: Attempt) -> bool:
    """As ``students.knowledge.revealing_attempts``: the feedback showed the item's answer."""
    kind = attempt.exercise.kind
    return (
        attempt.worked_example_shown
        or kind == ExerciseKind.MULTIPLE_CHOICE
        or (kind == ExerciseKind.NUMERIC and not attempt.is_correct)
    )


def test_practice_shows_no_answer_twice_holds_mastery_to_its_minimum_and_pushes_a_grade(
    browser, asgi_site, tiny_grader
):
    call_command("seed_demo", verbosity=0)
    course = Course.objects.get(slug="basic-electricity")
    policy = course_settings_for(course)
    problems: list[str] = []
    context = browser.new_context(base_url=asgi_site, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    login(page, "student", "student-demo")
    # A second page stays open on the progress page: its socket hears every grade pushed.
    watcher = context.new_page()
    watcher.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    watcher.goto("/learn/courses/basic-electricity/progress/")
    watcher.wait_for_load_state()
    watcher.wait_for_timeout(500)  # the socket connects after load

    page.goto("/learn/courses/basic-electricity/practice/")
    page.wait_for_load_state()
    free_text = 0
    for i in range(ITEMS):
        assert page.locator("#all-mastered").count() == 0, f"all mastered after {i} answers"
        assert page.locator("#why-this p").first.inner_text()
        exercise = Exercise.objects.get(pk=page.locator("input[name=exercise]").first.get_attribute("value"))
        _answer_right(page, exercise)
        if exercise.kind == ExerciseKind.FREE_TEXT:
            free_text += 1
            if free_text == 1:
                # The submit answered at once, "being graded"; the grade reaches the open page.
                page.wait_for_selector("#result[data-status=graded]", timeout=60_000)
            # ...and every open page of the student: the watcher hears each grade. (Waiting
            # for it also keeps the test's in-memory SQLite, which locks whole tables, from
            # serving the next page while the grading thread writes.)
            watcher.locator(".notice-grade").nth(free_text - 1).wait_for(timeout=60_000)
        page.get_by_role("link", name="Next exercise").click()
        page.wait_for_load_state()

    attempts = list(
        Attempt.objects.filter(student__username="student").select_related("exercise").order_by("id")
    )
    assert len(attempts) == ITEMS and free_text
    # No item whose answer was shown came back within the window (25 answers < its items)
    shown: set[int] = set()
    for attempt in attempts:
        assert attempt.exercise_id not in shown, (
            f"{attempt.exercise.slug} served again after its answer was shown"
        )
        assert "answer_shown_before" not in attempt.reason
        if _revealed(attempt):
            shown.add(attempt.exercise_id)
    assert ITEMS < policy.reveal_hold_items
    # Nothing declared mastered on fewer answers than the minimum of answers of its own
    for state in KnowledgeState.objects.filter(student__username="student", mastered_at__isnull=False):
        assert state.n_attempts >= policy.mastery_min_independent
    # The reasons speak in plain words, and the page keeps the Content-Security-Policy
    page.goto("/learn/courses/basic-electricity/progress/")
    assert "not started" in page.locator(".mastery-bars").inner_text() or all(
        s.n_attempts for s in KnowledgeState.objects.filter(student__username="student")
    )
    assert not problems, problems
    context.close()
