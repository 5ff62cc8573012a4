"""The teaching assistant's writes: the course index, chat turns, hand-over to a teacher
and teachers' replies. Consumers, views and the REST API call these and nothing else.

A turn: the student's message is stored; what it asks for is read from its words (the
teacher, their weak concepts, an exercise's answer, or something to learn); the reply is
composed from the course (``compose``) and checked by the leak filter against every
exercise of the student's courses before it is stored and sent. The hint ladder of an
exercise (next unused hint, then another item's worked example, then a nudge to the
passage) is read back from the conversation's own earlier replies.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from content import api as content_api
from content import selectors as content_selectors
from modeling import api as modeling_api
from students import selectors as student_selectors
from tutor.assistant import compose, intents, llm, selectors
from tutor.assistant.compose import Reply
from tutor.assistant.config import setting
from tutor.assistant.knowledge import CourseKnowledge
from tutor.assistant.leaks import answer_key, find_leaks
from tutor.assistant.models import Author, ChunkKind, Conversation, Flag, IndexedChunk, Message
from tutor.assistant.retrieval import (
    Chunk,
    CourseIndex,
    course_chunks,
    rank_concepts,
    vector_from_bytes,
    vector_to_bytes,
)

logger = logging.getLogger(__name__)


# Concepts are ranked on their passages' sentences and descriptions. Hints and worked
# examples are indexed too but belong to an exercise that often involves several concepts;
# ranked with them, recall@1 on the development questions fell from 0.933 to 0.867.
RANKED_KINDS = frozenset({ChunkKind.PASSAGE, ChunkKind.CONCEPT})


class AssistantRefusal(Exception):
    """A message the assistant refuses to take; ``code`` names why (too_long, rate_limited,
    empty, no_course)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


# --- the course index -------------------------------------------------------------------
_knowledge: dict[int, CourseKnowledge] = {}
_knowledge_lock = threading.Lock()


def _stamp_text(stamp: tuple) -> str:
    return ":".join(v.isoformat() if hasattr(v, "isoformat") else str(v) for v in stamp)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def course_knowledge(course_id: int) -> CourseKnowledge:
    """The course's knowledge at its current content stamp: from this process's cache, else
    from the stored vectors, else built now (the first question after a content change)."""
    stamp = _stamp_text(content_selectors.course_content_stamp(course_id))
    cached = _knowledge.get(course_id)
    if cached is not None and cached.stamp == stamp:
        return cached
    with _knowledge_lock:
        cached = _knowledge.get(course_id)
        if cached is not None and cached.stamp == stamp:
            return cached
        material = content_selectors.course_material(course_id)
        if material is None:
            raise AssistantRefusal("no_course", f"There is no course with id {course_id}.")
        index = _stored_index(course_id, stamp, material) or assistant_index_refresh(
            course_id, material, stamp
        )
        knowledge = CourseKnowledge(material=material, index=index)
        _knowledge[course_id] = knowledge
        return knowledge


def _stored_index(course_id: int, stamp: str, material) -> CourseIndex | None:
    rows = {
        source: (sha, vector)
        for source, sha, vector in IndexedChunk.objects.filter(course_id=course_id, stamp=stamp).values_list(
            "source", "text_sha256", "vector"
        )
    }
    chunks = course_chunks(material)
    if not chunks or len(rows) != len(chunks):
        return None
    vectors = []
    for chunk in chunks:
        row = rows.get(chunk.source)
        if row is None or row[0] != _sha(chunk.embedded_text):
            return None
        vectors.append(vector_from_bytes(row[1]))
    return CourseIndex(course_id, stamp, chunks, np.stack(vectors))


# Chunk vectors this process computed or loaded lately, by text: a course indexed again in
# the same process (a re-import, another course sharing passages) embeds only new texts.
RECENT_VECTORS = 20_000
_recent_vectors: dict[str, np.ndarray] = {}


