"""``manage.py bench`` (``make bench``): speed figures of the practice loop's model work.

Prints figures only and asserts nothing (targets are read, not tested):

* next-item selection (``tutor.pedagogy.choose_next``) for one student in a course of 1,000
  concepts and 20,000 exercises (``tutor.pedagogy.bench``): median and p95 in milliseconds,
  target under 50 ms;
* the same selection as the live tutor makes it, through ``tutor.practice.selectors.choose_next_for``
  (the cached course graph, the student's state, recent answers and item difficulties read
  from the database): the first call, which builds the graph, and the median and p95 of
  later ones, target under 50 ms. The course and its students are written inside a
  transaction that is rolled back (``--db-calls 0`` skips this part);
* one knowledge-state update (``students.kt.model.observe_answer``) on an item of 1, 2 or 3
  concepts: median and p95 in microseconds, target under 1 ms of model work (the database
  is not involved); and, for reference, the FSRS review step that follows an answer on a
  mastered concept (``students.learning.review_after_answer``).
"""

from __future__ import annotations

import math
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

# The database benchmark writes a whole course and its students' state directly, in bulk,
# inside a transaction it rolls back: no service writes 20,000 exercises at once, so it
# reaches past the apps' doors to their models (a benchmark, never product code).
from content.models import Concept, Course, Exercise, ExerciseKind, Prerequisite, Status
from students.api import AbilityState, BKTParams, ItemState, ReviewState, observe_answer, review_after_answer
from students.models import Attempt, ConceptParameters, ItemParameters, KnowledgeState
from tutor.pedagogy.bench import bench_choose, random_course, random_student
from tutor.pedagogy.graph import CourseGraph
from tutor.practice import selectors as practice_selectors
from tutor.practice import services as practice_services
from tutor.practice.models import PracticeSession


def _percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, math.ceil(q * len(sorted_values)) - 1)]


def bench_update(calls: int = 20000, seed: int = 0) -> dict[int, dict[str, float]]:
    """Time ``observe_answer`` on random states, per number of concepts (microseconds)."""
    rng = random.Random(seed)
    params = {
        c: BKTParams(
            p_init=rng.uniform(0.2, 0.6),
            p_learn=rng.uniform(0.05, 0.3),
            p_guess=rng.uniform(0.1, 0.3),
            p_slip=rng.uniform(0.05, 0.15),
        )
        for c in range(100)
    }
    out = {}
    for k in (1, 2, 3):
        timings = []
        for _ in range(calls):
            concepts = rng.sample(range(100), k)
            mastery = {c: (None if rng.random() < 0.1 else rng.random()) for c in concepts}
            item = ItemState(rng.gauss(0, 0.5), rng.randint(0, 50))
            ability = AbilityState(rng.gauss(0, 0.5), rng.randint(0, 200))
            score = rng.choice([0.0, 1.0, 1.0, 0.5])
            t = time.perf_counter_ns()
            observe_answer(mastery, params, item, ability, score=score, weight=rng.choice([1.0, 0.6]))
            timings.append((time.perf_counter_ns() - t) / 1000)
        timings.sort()
        out[k] = {
            "median_us": round(statistics.median(timings), 2),
            "p95_us": round(_percentile(timings, 0.95), 2),
        }
    return out


def bench_review(calls: int = 5000) -> dict[str, float]:
    """Time the FSRS review step after an answer on a mastered concept (microseconds)."""
    now = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    state = review_after_answer(
        ReviewState(), mastery=0.96, threshold=0.95, score=1.0, hints_used=0, now=now, card_id=1
    )
    timings = []
    for k in range(calls):
        t = time.perf_counter_ns()
        review_after_answer(
            state,
            mastery=0.97,
            threshold=0.95,
            score=1.0 if k % 5 else 0.0,
            hints_used=0,
            now=now + timedelta(days=3),
        )
        timings.append((time.perf_counter_ns() - t) / 1000)
    timings.sort()
    return {"median_us": round(statistics.median(timings), 2), "p95_us": round(_percentile(timings, 0.95), 2)}


class _Rollback(Exception):
    """Raised to roll back the benchmark's writes."""


