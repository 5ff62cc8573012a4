"""Feedback beyond the label: the closest reference and its missing key terms."""

from __future__ import annotations

from modeling.grader.feedback import closest_reference_index, content_terms, missing_terms, stem


def test_stem_folds_inflections_and_derivations_together():
    assert stem("evaporated") == stem("evaporates") == stem("evaporation") == stem("evaporating")
    assert stem("connected") == stem("connection") == stem("connects")
    assert stem("batteries") == stem("battery")
    assert stem("glass") == "glass"


def test_content_terms_drop_stopwords_and_repeated_stems():
    assert [word for word, _ in content_terms("The water was evaporated, and the waters evaporate.")] == [
        "water",
        "evaporated",
    ]


def test_missing_terms_name_reference_terms_absent_from_the_answer():
    # given a reference, a question and an answer that mentions only part of it
    question = "How did you separate the salt from the water?"
    reference = "The water was evaporated, leaving the salt behind."

    # when
    missing = missing_terms("I left it in the sun until the water evaporation was done", reference, question)

    # then the answer's "evaporation" covers "evaporated"; salt and water are given by the question
    assert missing == ("leaving", "behind")


def test_missing_terms_are_empty_when_the_answer_covers_the_reference():
    assert missing_terms("Bulbs A and C are in a closed path.", "A and C are in a closed path", "") == ()


def test_closest_reference_is_the_one_sharing_most_content():
    references = [
        "Terminal 1 is separated from the positive terminal by a gap",
        "The bulb is in a closed path",
    ]
    assert closest_reference_index("the bulb was in a closed path with the battery", references) == 1
    assert closest_reference_index("nothing in common", references) == 0
