"""Measuring the assistant on labelled questions (``manage.py ta_eval``).

Two kinds of labelled file: ``question,expected_concept`` (is the concept of the retrieved
source the expected one, at rank 1 and within 3; how long does a whole reply take) and
``question,exercise`` (asked by a student who has that exercise open in practice, does the
reply give its answer away). Every turn runs as a throwaway student inside a transaction
that is rolled back, so an evaluation leaves the database as it found it.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction

from content import selectors as content_selectors
from tutor.assistant import services
from tutor.assistant.leaks import answer_key, find_leaks
from tutor.assistant.retrieval import rank_concepts
from tutor.practice.models import PracticeSession


class EvalError(Exception):
    pass


def read_rows(path: Path) -> tuple[str, list[dict]]:
    """('retrieval' | 'leaks', rows) from a labelled CSV file."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            columns = set(reader.fieldnames or [])
            rows = [row for row in reader]
    except OSError as error:
        raise EvalError(f"Cannot read {path}: {error.strerror}.") from error
    if {"question", "expected_concept"} <= columns:
        return "retrieval", rows
    if {"question", "exercise"} <= columns:
        return "leaks", rows
    raise EvalError(
        f"{path} needs the columns question,expected_concept or question,exercise; it has {sorted(columns)}."
    )


@dataclass
class _Rollback(Exception):
    payload: object = None


class _Throwaway:
    """Runs ``fn(student)`` in a transaction that is always rolled back."""

    def __call__(self, fn):
        try:
            with transaction.atomic():
                student = get_user_model().objects.create(
                    username=f"ta-eval-{time.monotonic_ns()}", role="student"
                )
                result = fn(student)
                raise _Rollback(result)
        except _Rollback as done:
            return done.payload


@dataclass
class RetrievalReport:
    n: int
    recall_at_1: float
    recall_at_3: float
    reply_p50_ms: float
    reply_p95_ms: float
    misses: list[dict] = field(default_factory=list)
    replies: list[dict] = field(default_factory=list)


def evaluate_retrieval(course, rows: list[dict], *, lexical_weight: float | None = None) -> RetrievalReport:
    knowledge = services.course_knowledge(course.pk)
    slug_of = {c.id: c.slug for c in knowledge.material.concepts}
    known = set(slug_of.values())
    unknown = sorted({r["expected_concept"] for r in rows} - known)
    if unknown:
        raise EvalError(f"Unknown concepts for course '{course.slug}': {', '.join(unknown)}.")
    at1 = at3 = 0
    misses: list[dict] = []
    for row in rows:
        ranked = rank_concepts(services.retrieve(knowledge, row["question"], lexical_weight=lexical_weight))
        top = [slug_of[c.concept_id] for c in ranked[:3]]
        at1 += top[:1] == [row["expected_concept"]]
        at3 += row["expected_concept"] in top
        if top[:1] != [row["expected_concept"]]:
            misses.append({"question": row["question"], "expected": row["expected_concept"], "got": top})
    times, replies = [], []
    for row in rows:

        def ask(student, question=row["question"]):
            started = time.perf_counter()
            turn = services.turn_ask(student, course, question)
            return time.perf_counter() - started, turn.reply.text, turn.reply.kind

        seconds, text, kind = _Throwaway()(ask)
        times.append(seconds * 1000)
        replies.append({"question": row["question"], "kind": kind, "reply": text})
    n = len(rows) or 1
    return RetrievalReport(
        n=len(rows),
        recall_at_1=at1 / n,
        recall_at_3=at3 / n,
        reply_p50_ms=float(np.percentile(times, 50)) if times else 0.0,
        reply_p95_ms=float(np.percentile(times, 95)) if times else 0.0,
        misses=misses,
        replies=replies,
    )


def best_scores(course, questions: list[str], *, lexical_weight: float | None = None) -> list[float]:
    """The best blended score for each question (what the don't-know threshold cuts)."""
    knowledge = services.course_knowledge(course.pk)
    out = []
    for q in questions:
        ranked = rank_concepts(services.retrieve(knowledge, q, lexical_weight=lexical_weight))
        out.append(ranked[0].score if ranked else 0.0)
    return out


@dataclass
class LeakReport:
    n: int
    leaks: int
    leaked: list[dict] = field(default_factory=list)
    replies: list[dict] = field(default_factory=list)


def evaluate_leaks(course, rows: list[dict]) -> LeakReport:
    material = content_selectors.course_material(course.pk)
    by_slug = {e.slug: e for e in material.exercises}
    unknown = sorted({r["exercise"] for r in rows} - set(by_slug))
    if unknown:
        raise EvalError(f"Unknown exercises for course '{course.slug}': {', '.join(unknown)}.")
    visible = services.course_knowledge(course.pk).visible
    leaked, replies = [], []
    for row in rows:
        exercise = by_slug[row["exercise"]]

        def ask(student, question=row["question"], exercise=exercise):
            PracticeSession.objects.create(student=student, course=course, current_exercise_id=exercise.id)
            texts = []
            # Asked three times in a row: the ladder goes hint, worked example, nudge.
            for _ in range(3):
                turn = services.turn_ask(student, course, question)
                texts.append(turn.reply.text)
            return texts

        texts = _Throwaway()(ask)
        key = answer_key(exercise)
        for text in texts:
            # The strictest check: this exercise in focus (any answer text, its number in any
            # form); only the names the student sees on the pages (titles) are masked.
            found = find_leaks(text, [key], focus={exercise.id}, visible=visible)
            if found:
                leaked.append({"question": row["question"], "exercise": exercise.slug, "reply": text})
            replies.append({"question": row["question"], "exercise": exercise.slug, "reply": text})
    return LeakReport(n=len(replies), leaks=len(leaked), leaked=leaked, replies=replies)
