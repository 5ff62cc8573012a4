"""``manage.py bench`` (``make bench``): speed figures of the practice loop's model work.

Prints figures only and asserts nothing (targets are read, not tested):

* next-item selection (``tutor.policy.choose_next``) for one student in a course of 1,000
  concepts and 20,000 exercises (``tutor.policy_bench``): median and p95 in milliseconds,
  target under 50 ms;
* the same selection as the live tutor makes it, through ``tutor.selectors.choose_next_for``
  (the cached course graph, the student's state, recent answers and item difficulties read
  from the database): the first call, which builds the graph, and the median and p95 of
  later ones, target under 50 ms. The course and its students are written inside a
  transaction that is rolled back (``--db-calls 0`` skips this part);
* one knowledge-state update (``students.kt.model.observe_answer``) on an item of 1, 2 or 3
  concepts: median and p95 in microseconds, target under 1 ms of model work (the database
  is not involved); and, for reference, the FSRS review step that follows an answer on a
  mastered concept (``students.knowledge.review_after_answer``).
"""

from __future__ import annotations

import math
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand

from students.learning import ReviewState, review_after_answer
from students.kt.bkt import BKTParams
from students.kt.model import AbilityState, ItemState, observe_answer
from tutor.policy_bench import bench_choose, bench_select_db


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
                f"Live selection through the database (tutor.selectors.choose_next_for; {live['calls']} calls "
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