def _percentiles(timings: list[float]) -> dict[str, float]:
    timings = sorted(timings)
    return {
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(_percentile(timings, 0.95), 3),
        "max_ms": round(timings[-1], 3),
    }


def bench_select_db(
    n_concepts: int = 1000, n_exercises: int = 20000, seed: int = 0, calls: int = 100, students: int = 10
) -> dict:
    """Time ``tutor.practice.selectors.choose_next_for`` (milliseconds): a course of ``n_concepts`` and
    ``n_exercises`` (with fitted concept and item parameters) and ``students`` students part-way
    through it (``random_student``'s states, a session of 30 answers) are written to the
    database; the first selection builds and caches the course graph (``cold_ms``), then
    ``calls`` selections round the students are timed. Everything is rolled back."""
    rng = random.Random(seed)
    concepts, exercises = random_course(n_concepts, n_exercises, rng)
    out: dict = {"n_concepts": n_concepts, "n_exercises": n_exercises, "calls": calls, "students": students}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            course = Course.objects.create(
                slug=f"bench-{seed}-{rng.getrandbits(32):08x}", title="Bench", status=Status.PUBLISHED
            )
            rows = Concept.objects.bulk_create(
                [Concept(course=course, slug=c.slug, name=c.name, order=c.order) for c in concepts]
            )
            pk = {c.id: row.pk for c, row in zip(concepts, rows, strict=True)}
            Prerequisite.objects.bulk_create(
                [
                    Prerequisite(concept_id=pk[c.id], requires_id=pk[p])
                    for c in concepts
                    for p in c.prerequisites
                ],
                batch_size=2000,
            )
            ConceptParameters.objects.bulk_create(
                [
                    ConceptParameters(
                        concept_id=pk[c.id], p_init=0.2, p_learn=c.p_learn, p_guess=c.p_guess, p_slip=c.p_slip
                    )
                    for c in concepts
                ],
                batch_size=2000,
            )
            rows = Exercise.objects.bulk_create(
                [
                    Exercise(
                        course=course,
                        slug=f"e{e.id}",
                        kind=ExerciseKind.MULTIPLE_CHOICE,
                        prompt="?",
                        difficulty=e.difficulty,
                        expected_seconds=int(e.expected_seconds),
                        status=Status.PUBLISHED,
                        worked_example="Step by step." if e.has_worked_example else "",
                    )
                    for e in exercises
                ],
                batch_size=2000,
            )
            epk = {e.id: row.pk for e, row in zip(exercises, rows, strict=True)}
            link = Exercise.concepts.through
            link.objects.bulk_create(
                [link(exercise_id=epk[e.id], concept_id=pk[c]) for e in exercises for c in e.concepts],
                batch_size=2000,
            )
            ItemParameters.objects.bulk_create(
                [
                    ItemParameters(exercise_id=epk[e.id], difficulty=rng.gauss(0, 0.5), n_attempts=20)
                    for e in exercises
                ],
                batch_size=2000,
            )
            graph = practice_selectors.course_graph(course)  # the database ids, for the students below
            by_rank = {c.order: c.id for c in graph.concepts}
            sessions = []
            now = timezone.now()
            user_model = get_user_model()
            plain = CourseGraph(concepts, exercises)
            for k in range(students):
                student = user_model.objects.create(username=f"bench-student-{course.pk}-{k}")
                view, _ = random_student(plain, rng, now)
                KnowledgeState.objects.bulk_create(
                    [
                        KnowledgeState(
                            student=student,
                            concept_id=by_rank[cid - 1],
                            mastery=s.mastery,
                            n_attempts=s.n_attempts,
                            error_streak=s.error_streak,
                            first_practiced_at=s.first_practiced_at,
                            last_practiced_at=s.last_practiced_at,
                            mastered_at=s.last_practiced_at if s.mastered else None,
                            review_due_at=s.review_due_at,
                        )
                        for cid, s in view.states.items()
                    ],
                    batch_size=2000,
                )
                session = PracticeSession.objects.create(student=student, course=course)
                PracticeSession.objects.filter(pk=session.pk).update(started_at=now - timedelta(minutes=32))
                Attempt.objects.bulk_create(
                    [
                        Attempt(
                            student=student,
                            exercise_id=epk[r.exercise_id],
                            context=practice_services.practice_context(session),
                            response={},
                            is_correct=r.correct,
                            score=1.0 if r.correct else 0.0,
                            response_seconds=r.response_seconds,
                            knowledge_updated=True,
                        )
                        for r in view.recent
                    ]
                )
                sessions.append(
                    PracticeSession.objects.select_related("course", "student").get(pk=session.pk)
                )
            out["setup_s"] = round(time.perf_counter() - started, 1)

            practice_selectors.course_graph_cache_clear()
            t = time.perf_counter()
            practice_selectors.choose_next_for(sessions[0])
            out["cold_ms"] = round((time.perf_counter() - t) * 1000, 1)
            timings = []
            rules: dict[str, int] = {}
            for k in range(calls):
                session = sessions[k % len(sessions)]
                t = time.perf_counter()
                decision = practice_selectors.choose_next_for(session)
                timings.append((time.perf_counter() - t) * 1000)
                rules[decision.rule] = rules.get(decision.rule, 0) + 1
            out.update(_percentiles(timings))
            out["rules"] = dict(sorted(rules.items()))
            raise _Rollback
    except _Rollback:
        pass
    finally:
        practice_selectors.course_graph_cache_clear()
    return out


