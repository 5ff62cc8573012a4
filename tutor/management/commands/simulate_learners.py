"""``manage.py simulate_learners``: simulated students through the real selection and
student-model code (``tutor.pedagogy.simulation``), one table per policy.

    manage.py simulate_learners --course basic-electricity --policy all --students 200 --seed 1
    manage.py simulate_learners --random-course 30,400 --policy all --students 100 --json

Reads the course graph from the database and writes nothing. With ``--policy all`` every
policy meets the same seeded population, and the ratios of the adaptive policy's items to
the baselines' are printed against the targets (at most 0.7 x ``fixed``, at most 0.9 x
``mastery``, at equal or higher true mastery ``--retention-days`` later).
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from content import api as content_api
from content import selectors as content_selectors
from students import api as students_api
from tutor.pedagogy.graph import (
    ANSWER_SHOWN_ALWAYS,
    ANSWER_SHOWN_NEVER,
    ANSWER_SHOWN_WHEN_WRONG,
    CourseGraph,
)
from tutor.pedagogy.simulation import (
    POLICIES,
    LearnerPopulation,
    PolicySummary,
    RunSettings,
    random_course_graph,
    simulate,
)
from tutor.practice import selectors as practice_selectors

TARGETS = {"fixed": 0.7, "mastery": 0.9}  # adaptive items at most this x the baseline's


def _beta(text: str) -> tuple[float, float]:
    try:
        a, b = (float(x) for x in text.split(","))
    except ValueError as error:
        raise CommandError(f"A Beta distribution is given as A,B (two numbers), not {text!r}.") from error
    return a, b


def _random_course(text: str) -> tuple[int, int]:
    try:
        c, e = (int(x) for x in text.split(","))
    except ValueError as error:
        raise CommandError(f"--random-course takes C,E (concepts, exercises), not {text!r}.") from error
    if c < 1 or e < 1:
        raise CommandError("--random-course needs at least one concept and one exercise.")
    return c, e


def _policies(text: str) -> tuple[str, ...]:
    if text == "all":
        return POLICIES
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in POLICIES]
    if not names or unknown:
        raise CommandError(f"Unknown policy {text!r}; choose all, or from {', '.join(POLICIES)}.")
    return names


def comparisons(summaries: dict[str, PolicySummary]) -> dict[str, dict]:
    """The adaptive policy against each baseline present: items ratio and the difference in
    true mastery later, each with its target."""
    out: dict[str, dict] = {}
    adaptive = summaries.get("adaptive")
    if adaptive is None:
        return out
    for baseline, target in TARGETS.items():
        other = summaries.get(baseline)
        if other is None or other.items_mean <= 0:
            continue
        ratio = adaptive.items_mean / other.items_mean
        diff = adaptive.known_later - other.known_later
        out[f"adaptive/{baseline}"] = {
            "items_ratio": round(ratio, 3),
            "items_target": target,
            "known_later_difference": round(diff, 4),
            "met": ratio <= target and diff >= 0,
        }
    return out


class Command(BaseCommand):
    help = (
        "Drive simulated students through the real next-item policy and student model; print, per "
        "policy, items to declared mastery, true mastery then and later, wasted items, false mastery."
    )

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--course", help="Slug of a course in the database.")
        where.add_argument(
            "--random-course", metavar="C,E", help="A generated course of C concepts and E exercises."
        )
        parser.add_argument("--course-seed", type=int, default=0, help="Seed of --random-course (default 0).")
        parser.add_argument(
            "--policy",
            type=_policies,
            default=POLICIES,
            help=f"all, or one or more of {', '.join(POLICIES)} separated by commas (default: all).",
        )
        parser.add_argument("--students", type=int, default=200, help="Simulated students (default 200).")
        parser.add_argument("--seed", type=int, default=0, help="Seed of the population (default 0).")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

        pop = LearnerPopulation()
        group = parser.add_argument_group("simulated students (Beta distributions as A,B)")
        group.add_argument("--p-init", type=_beta, default=pop.p_init, help="P(L0) ~ Beta (default 2,3).")
        group.add_argument("--p-learn", type=_beta, default=pop.p_learn, help="P(T) ~ Beta (default 3,17).")
        group.add_argument("--p-guess", type=_beta, default=pop.p_guess, help="P(G) ~ Beta (default 4,16).")
        group.add_argument("--p-slip", type=_beta, default=pop.p_slip, help="P(S) ~ Beta (default 2,18).")
        group.add_argument(
            "--difficulty-effect",
            type=float,
            default=pop.difficulty_effect,
            help="Logit drop of P(correct) per unit of item difficulty above 0.5 (default %(default)s).",
        )
        group.add_argument(
            "--prerequisite-slowdown",
            type=float,
            default=pop.prerequisite_slowdown,
            help="P(T) divisor while a prerequisite is not truly known (default %(default)s).",
        )
        group.add_argument(
            "--half-life-days",
            type=float,
            default=pop.half_life_days,
            help="Median half-life of a learned concept (default %(default)s).",
        )
        group.add_argument(
            "--half-life-spread",
            type=float,
            default=pop.half_life_spread,
            help="Log-normal sigma of the half-life across students (default %(default)s).",
        )
        group.add_argument(
            "--spacing-gain",
            type=float,
            default=pop.spacing_gain,
            help="Practice at recall R multiplies the half-life by 1 + gain x (1 - R) (default %(default)s).",
        )
        group.add_argument(
            "--time-spread",
            type=float,
            default=pop.time_spread,
            help="Log-normal sigma of response times (default %(default)s).",
        )
        run = RunSettings()
        group = parser.add_argument_group("schedule and stopping")
        group.add_argument(
            "--session-minutes",
            type=float,
            default=run.session_minutes,
            help="Session length; the next starts a day later (default %(default)s).",
        )
        group.add_argument(
            "--feedback-seconds",
            type=float,
            default=run.feedback_seconds,
            help="Seconds between items (default %(default)s).",
        )
        group.add_argument(
            "--fixed-items",
            type=int,
            default=run.fixed_items_per_concept,
            help="Items per concept of the fixed policy (default %(default)s).",
        )
        group.add_argument(
            "--max-items-per-concept",
            type=int,
            default=run.max_items_per_concept,
            help="Cap: this many items x concepts (default %(default)s).",
        )
        group.add_argument(
            "--retention-days",
            type=float,
            default=run.retention_days,
            help="True mastery is measured again this many days after the end (default %(default)s).",
        )

    def handle(self, *args, **options):
        if options["students"] < 1:
            raise CommandError("--students must be 1 or more.")
        params = None
        if options["course"]:
            course = content_api.course_by_slug(options["course"])
            if course is None:
                raise CommandError(f"No course with the slug {options['course']!r}.")
            graph = _with_answer_shown(practice_selectors.course_graph(course), course)
            settings = practice_selectors.policy_settings(course)
            params = students_api.concept_params(c.id for c in graph.concepts)
            course_info = {"slug": course.slug}
        else:
            n_concepts, n_exercises = _random_course(options["random_course"])
            graph = random_course_graph(n_concepts, n_exercises, seed=options["course_seed"])
            settings = content_api.PolicySettings()
            course_info = {"random": f"{n_concepts},{n_exercises}", "course_seed": options["course_seed"]}
        course_info.update(concepts=len(graph.concepts), exercises=graph.exercise_count)
        if not graph.concepts:
            raise CommandError("The course has no concepts to simulate.")
        try:
            population = LearnerPopulation(
                p_init=options["p_init"],
                p_learn=options["p_learn"],
                p_guess=options["p_guess"],
                p_slip=options["p_slip"],
                difficulty_effect=options["difficulty_effect"],
                prerequisite_slowdown=options["prerequisite_slowdown"],
                half_life_days=options["half_life_days"],
                half_life_spread=options["half_life_spread"],
                spacing_gain=options["spacing_gain"],
                time_spread=options["time_spread"],
            )
            run = RunSettings(
                session_minutes=options["session_minutes"],
                feedback_seconds=options["feedback_seconds"],
                fixed_items_per_concept=options["fixed_items"],
                max_items_per_concept=options["max_items_per_concept"],
                retention_days=options["retention_days"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        policies = options["policy"]

        started = time.perf_counter()
        results = simulate(
            graph,
            policies,
            options["students"],
            options["seed"],
            population=population,
            run_settings=run,
            settings=settings,
            params=params,
        )
        seconds = time.perf_counter() - started
        summaries = {name: summary for name, (summary, _) in results.items()}
        ratios = comparisons(summaries)

        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "course": course_info,
                        "students": options["students"],
                        "seed": options["seed"],
                        "population": _plain(population),
                        "run": _plain(run),
                        "policy_settings": settings.as_dict(),
                        "policies": {name: s.as_dict() for name, s in summaries.items()},
                        "ratios": ratios,
                        "seconds": round(seconds, 2),
                    },
                    indent=2,
                )
            )
            return
        self._table(course_info, options, summaries, ratios, run, seconds)

    def _table(self, course_info, options, summaries, ratios, run, seconds) -> None:
        name = (
            course_info.get("slug")
            or f"random course {course_info['random']} (seed {course_info['course_seed']})"
        )
        self.stdout.write(
            f"Course {name}: {course_info['concepts']} concepts, {course_info['exercises']} exercises; "
            f"{options['students']} simulated students, seed {options['seed']}."
        )
        later = f"known +{run.retention_days:g}d"
        header = (
            f"{'policy':<9} {'items':>7} {'median':>7} {'p90':>6} {'declared':>9} {'known end':>10} "
            f"{later:>11} {'on known':>9} {'false m.':>9} {'days':>6} {'repeats':>8} {'min ans.':>9}"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for s in summaries.values():
            fewest = "-" if s.min_answers_at_mastery is None else str(s.min_answers_at_mastery)
            self.stdout.write(
                f"{s.policy:<9} {s.items_mean:>7.1f} {s.items_median:>7.1f} {s.items_p90:>6.0f} "
                f"{s.declared_share:>9.0%} {s.known_at_end:>10.1%} {s.known_later:>11.1%} "
                f"{s.items_on_known:>9.1f} {s.false_mastery:>9.2f} {s.days_mean:>6.1f} "
                f"{s.repeats_after_reveal:>8.2f} {fewest:>9}"
            )
        self.stdout.write(
            "items: served until the course was declared mastered (or the cap); known: share of concepts "
            "truly known; on known: items whose every concept was already truly known; false m.: concepts "
            "declared mastered but not truly known (per student); repeats: items served again while the "
            "answer shown after an earlier answer was within the course's window (per student); min ans.: "
            "the fewest answers of its own a concept had when it was declared mastered (any student)."
        )
        for key, r in ratios.items():
            verdict = "met" if r["met"] else "not met"
            self.stdout.write(
                f"{key}: items x{r['items_ratio']:.3f} (target <= {r['items_target']}), true mastery "
                f"+{run.retention_days:g}d {r['known_later_difference']:+.1%} (target >= 0): {verdict}"
            )
        self.stdout.write(f"({seconds:.1f} s)")


def _with_answer_shown(graph: CourseGraph, course) -> CourseGraph:
    """The course graph with each exercise's ``answer_shown`` from its kind, so simulated
    answers show answers as the feedback page does (the live policy reads reveals from the
    attempt log instead)."""
    material = content_selectors.course_material(course.pk)
    shown = {
        content_api.ExerciseKind.MULTIPLE_CHOICE: ANSWER_SHOWN_ALWAYS,
        content_api.ExerciseKind.NUMERIC: ANSWER_SHOWN_WHEN_WRONG,
        content_api.ExerciseKind.FREE_TEXT: ANSWER_SHOWN_NEVER,
    }
    kinds = {e.id: e.kind for e in material.exercises} if material else {}
    exercises = [
        dataclasses.replace(e, answer_shown=shown.get(kinds.get(e.id), ANSWER_SHOWN_ALWAYS))
        for e in graph.exercises_by_id.values()
    ]
    return CourseGraph(graph.concepts, exercises)


def _plain(settings) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(settings).items()}