def assistant_index_refresh(course_id: int, material=None, stamp: str | None = None) -> CourseIndex:
    """(Re)build the course's stored index at its current stamp. Vectors of chunks whose
    text has not changed are kept (a re-import or a fit of the student model bumps the
    stamp without changing the words); only new texts are embedded."""

    stamp = stamp or _stamp_text(content_selectors.course_content_stamp(course_id))
    material = material or content_selectors.course_material(course_id)
    if material is None:
        raise AssistantRefusal("no_course", f"There is no course with id {course_id}.")
    chunks: list[Chunk] = course_chunks(material)
    known = {
        sha: vector_from_bytes(vector)
        for sha, vector in IndexedChunk.objects.filter(course_id=course_id).values_list(
            "text_sha256", "vector"
        )
    }
    known.update(_recent_vectors)
    shas = [_sha(c.embedded_text) for c in chunks]
    missing = list(
        dict.fromkeys(c.embedded_text for c, sha in zip(chunks, shas, strict=True) if sha not in known)
    )
    if missing:
        for text, vector in zip(missing, modeling_api.embed_texts(missing), strict=True):
            known[_sha(text)] = vector
    for sha in shas:
        _recent_vectors[sha] = known[sha]
    while len(_recent_vectors) > RECENT_VECTORS:
        _recent_vectors.pop(next(iter(_recent_vectors)))
    vectors = np.stack([known[sha] for sha in shas]) if chunks else np.zeros((0, 384), dtype=np.float32)
    with transaction.atomic():
        IndexedChunk.objects.filter(course_id=course_id).delete()
        IndexedChunk.objects.bulk_create(
            [
                IndexedChunk(
                    course_id=course_id,
                    stamp=stamp,
                    source=c.source,
                    kind=c.kind,
                    concept_id=c.concept_id,
                    exercise_id=c.exercise_id,
                    passage_id=c.passage_id,
                    title=c.title[:300],
                    text=c.text,
                    text_sha256=sha,
                    vector=vector_to_bytes(v),
                )
                for c, sha, v in zip(chunks, shas, vectors, strict=True)
            ],
            batch_size=200,
        )
    logger.info("assistant index of course %s: %d chunks, %d embedded", course_id, len(chunks), len(missing))
    return CourseIndex(course_id, stamp, chunks, vectors)


# --- turns ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Turn:
    question: Message
    reply: Message


def conversation_for(student, course) -> Conversation:
    conversation, _ = Conversation.objects.get_or_create(student=student, course=course)
    return conversation