class Command(BaseCommand):
    help = "Print speed figures: next-item selection in a large course, one knowledge-state update."

    def add_arguments(self, parser):
        parser.add_argument("--concepts", type=int, default=1000)
        parser.add_argument("--exercises", type=int, default=20000)
        parser.add_argument("--choices", type=int, default=200, help="Students timed (default 200).")
        parser.add_argument(
            "--updates", type=int, default=20000, help="Updates timed per size (default 20000)."
        )
        parser.add_argument(
            "--db-calls",
            type=int,
            default=100,
            help="Selections timed through the database path (default 100; 0 skips it).",
        )
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        choose = bench_choose(
            options["concepts"], options["exercises"], seed=options["seed"], calls=options["choices"]
        )
        self.stdout.write(
            f"Next-item selection, {choose['n_concepts']} concepts and {choose['n_exercises']} exercises "
            f"({choose['calls']} students; target < 50 ms):"
        )
        self.stdout.write(
            f"  median {choose['median_ms']:.2f} ms, p95 {choose['p95_ms']:.2f} ms, max {choose['max_ms']:.2f} ms; "
            f"{choose['predict_calls_per_choice']} predictions per choice; "
            f"course graph built once in {choose['build_ms']:.0f} ms"
        )
        self.stdout.write(f"  rules: {choose['rules']}")
        if options["db_calls"] > 0:
            live = bench_select_db(
                options["concepts"], options["exercises"], seed=options["seed"], calls=options["db_calls"]
            )
            self.stdout.write(
                f"Live selection through the database (tutor.practice.selectors.choose_next_for; {live['calls']} calls "
                f"over {live['students']} students; target < 50 ms):"
            )
            self.stdout.write(
                f"  median {live['median_ms']:.2f} ms, p95 {live['p95_ms']:.2f} ms, max {live['max_ms']:.2f} ms; "
                f"first call, building the course graph, {live['cold_ms']:.0f} ms "
                f"(course written in {live['setup_s']:.1f} s, then rolled back)"
            )
            self.stdout.write(f"  rules: {live['rules']}")
        self.stdout.write(
            f"Knowledge-state update, observe_answer model work ({options['updates']} calls each; target < 1 ms):"
        )
        for k, figures in bench_update(options["updates"], options["seed"]).items():
            self.stdout.write(
                f"  {k} concept{'s' if k > 1 else ' '}: median {figures['median_us']:.1f} us, "
                f"p95 {figures['p95_us']:.1f} us"
            )
        review = bench_review()
        self.stdout.write(
            f"  then FSRS review of a mastered concept: median {review['median_us']:.1f} us, "
            f"p95 {review['p95_us']:.1f} us"
        )
