"""Retrieval from the course: stored vectors, refreshed when the content changes, never
recomputed per question; misspelt questions still find their concept."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command

from content import services as content_services
from tutor.assistant import services
from tutor.assistant.models import IndexedChunk
from tutor.assistant.retrieval import rank_concepts
from tutor.assistant.text import sentences

pytestmark = pytest.mark.django_db


def _top_concept(mini, question: str) -> str:
    knowledge = services.course_knowledge(mini.course.pk)
    ranked = rank_concepts(services.retrieve(knowledge, question))
    return knowledge.concepts[ranked[0].concept_id].slug


def test_passages_are_split_into_sentences():
    assert sentences("One. Two is 1.5 V here! Three?\n\nFour") == [
        "One.",
        "Two is 1.5 V here!",
        "Three?",
        "Four",
    ]


def test_the_index_is_stored_with_the_content_stamp(mini):
    services.course_knowledge(mini.course.pk)

    rows = IndexedChunk.objects.filter(course=mini.course)
    assert rows.count() > 5
    assert {r.kind for r in rows} == {"passage", "concept", "hint", "worked_example"}
    assert len({r.stamp for r in rows}) == 1
    assert len(bytes(rows.first().vector)) == 384 * 4


def test_misspelt_informal_questions_find_their_concept(mini):
    assert _top_concept(mini, "why wont my bulb lite up") == "closed-paths"
    assert _top_concept(mini, "wat is a short circut") == "short-circuits"
    assert _top_concept(mini, "wats voltige") == "voltage"


def test_questions_embed_only_themselves_and_a_content_change_refreshes_only_new_texts(mini):
    services.course_knowledge(mini.course.pk)
    services._knowledge.clear()  # a new process: the vectors come from the database
    with mock.patch.object(
        services.modeling_api, "embed_texts", wraps=services.modeling_api.embed_texts
    ) as embed:
        services.retrieve(services.course_knowledge(mini.course.pk), "what is voltage")
        assert [len(call.args[0]) for call in embed.call_args_list] == [1]

        embed.reset_mock()
        mini.voltage.passages.update(body="Voltage is measured in volts between two points.")
        content_services.course_content_changed(course_ids=[mini.course.pk])
        services.course_knowledge(mini.course.pk)
        assert [len(call.args[0]) for call in embed.call_args_list] == [1]  # the one new sentence


def test_the_index_command_builds_every_published_course(mini):
    call_command("assistant_index", "--course", mini.course.slug, verbosity=0)

    assert IndexedChunk.objects.filter(course=mini.course).exists()