def message_check(student, text: object) -> str:
    """The message as it will be answered, or AssistantRefusal naming what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise AssistantRefusal("empty", "Write a question before sending it.")
    limit = setting("MAX_MESSAGE_CHARS")
    if len(text) > limit:
        raise AssistantRefusal(
            "too_long",
            f"That message is {len(text)} characters long; the limit is {limit}. Please shorten it.",
        )
    per_minute = setting("MESSAGES_PER_MINUTE")
    recent = Message.objects.filter(
        conversation__student=student,
        author_role=Author.STUDENT,
        created_at__gte=timezone.now() - timedelta(minutes=1),
    ).count()
    if recent >= per_minute:
        raise AssistantRefusal(
            "rate_limited",
            f"You have sent {recent} messages in the last minute; the limit is {per_minute}. "
            "Take a moment to think about the last reply, then ask again.",
        )
    return text.strip()


def question_vector(text: str) -> np.ndarray | None:
    """The sentence vector of a question, computed apart from the turn's database work so
    that questions arriving together share one batched forward pass; None for a message
    that will be refused anyway."""
    if not isinstance(text, str) or not text.strip() or len(text) > setting("MAX_MESSAGE_CHARS"):
        return None
    return modeling_api.embed_texts([text.strip()])[0]


def turn_ask(student, course, text: object, *, vector: np.ndarray | None = None) -> Turn:
    """Answer one message of the student about the course (checked, stored, leak-free).
    ``vector``: the question's vector if already computed (``question_vector``)."""
    text = message_check(student, text)
    knowledge = course_knowledge(course.pk)
    keys = _answer_keys_for(student, knowledge)
    on_screen, hints_seen = selectors.exercise_on_screen(student, course)
    conversation = conversation_for(student, course)
    history = selectors.recent_assistant_steps(conversation)
    closeness = knowledge.prompt_scores(text)
    best = max(closeness, key=closeness.get, default=None)
    named = best if best is not None and closeness[best] >= setting("NAMES_EXERCISE_AT") else None
    focus = {e for e in (on_screen, named, *(h.exercise_id for h in history[-6:])) if e}
    flag = None
    if intents.suggests_distress(text):
        reply, flag = compose.distress_reply(), Flag.DISTRESS
    elif intents.asks_for_teacher(text):
        reply, flag = compose.handover_reply(bool(selectors.teacher_ids_of(student))), Flag.HANDED_OVER
    elif intents.asks_for_weaknesses(text):
        mastery = student_selectors.course_mastery(student, course)
        threshold = content_api.course_settings_for(course).mastery_threshold
        reply = compose.weakness_reply(knowledge, mastery, threshold)
    elif intents.asks_for_answer(text) or (
        # a question that restates the exercise on screen asks for its answer
        on_screen and closeness.get(on_screen, 0.0) >= setting("RESTATES_EXERCISE_AT")
    ):
        target = named or on_screen or next((h.exercise_id for h in reversed(history) if h.exercise_id), None)
        reply = _ladder_step(
            knowledge, target, history, hints_seen if target == on_screen else 0, keys, focus
        )
    else:
        reply = _teach(knowledge, text, keys, focus, vector)
        if reply.kind == "dont_know":
            flag = Flag.NO_ANSWER
    reply = _rephrased(knowledge, reply, keys, focus)
    leaks = find_leaks(_sent_text(reply), keys, focus=focus, visible=knowledge.visible)
    if leaks:
        logger.warning(
            "assistant reply withheld: it would give away %s", [leak.exercise_slug for leak in leaks]
        )
        reply = compose.withheld_reply(knowledge)
    with transaction.atomic():
        question = Message.objects.create(
            conversation=conversation, author_role=Author.STUDENT, author=student, text=text
        )
        answer = Message.objects.create(
            conversation=conversation,
            author_role=Author.ASSISTANT,
            text=reply.text,
            kind=reply.kind,
            sources=list(reply.sources),
            exercise_id=reply.exercise_id,
            meta=reply.meta | {"focus": sorted(focus)},
        )
        _conversation_touch(conversation, flag)
    return Turn(question=question, reply=answer)


def _sent_text(reply: Reply) -> str:
    return "\n".join([reply.text, *(s.get("title", "") for s in reply.sources)])


def _answer_keys_for(student, knowledge: CourseKnowledge):
    """The answer keys of every exercise of the student's courses: the published ones any
    student may open, this course's first."""
    keys = list(knowledge.keys)
    for course_id in content_selectors.published_course_ids():
        if course_id != knowledge.material.course_id:
            keys.extend(course_knowledge_keys(course_id))
    return keys


_keys_cache: dict[int, tuple[str, tuple]] = {}


def course_knowledge_keys(course_id: int) -> tuple:
    """The answer keys of a course (without building its retrieval index)."""

    stamp = _stamp_text(content_selectors.course_content_stamp(course_id))
    cached = _keys_cache.get(course_id)
    if cached and cached[0] == stamp:
        return cached[1]
    material = content_selectors.course_material(course_id)
    keys = tuple(answer_key(e) for e in material.exercises) if material else ()
    _keys_cache[course_id] = (stamp, keys)
    return keys


def _teach(knowledge: CourseKnowledge, text: str, keys, focus: set[int], vector=None) -> Reply:
    hits = retrieve(knowledge, text, vector=vector)
    ranked = rank_concepts(hits)
    if not ranked or ranked[0].score < setting("MIN_SCORE"):
        return compose.dont_know_reply(knowledge, ranked[0].score if ranked else 0.0)
    return compose.teaching_reply(
        knowledge, ranked, hits, keys=keys, focus=focus, quote_sentences=setting("QUOTE_SENTENCES")
    )


def retrieve(knowledge: CourseKnowledge, text: str, *, lexical_weight: float | None = None, vector=None):
    """Every chunk of the course scored against the question, best first."""
    if vector is None:
        vector = modeling_api.embed_texts([text])[0]
    weight = setting("LEXICAL_WEIGHT") if lexical_weight is None else lexical_weight
    return knowledge.index.search(vector, text, lexical_weight=weight, kinds=RANKED_KINDS)


