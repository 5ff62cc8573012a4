"""The checks before the model: each fires on the answer built to game the grader, and not on
the answers students write."""

from __future__ import annotations

import numpy as np
import pytest

from modeling.grader.checks import (
    is_keyword_list,
    is_polarity_flip,
    is_question_copy,
    matches_reference,
    negation_count,
    run_checks,
    tokens,
)
from modeling.grader.engine import apply_checks
from modeling.grader.labels import LABELS_5WAY

QUESTION = "Explain why you got a voltage reading of 1.5 for terminal 1 and the positive terminal."
REFERENCES = (
    "Terminal 1 and the positive terminal are separated by the gap",
    "terminal 1 is connected to the negative battery terminal",
)


def test_tokens_split_contractions_into_a_negation():
    assert tokens("Bulb B doesn't light; it can't.") == [
        "bulb",
        "b",
        "does",
        "not",
        "light",
        "it",
        "can",
        "not",
    ]
    assert negation_count("There is no gap, and it is not closed") == 2


# --- the question pasted back --------------------------------------------------------------


def test_the_question_pasted_back_is_a_question_copy():
    assert is_question_copy(QUESTION, QUESTION, REFERENCES)
    assert is_question_copy(
        "voltage reading of 1.5 for terminal 1 and the positive terminal", QUESTION, REFERENCES
    )


def test_an_answer_that_reuses_the_questions_words_to_say_something_is_not_a_copy():
    answer = "the positive terminal and terminal 1 are separated by a gap"
    assert not is_question_copy(answer, QUESTION, REFERENCES)


def test_a_restatement_that_matches_a_reference_is_not_a_copy_of_a_yes_no_question():
    # given a yes/no question whose reference restates it
    question, references = "Is bulb A in a closed path?", ("Bulb A is in a closed path",)

    # then the reference itself is not taken for a copy of the question; the question is
    assert not is_question_copy("Bulb A is in a closed path", question, references)
    assert is_question_copy(question, question, references)


def test_a_copy_with_a_negation_added_is_a_claim_not_a_copy():
    assert not is_question_copy(
        "the connection between a bulb terminal and a battery terminal is not there",
        "What does a voltage reading of 1.5 tell you about the connection between a bulb terminal and a "
        "battery terminal?",
        ("the terminals are not connected",),
    )


# --- a list of the reference's key words --------------------------------------------------


def test_the_references_key_words_shuffled_are_a_keyword_list():
    assert is_keyword_list("gap positive separated terminal 1", QUESTION, REFERENCES)
    assert is_keyword_list("separated, terminal, gap, positive", QUESTION, REFERENCES)
    # in the reference's own order too: telegraphic, it states nothing
    assert is_keyword_list("positive terminal separated gap", QUESTION, REFERENCES)


@pytest.mark.parametrize(
    "answer",
    [
        "closed path",  # two words: a terse answer
        "the gap separates terminal 1 from the positive terminal",  # a sentence
        "magnets attract iron filings",  # not the reference's words
    ],
)
def test_terse_answers_sentences_and_other_words_are_not_keyword_lists(answer):
    assert not is_keyword_list(answer, QUESTION, REFERENCES)


# --- the reference negated ----------------------------------------------------------------


def test_the_reference_with_a_negation_added_flips_its_polarity():
    assert is_polarity_flip("bulb B does not create a gap", ["bulb B creates a gap"])
    assert is_polarity_flip("Terminal 1 and the positive terminal are not separated by the gap", REFERENCES)


def test_the_reference_with_an_antonym_swapped_flips_its_polarity():
    assert is_polarity_flip("the switch is open", ["the switch is closed"])
    assert is_polarity_flip("the bulbs are in parallel", ["the bulbs are in series"])


@pytest.mark.parametrize(
    ("answer", "references"),
    [
        ("bulb B creates a gap", ["bulb B creates a gap"]),  # the reference itself
        ("the path is not open", ["the path is closed"]),  # a negated antonym says the same
        # the negation agrees with another reference as close
        ("terminal 1 is not connected", ["terminal 1 is connected", "terminal 1 is not connected"]),
        (
            "there is a gap in the circuit because the switch is open",
            ["bulb B creates a gap"],
        ),  # not a near copy
    ],
)
def test_answers_that_agree_or_differ_in_content_are_not_polarity_flips(answer, references):
    assert not is_polarity_flip(answer, references)


# --- the reference itself --------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "Terminal 1 and the positive terminal are separated by the gap",
        "terminal 1 and the positive terminal are separated by a gap.",
        "Because terminal 1 and the positive terminal are separated by the gap",
    ],
)
def test_an_answer_in_a_references_own_words_matches_it(answer):
    assert matches_reference(answer, REFERENCES)


@pytest.mark.parametrize(
    "answer",
    [
        "Terminal 1 and the positive terminal are not separated by the gap",  # negated
        "Terminal 1 and the terminal are separated",  # a key word missing
        "the gap separates the positive terminal from terminal 1",  # its words, not its order
        "Terminal 1 and the positive terminal are separated by the gap in the broken bulb and the switch",
    ],
)
def test_an_answer_that_leaves_out_flips_or_adds_is_no_reference_match(answer):
    assert not matches_reference(answer, REFERENCES)


def test_run_checks_names_what_fired():
    assert run_checks(QUESTION, REFERENCES, REFERENCES[0]).fired == ("matches_reference",)
    assert run_checks(QUESTION, REFERENCES, QUESTION).fired == ("question_copy",)
    assert run_checks(QUESTION, REFERENCES, "").fired == ()
    assert not run_checks(QUESTION, REFERENCES, "the bulb is broken")


def test_the_checks_move_the_probability_of_correct_where_it_belongs():
    p = np.array([0.6, 0.1, 0.1, 0.1, 0.1])
    index = {label: i for i, label in enumerate(LABELS_5WAY)}

    copy = apply_checks(p, ("question_copy",))
    listed = apply_checks(p, ("keyword_list",))
    flipped = apply_checks(p, ("polarity_flip",))

    assert copy[index["correct"]] == copy[index["contradictory"]] == 0.0
    assert copy[index["irrelevant"]] == pytest.approx(0.8)
    assert listed[index["correct"]] == 0.0 and listed[index["partially_correct_incomplete"]] == pytest.approx(
        0.7
    )
    assert flipped[index["correct"]] == 0.0 and flipped[index["contradictory"]] == pytest.approx(0.7)
    matched = apply_checks(p, ("matches_reference",))
    assert matched[index["correct"]] == 1.0
    for row in (copy, listed, flipped, matched):
        assert row.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(apply_checks(p, ()), p)
