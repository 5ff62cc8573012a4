"""Answers built to fool the grader: the transforms, the adversarial sets, the training
examples labelled by rule."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from modeling.grader import adversarial
from modeling.grader.checks import run_checks
from modeling.grader.data import Example
from modeling.grader.training import TrainConfig, augmented_examples, load_split


@pytest.mark.parametrize(
    ("reference", "negated"),
    [
        ("Bulb A is in a closed path", "Bulb A is not in a closed path"),
        ("bulb B creates a gap", "bulb B does not create a gap"),
        ("The switch doesn't close the circuit.", "The switch does close the circuit."),
        ("The terminals are not connected", "The terminals are connected"),
        ("Water carries the salt", "Water does not carry the salt"),
    ],
)
def test_a_negation_adds_or_removes_one_not(reference, negated):
    assert adversarial.negate(reference) == negated


def test_an_antonym_swap_replaces_one_domain_word_by_its_opposite():
    assert (
        adversarial.antonym_swap("The switch is closed, so current flows.")
        == "The switch is open, so current flows."
    )
    assert adversarial.antonym_swap("Bulbs in Series share one path") == "Bulbs in Parallel share one path"
    assert adversarial.antonym_swap("Current flows through the bulb") is None


def test_a_keyword_list_is_the_references_content_words_in_another_order():
    listed = adversarial.keyword_list("The water evaporated and left the salt behind.", random.Random(1))

    words = [w.strip(",") for w in listed.split()]
    assert sorted(words) == sorted(["water", "evaporated", "left", "salt", "behind"])
    assert words != ["water", "evaporated", "left", "salt", "behind"]
    assert adversarial.keyword_list("Yes.", random.Random(1)) is None


def test_sentences_are_shuffled_only_when_there_are_several():
    text = "The salt dissolves. The water evaporates. The salt is left."
    shuffled = adversarial.shuffled_sentences(text, random.Random(0))
    assert shuffled != text and sorted(shuffled.split(". ")) != [] and len(shuffled) == len(text)
    assert adversarial.shuffled_sentences("One sentence only.", random.Random(0)) is None


def _examples() -> list[Example]:
    return [
        Example(
            question="Switch X is open. Why does bulb A stay on?",
            reference_answers=("Bulb A is in a closed path", "The switch is closed"),
            student_answer="it is connected",
            label_5way="correct",
            question_id="Q1",
            dataset="beetle",
        ),
        Example(
            question="What happens to the water when it is heated?",
            reference_answers=("The water evaporates and the salt is left behind.",),
            student_answer="it boils",
            label_5way="partially_correct_incomplete",
            question_id="Q2",
            dataset="sciEntsBank",
        ),
    ]


def test_adversarial_sets_are_built_per_question_and_reference_and_are_deterministic():
    questions = adversarial.questions_of(_examples())

    sets = adversarial.adversarial_sets(questions, seed=3)

    assert set(sets) == set(adversarial.ADVERSARIAL_SETS)
    assert len(sets["question_copies"]) == 2
    assert len(sets["references"]) == len(sets["negations"]) == 3
    assert [answer for _, _, answer in sets["references"]] == [
        "Bulb A is in a closed path",
        "The switch is closed",
        "The water evaporates and the salt is left behind.",
    ]
    assert sets == adversarial.adversarial_sets(questions, seed=3)
    # and the checks before the model catch what was built to game it
    for q, refs, answer in sets["negations"] + sets["question_copies"]:
        assert run_checks(q, refs, answer), answer


def test_augmentations_are_labelled_by_rule():
    built = adversarial.augmentations(_examples(), seed=0, per_question=2)
    by_answer = {e.student_answer: e.label_5way for e in built}

    assert by_answer["Bulb A is in a closed path"] == "correct"
    assert by_answer["Bulb A is not in a closed path"] == "contradictory"
    assert by_answer["The switch is open"] == "contradictory"  # antonym swap
    assert by_answer["Switch X is open. Why does bulb A stay on?"] == "irrelevant"
    assert by_answer["Why does bulb A stay on?"] == "irrelevant"  # its asking sentence alone
    assert by_answer["The water evaporates and the salt is not left behind."] == "contradictory"
    assert Counter(by_answer.values())["partially_correct_incomplete"] >= 2  # keyword lists
    assert built == adversarial.augmentations(_examples(), seed=0, per_question=2)


def test_training_augments_only_its_own_questions_and_within_its_share(data_files):
    config = TrainConfig(data=data_files, max_train=400)
    train, val = load_split(config)

    built = augmented_examples(config, train)

    assert 0 < len(built) <= 0.25 * len(train)
    assert {(e.dataset, e.question_id) for e in built} <= {(e.dataset, e.question_id) for e in train}
    assert not {(e.dataset, e.question_id) for e in built} & {(e.dataset, e.question_id) for e in val}
    assert augmented_examples(TrainConfig(data=data_files, augment=False), train) == []