def _ladder_step(knowledge, target: int | None, history, hints_seen: int, keys, focus: set[int]) -> Reply:
    exercise = knowledge.exercises.get(target) if target else None
    if exercise is None:
        return compose.which_exercise_reply()
    steps = [h for h in history if h.exercise_id == exercise.id]
    given = [h.meta.get("hint", -1) for h in steps if h.kind == "hint"]
    next_hint = max([hints_seen - 1, *given]) + 1
    if next_hint < len(exercise.hints):
        reply = compose.hint_reply(exercise, next_hint)
        if not find_leaks(reply.text, keys, focus=focus, visible=knowledge.visible):
            return reply
    if not any(h.kind == "worked_example" for h in steps):
        for related in knowledge.related_exercises(exercise.id):
            reply = compose.worked_example_reply(knowledge, exercise, related, keys=keys, focus=focus)
            if reply is not None:
                return reply
    return compose.nudge_reply(knowledge, exercise)


def _rephrased(knowledge: CourseKnowledge, reply: Reply, keys, focus: set[int]) -> Reply:
    """The optional generation backend may reword a teaching reply; its words pass the same
    leak filter, and the retrieved reply stands if they fail it or the backend does."""
    if reply.kind != "answer" or not llm.enabled():
        return reply
    text = llm.rephrase(reply.text)
    if not text or find_leaks(text, keys, focus=focus, visible=knowledge.visible):
        return reply
    return Reply(
        text=text,
        kind=reply.kind,
        sources=reply.sources,
        exercise_id=reply.exercise_id,
        meta=reply.meta | {"llm": True},
    )


def _conversation_touch(conversation: Conversation, flag: str | None) -> None:
    fields = ["updated_at"]
    if flag and (conversation.flag != Flag.DISTRESS or flag == Flag.DISTRESS):
        conversation.flag = flag
        conversation.flagged_at = timezone.now()
        fields += ["flag", "flagged_at"]
    conversation.save(update_fields=fields)


def teacher_ask(student, course, text: str = "") -> Turn:
    """The student's "ask my teacher": flag the conversation handed over."""
    body = (text or "").strip() or "I'd like to ask my teacher."
    if len(body) > setting("MAX_MESSAGE_CHARS"):
        raise AssistantRefusal("too_long", f"That message is over {setting('MAX_MESSAGE_CHARS')} characters.")
    conversation = conversation_for(student, course)
    reply = compose.handover_reply(bool(selectors.teacher_ids_of(student)))
    with transaction.atomic():
        question = Message.objects.create(
            conversation=conversation,
            author_role=Author.STUDENT,
            author=student,
            text=body,
            kind="ask_teacher",
        )
        answer = Message.objects.create(
            conversation=conversation, author_role=Author.ASSISTANT, text=reply.text, kind=reply.kind
        )
        _conversation_touch(conversation, Flag.HANDED_OVER)
    return Turn(question=question, reply=answer)


def teacher_reply(teacher, conversation_id: int, text: object) -> Message | None:
    """A teacher's reply in a conversation of one of their classrooms' students, pushed to
    the student's open chat once committed; None if the conversation is not theirs."""
    conversation = selectors.conversation_for_teacher(teacher, conversation_id)
    if conversation is None:
        return None
    if not isinstance(text, str) or not text.strip():
        raise AssistantRefusal("empty", "Write a reply before sending it.")
    if len(text) > setting("MAX_MESSAGE_CHARS"):
        raise AssistantRefusal("too_long", f"That reply is over {setting('MAX_MESSAGE_CHARS')} characters.")
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation,
            author_role=Author.TEACHER,
            author=teacher,
            text=text.strip(),
            kind="teacher",
        )
        conversation.flag = Flag.NONE  # a teacher has answered: no longer waiting
        conversation.flagged_at = None
        conversation.save(update_fields=["flag", "flagged_at", "updated_at"])
        event = {"type": "assistant.message", "message": selectors.message_as_dict(message)}
        student_id = conversation.student_id
        transaction.on_commit(lambda: _push(student_id, event), robust=True)
    return message


def chat_group(user_id: int) -> str:
    """The channel-layer group of a student's open assistant chats."""
    return f"assistant-{int(user_id)}"


def _push(user_id: int, event: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(chat_group(user_id), event)
