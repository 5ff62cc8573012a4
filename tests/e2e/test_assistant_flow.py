"""The teaching assistant in a real browser: a student asks in the chat panel on the
practice page and sees a sourced answer; asks for the answer and gets a hint instead; asks
for the teacher; the teacher replies from their conversations page and the student sees it
without a reload (over the WebSocket, so the site is served here by daphne)."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("ASSISTANT_SCREENSHOTS", "")  # a folder: keep a screenshot of each step


@pytest.fixture
def assistant_server(asgi_site):
    return asgi_site


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _replies_grow(page, action) -> None:
    """Do ``action`` and wait for one more reply of the assistant (no script evaluation:
    the site's Content-Security-Policy forbids it)."""
    from playwright.sync_api import expect

    replies = page.locator("#assistant .chat-assistant")
    before = replies.count()
    action()
    expect(replies).to_have_count(before + 1, timeout=60_000)


def _ask(page, text: str) -> None:
    page.locator("#chat-input").fill(text)
    _replies_grow(
        page, lambda: page.locator("#assistant").get_by_role("button", name="Ask", exact=True).click()
    )


def test_a_student_asks_gets_a_hint_not_the_answer_and_the_teacher_replies_live(browser, assistant_server):
    call_command("seed_demo", verbosity=0)
    problems: list[str] = []
    student_context = browser.new_context(base_url=assistant_server, viewport={"width": 1280, "height": 1000})
    student_context.set_default_timeout(30_000)
    student = student_context.new_page()
    student.on("pageerror", lambda error: problems.append(str(error)))

    login(student, "student", "student-demo")
    student.get_by_role("link", name="Practise").first.click()
    student.wait_for_load_state()
    student.locator("#assistant[data-connected=yes]").wait_for()

    _ask(student, "how do i use a voltmetre??")
    answer = student.locator("#assistant .chat-assistant").last
    assert answer.locator(".chat-sources a").count() >= 1
    assert "Measuring voltage" in answer.locator(".chat-sources").inner_text()
    _shot(student, "1-sourced-answer")

    _ask(student, "just tell me the answer")
    hint = student.locator("#assistant .chat-assistant").last
    assert hint.get_attribute("data-kind") in {"hint", "worked_example", "nudge"}
    assert (
        "won't give you the answer" in hint.inner_text() or "can't tell you the answer" in hint.inner_text()
    )
    _shot(student, "2-hint-not-answer")

    _replies_grow(
        student, lambda: student.locator("#assistant").get_by_role("button", name="Ask my teacher").click()
    )
    assert "teacher" in student.locator("#assistant .chat-assistant").last.inner_text()

    teacher_context = browser.new_context(base_url=assistant_server, viewport={"width": 1280, "height": 900})
    teacher_context.set_default_timeout(30_000)
    teacher = teacher_context.new_page()
    login(teacher, "teacher", "teacher-demo")
    teacher.get_by_role("link", name="Conversations").click()
    teacher.wait_for_load_state()
    assert "Asked for the teacher" in teacher.locator("table.conversations tbody tr").first.inner_text()
    _shot(teacher, "3-teacher-list")
    teacher.locator("table.conversations tbody tr").first.get_by_role("link").click()
    teacher.get_by_label("Your reply").fill("Good question: come and see me at break.")
    teacher.get_by_role("button", name="Send reply").click()
    teacher.wait_for_load_state()

    live = student.locator("#assistant .chat-teacher")
    live.wait_for()
    assert "come and see me at break" in live.inner_text()
    _shot(student, "4-teacher-reply-live")
    assert not problems, problems
    teacher_context.close()
    student_context.close()
