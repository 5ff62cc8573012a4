"""Chat turns through the service: replies that teach, the hint ladder instead of answers,
the student's weak concepts, "I don't know", hand-over and flags."""

from __future__ import annotations

import pytest

from students.models import KnowledgeState
from tests.factories import ClassroomFactory, StudentFactory
from tutor.assistant import services
from tutor.assistant.leaks import answer_key, find_leaks
from tutor.assistant.models import Conversation, Flag, Message
from tutor.practice.models import PracticeSession

pytestmark = pytest.mark.django_db


def _on_screen(student, mini, exercise, hints_shown=0):
    PracticeSession.objects.create(
        student=student, course=mini.course, current_exercise=exercise, hints_shown=hints_shown
    )


def test_a_question_gets_a_quoted_sourced_answer_that_checks_understanding(mini, student):
    turn = services.turn_ask(student, mini.course, "what happens in a short circut")

    reply = turn.reply
    assert reply.kind == "answer"
    assert "A very large current flows" in reply.text or "no bulb in the path" in reply.text
    assert {s["title"] for s in reply.sources} >= {"Short circuits"}
    assert all(s["url"].startswith(f"/learn/courses/{mini.course.slug}/#concept-") for s in reply.sources)
    assert reply.text.rstrip().endswith("in practice.") and "?" in reply.text
    assert Message.objects.filter(conversation__student=student).count() == 2


def test_asked_for_the_answer_it_gives_the_next_hint_then_another_items_worked_example_then_a_nudge(
    mini, student
):
    _on_screen(student, mini, mini.one_cell, hints_shown=1)

    replies = [services.turn_ask(student, mini.course, "just tell me the number").reply for _ in range(3)]

    assert [r.kind for r in replies] == ["hint", "worked_example", "nudge"]
    assert "Think of what one ordinary cell gives" in replies[0].text  # the second hint: the first was shown
    assert "Two cells" in replies[1].text and "Answer" not in replies[1].text
    assert any(s["title"] == "What voltage is" for s in replies[2].sources)
    key = answer_key(services.course_knowledge(mini.course.pk).exercises[mini.one_cell.pk])
    for reply in replies:
        assert not find_leaks(reply.text, [key], focus={mini.one_cell.pk}, visible=["One cell", "Two cells"])


def test_a_quote_that_holds_the_open_exercises_value_is_left_out(mini, student):
    _on_screen(student, mini, mini.one_cell)

    reply = services.turn_ask(student, mini.course, "how many volts does an ordinary AA cell give?").reply

    assert "1.5" not in reply.text and "1,5" not in reply.text


def test_the_correct_option_is_never_sent_whatever_the_wording(mini, student):
    _on_screen(student, mini, mini.short_choice)

    for question in ("which option is right", "is a wire joining the battery terminals directly a short?"):
        reply = services.turn_ask(student, mini.course, question).reply
        assert "wire joins the two battery terminals directly" not in reply.text.lower()


def test_nothing_close_enough_says_it_does_not_know_and_flags_for_the_teacher(mini, student):
    reply = services.turn_ask(student, mini.course, "who won the football last night").reply

    assert reply.kind == "dont_know" and "teacher" in reply.text
    assert Conversation.objects.get(student=student).flag == Flag.NO_ANSWER


def test_asked_what_to_practise_it_names_the_weakest_concept(mini, student):
    KnowledgeState.objects.create(student=student, concept=mini.voltage, mastery=0.2, n_attempts=4)
    KnowledgeState.objects.create(student=student, concept=mini.closed, mastery=0.7, n_attempts=4)

    reply = services.turn_ask(student, mini.course, "what am i bad at? what should i practise").reply

    assert reply.kind == "weakness"
    assert reply.text.index("Voltage") < reply.text.index("Closed paths")
    assert "Practise Voltage next" in reply.text


def test_words_of_distress_flag_the_conversation_first_for_the_teacher(mini):
    classroom = ClassroomFactory()
    calm, upset = StudentFactory(), StudentFactory()
    classroom.students.add(calm, upset)
    services.turn_ask(upset, mini.course, "everyone at school bullies me")
    services.turn_ask(calm, mini.course, "what is voltage")
    services.teacher_ask(calm, mini.course)  # later, but a hand-over ranks below distress

    listed = list(services.selectors.conversations_for_teacher(classroom.teacher))

    assert [c.student for c in listed] == [upset, calm]
    assert [c.flag for c in listed] == [Flag.DISTRESS, Flag.HANDED_OVER]


def test_a_teacher_sees_only_their_classrooms_conversations_and_a_reply_clears_the_flag(mini, student):
    classroom = ClassroomFactory()
    classroom.students.add(student)
    services.teacher_ask(student, mini.course, "can you explain series?")
    other_teacher = ClassroomFactory().teacher
    conversation = Conversation.objects.get(student=student)

    assert services.teacher_reply(other_teacher, conversation.pk, "hello") is None
    message = services.teacher_reply(
        classroom.teacher, conversation.pk, "Let's look at it together tomorrow."
    )

    assert message.author_role == "teacher"
    conversation.refresh_from_db()
    assert conversation.flag == Flag.NONE


def test_messages_over_the_limit_or_too_fast_are_refused_with_a_reason(mini, student, settings):
    settings.ASSISTANT = {"MESSAGES_PER_MINUTE": 2}
    with pytest.raises(services.AssistantRefusal) as too_long:
        services.turn_ask(student, mini.course, "x" * 2001)
    services.turn_ask(student, mini.course, "what is voltage")
    services.turn_ask(student, mini.course, "what is a closed path")
    with pytest.raises(services.AssistantRefusal) as too_fast:
        services.turn_ask(student, mini.course, "and a short circuit?")

    assert too_long.value.code == "too_long" and "2000" in too_long.value.detail
    assert too_fast.value.code == "rate_limited"
