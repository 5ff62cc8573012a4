"""The learner simulator (``tutor.pedagogy.simulation``) and ``manage.py simulate_learners``: the
simulated students behave as documented, the baselines do what they claim, and the adaptive
policy is the product's own ``choose_next``."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from content.api import PolicySettings
from students import learning
from students.kt import model
from students.learning import ConceptKnowledge, knowledge_update
from tutor.pedagogy import ConceptInfo, CourseGraph, ExerciseInfo, choose_next
from tutor.pedagogy.simulation import (
    POLICIES,
    START,
    AdaptivePolicy,
    FixedPolicy,
    Learner,
    LearnerPopulation,
    MasteryPolicy,
    RunSettings,
    TutorBeliefs,
    beliefs,
    concept_state,
    make_policy,
    problem_sets,
    random_course_graph,
    simulate,
    simulate_student,
    tutor_params,
)
from tutor.practice import selectors as practice_selectors

POPULATION = LearnerPopulation()


def chain_course() -> CourseGraph:
    """A before B (B builds on A), one item each."""
    concepts = [
        ConceptInfo(
            id=1, slug="a", name="A", order=0, prerequisites=(), p_guess=0.2, p_slip=0.1, p_learn=0.15
        ),
        ConceptInfo(
            id=2, slug="b", name="B", order=1, prerequisites=(1,), p_guess=0.2, p_slip=0.1, p_learn=0.15
        ),
    ]
    exercises = [
        ExerciseInfo(id=11, concepts=(1,), difficulty=0.5, expected_seconds=60, has_worked_example=False),
        ExerciseInfo(id=21, concepts=(2,), difficulty=0.5, expected_seconds=60, has_worked_example=False),
    ]
    return CourseGraph(concepts, exercises)


def chain_course_with_a_pair() -> CourseGraph:
    """``chain_course`` plus an item on A alone (11) and one on A and B (12)."""
    base = chain_course()
    exercises = [
        ExerciseInfo(id=11, concepts=(1,), difficulty=0.5, expected_seconds=60, has_worked_example=False),
        ExerciseInfo(id=12, concepts=(1, 2), difficulty=0.5, expected_seconds=60, has_worked_example=True),
    ]
    return CourseGraph(base.concepts, exercises)


def run_one(graph: CourseGraph, chosen_policy, student: int = 0, seed: int = 5):
    settings = PolicySettings()
    learner = Learner(graph, POPULATION, seed, student)
    tutor = TutorBeliefs(graph, tutor_params(graph), settings, {})
    return simulate_student(
        graph, chosen_policy, learner, tutor, settings, RunSettings(), random.Random(seed * 1000 + student)
    )


# --- determinism -----------------------------------------------------------------------
def test_the_simulation_is_deterministic_for_a_seed():
    graph = random_course_graph(6, 30, seed=2)

    first = simulate(graph, POLICIES, 3, seed=7)
    again = simulate(graph, POLICIES, 3, seed=7)
    other = simulate(graph, POLICIES, 3, seed=8)

    assert {k: v[1] for k, v in first.items()} == {k: v[1] for k, v in again.items()}
    assert {k: v[1] for k, v in first.items()} != {k: v[1] for k, v in other.items()}


def test_every_policy_meets_the_same_students():
    graph = random_course_graph(5, 20, seed=1)

    one, two = Learner(graph, POPULATION, 3, 4), Learner(graph, POPULATION, 3, 4)

    assert (one.p_learn, one.p_guess, one.known, one.base_half_life) == (
        two.p_learn,
        two.p_guess,
        two.known,
        two.base_half_life,
    )


# --- the simulated learner -------------------------------------------------------------
def _learning_rate(prerequisite_known: bool, trials: int = 3000) -> float:
    graph = chain_course()
    rng = random.Random(1)
    learned = 0
    for _ in range(trials):
        learner = Learner(graph, POPULATION, 0, 0)
        learner.p_learn = [0.4, 0.4]
        learner.known = [prerequisite_known, False]
        learner.practise([1], 0.0, rng)
        learned += learner.known[1]
    return learned / trials


def test_learning_is_slowed_while_a_prerequisite_is_not_truly_known():
    # Given B builds on A and P(T) of B is 0.4
    with_prerequisite = _learning_rate(prerequisite_known=True)
    without = _learning_rate(prerequisite_known=False)

    # Then B is learned at P(T) when A is known, at P(T) / 4 when it is not
    assert with_prerequisite == pytest.approx(0.4, abs=0.04)
    assert without == pytest.approx(0.1, abs=0.03)


def test_forgetting_lowers_true_knowledge_over_thirty_days():
    graph = random_course_graph(40, 40, seed=3)
    learner = Learner(graph, POPULATION, 0, 0)
    learner.known = [True] * 40

    now = learner.expected_known(0.0)
    expected_later = learner.expected_known(30.0)
    learner.forget(30.0, random.Random(0))

    assert now == 1.0
    assert 0.0 < expected_later < 0.9
    assert sum(learner.known) < 40


def test_spaced_practice_strengthens_memory_more_than_massed_practice():
    graph = chain_course()
    massed, spaced = Learner(graph, POPULATION, 0, 0), Learner(graph, POPULATION, 0, 0)
    for learner in (massed, spaced):
        learner.known = [True, True]
    rng = random.Random(0)

    massed.practise([0], 0.01, rng)
    spaced.practise([0], 7.0, rng)

    assert massed.half_life[0] < 1.01 * massed.base_half_life
    assert spaced.half_life[0] > 1.5 * spaced.base_half_life


def test_harder_items_are_answered_right_less_often_whether_known_or_not():
    learner = Learner(chain_course(), POPULATION, 0, 0)
    for known in (True, False):
        learner.known = [known, known]

        assert learner.p_correct([0], 0.9) < learner.p_correct([0], 0.5) < learner.p_correct([0], 0.1)


# --- the baselines ---------------------------------------------------------------------
def test_the_fixed_policy_serves_exactly_n_items_per_concept_in_curriculum_order():
    graph = random_course_graph(5, 40, seed=4)
    sets = problem_sets(graph)
    served: list[int] = []
    fixed = FixedPolicy(3)
    original = fixed.next

    def spy(run):
        choice = original(run)
        if choice.exercise_id is not None:
            served.append(choice.exercise_id)
        return choice

    fixed.next = spy

    result = run_one(graph, fixed)

    assert result.items == 15 and result.declared
    for position, exercise_id in enumerate(served):
        assert exercise_id in sets[position // 3]  # concept 0 three times, then concept 1...


def test_the_mastery_policy_never_moves_on_before_the_criterion():
    graph = random_course_graph(5, 40, seed=6)
    sets = problem_sets(graph)
    mastery = MasteryPolicy()
    original = mastery.next
    checked = []

    def spy(run):
        choice = original(run)
        if choice.exercise_id is not None:
            first_open = next(
                rank for rank, c in enumerate(graph.concepts) if not run.tutor.is_mastered(c.id)
            )
            # every concept before the one practised has reached the criterion (an item of its
            # own, or, when its own are spent, any item of it that can still count)
            assert choice.exercise_id in sets[first_open] or graph.concepts[first_open].id in (
                graph.exercise(choice.exercise_id).concepts
            )
            checked.append(first_open)
        return choice

    mastery.next = spy

    result = run_one(graph, mastery)

    assert checked and result.declared


def test_the_mastery_policy_declares_the_course_only_when_every_belief_is_at_the_threshold():
    graph = random_course_graph(4, 30, seed=8)
    settings = PolicySettings()
    learner = Learner(graph, POPULATION, 1, 0)
    tutor = TutorBeliefs(graph, tutor_params(graph), settings, {})

    result = simulate_student(
        graph, MasteryPolicy(), learner, tutor, settings, RunSettings(), random.Random(1)
    )

    assert result.declared
    assert all(tutor.belief(c.id) >= settings.mastery_threshold for c in graph.concepts)


# --- the product's code ----------------------------------------------------------------
def test_the_adaptive_policy_is_the_products_choose_next():
    assert AdaptivePolicy().choose is choose_next
    assert make_policy("adaptive", RunSettings()).choose is choose_next
    # and the tutor's beliefs move by the live update, and predict by the live predictor
    assert beliefs.knowledge_update is learning.knowledge_update
    assert beliefs.predict_answer is model.predict_answer
    assert practice_selectors.students_api.predict_answer is model.predict_answer


def test_a_simulated_answer_updates_the_beliefs_exactly_as_knowledge_update_says():
    # Given a student who answered the item on A and B once already, with a worked example shown
    graph = chain_course_with_a_pair()
    params = tutor_params(graph)
    tutor = TutorBeliefs(graph, params, PolicySettings(), {})
    pair = graph.exercise(12)
    first, second = START, START + timedelta(minutes=2)
    tutor.observe(pair, 1.0, first, worked_example_shown=True)
    before = dict(tutor.knowledge)
    item, ability = tutor.items[12], tutor.ability

    # When they answer it wrong
    update = tutor.observe(pair, 0.0, second, worked_example_shown=False)

    # Then every record is what knowledge_update returns for the same inputs
    expected = knowledge_update(
        {1: before[1], 2: before[2]},
        params,
        item,
        ability,
        score=0.0,
        hints_used=0,
        worked_example_shown=False,
        threshold=PolicySettings().mastery_threshold,
        now=second,
        card_ids={1: 1, 2: 2},
    )
    assert update == expected
    assert tutor.knowledge == {**before, **expected.concepts}
    assert (tutor.items[12], tutor.ability) == (expected.item, expected.ability)
    # and the policy sees those records
    assert tutor.states == {c: concept_state(k) for c, k in expected.concepts.items()}
    assert tutor.states[1].error_streak == 1 and tutor.states[1].n_attempts == 2
    # and P(correct) is the live predictor's on them
    assert (
        tutor.predict(12)
        == model.predict_answer(
            {1: expected.concepts[1].mastery, 2: expected.concepts[2].mastery},
            params,
            expected.item,
            expected.ability,
        ).p_correct
    )


def test_a_concept_never_practised_starts_from_an_empty_record():
    graph = chain_course_with_a_pair()
    tutor = TutorBeliefs(graph, tutor_params(graph), PolicySettings(), {})

    update = tutor.observe(graph.exercise(11), 1.0, START, worked_example_shown=False)

    expected = knowledge_update(
        {1: ConceptKnowledge()},
        tutor_params(graph),
        model.ItemState(),
        model.AbilityState(),
        score=1.0,
        hints_used=0,
        worked_example_shown=False,
        threshold=PolicySettings().mastery_threshold,
        now=START,
        card_ids={1: 1},
        exercise_id=11,
        min_independent=PolicySettings().mastery_min_independent,
        fresh_items={1: tutor.fresh_own_items(1, 11, ())},
    )
    assert update == expected
    assert update.concepts[1].independent_correct == 1 and update.concepts[1].credited == (11,)
    assert set(tutor.knowledge) == {1}
    assert tutor.belief(2) == tutor.prior[2]


def test_the_adaptive_policy_calls_choose_next_for_every_item():
    graph = random_course_graph(4, 24, seed=9)
    calls = []

    def spy(*args):
        decision = choose_next(*args)
        calls.append(decision)
        return decision

    result = run_one(graph, AdaptivePolicy(choose=spy))

    served = [d for d in calls if d.exercise_id is not None]
    assert result.items >= 1
    assert len(served) >= result.items
    assert result.declared == any(d.done for d in calls)


# --- the command -----------------------------------------------------------------------
def test_the_command_prints_json_with_the_documented_keys():
    out = StringIO()

    call_command(
        "simulate_learners", "--random-course", "5,25", "--students", "3", "--seed", "2", "--json", stdout=out
    )

    data = json.loads(out.getvalue())
    assert set(data) >= {
        "course",
        "students",
        "seed",
        "population",
        "run",
        "policy_settings",
        "policies",
        "ratios",
    }
    assert list(data["policies"]) == list(POLICIES)
    for figures in data["policies"].values():
        assert set(figures) >= {
            "items_mean",
            "items_median",
            "declared_share",
            "known_at_end",
            "known_later",
            "items_on_known",
            "false_mastery",
        }
    assert set(data["ratios"]) == {"adaptive/fixed", "adaptive/mastery"}
    assert data["run"]["fixed_items_per_concept"] == 8
    assert data["course"] == {"random": "5,25", "course_seed": 0, "concepts": 5, "exercises": 25}


def test_the_command_prints_a_table_with_the_ratios_against_the_targets():
    out = StringIO()

    call_command("simulate_learners", "--random-course", "4,16", "--students", "2", stdout=out)

    text = out.getvalue()
    for name in POLICIES:
        assert f"\n{name} " in text
    assert "adaptive/fixed: items x" in text and "(target <= 0.7)" in text
    assert "adaptive/mastery: items x" in text and "(target <= 0.9)" in text


@pytest.mark.django_db
def test_the_command_reads_a_course_from_the_database():
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()

    call_command(
        "simulate_learners",
        "--course",
        "basic-electricity",
        "--policy",
        "adaptive",
        "--students",
        "2",
        "--json",
        stdout=out,
    )

    data = json.loads(out.getvalue())
    assert data["course"] == {"slug": "basic-electricity", "concepts": 9, "exercises": 65}
    assert list(data["policies"]) == ["adaptive"]
    assert data["ratios"] == {}


def test_the_command_refuses_a_bad_option():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="C,E"):
        call_command("simulate_learners", "--random-course", "five", stdout=StringIO())
    with pytest.raises(CommandError, match="Beta"):
        call_command("simulate_learners", "--random-course", "3,6", "--p-init", "1", stdout=StringIO())
