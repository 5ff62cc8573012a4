"""Reading grading CSVs and splitting them by question."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from modeling.grader.data import Example, fingerprint, load_any, load_labelled, split_by_question
from modeling.grader.errors import DataError
from tests.modeling.conftest import write_csv


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match="nope.csv"):
        load_labelled(tmp_path / "nope.csv")


def test_missing_columns_are_named(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [{"question_text": "q", "student_answer": "a"}])
    with pytest.raises(DataError, match=r"label_5way.*reference_answers"):
        load_labelled(path)


def test_an_unknown_label_names_its_line(tmp_path):
    row = {"question_text": "q", "reference_answer": "r", "student_answer": "a", "label_5way": "great"}
    path = write_csv(tmp_path / "bad.csv", [row])
    with pytest.raises(DataError, match="line 2.*'great'"):
        load_labelled(path)


def test_every_reference_is_read_and_the_matched_one_found(tmp_path):
    # given a Beetle-style row matched to its second reference
    references = [{"id": "r1", "text": "first"}, {"id": "r2", "text": "second"}]
    row = {
        "question_text": "q",
        "reference_answers": json.dumps(references),
        "reference_answer": "second",
        "answer_match": "r2",
        "student_answer": "a",
        "label_5way": "correct",
    }
    (example,) = load_labelled(write_csv(tmp_path / "ok.csv", [row]))
    assert example.reference_answers == ("first", "second")
    assert example.matched_reference == 1
    assert example.dataset == "ok"


def test_a_score_csv_is_recognised_and_normalised(tmp_path):
    row = {
        "question_text": "q",
        "reference_answer": "r",
        "student_answer": "a",
        "score": "3",
        "max_score": "4",
    }
    (example,) = load_any(write_csv(tmp_path / "scores.csv", [row]))
    assert example.target == pytest.approx(0.75)


def test_split_holds_out_whole_questions_of_every_dataset(data_files):
    # given the shared training data
    examples = [e for path in data_files for e in load_labelled(path)]

    # when
    train, val = split_by_question(examples, 0.2, seed=13)

    # then no question is on both sides and each dataset gives about a fifth of its questions
    train_questions = {(e.dataset, e.question_id) for e in train}
    val_questions = {(e.dataset, e.question_id) for e in val}
    assert not train_questions & val_questions
    assert len(train) + len(val) == len(examples)
    for dataset in {e.dataset for e in examples}:
        total = len({q for d, q in train_questions | val_questions if d == dataset})
        held = len({q for d, q in val_questions if d == dataset})
        assert held == round(total * 0.2)


def test_the_fingerprint_changes_with_a_label():
    example = Example("q", ("r",), "a", "correct", "q1", "d")
    assert fingerprint([example]) == fingerprint([replace(example)])
    assert fingerprint([example]) != fingerprint([replace(example, label_5way="contradictory")])
    assert len(fingerprint([example])) == 64


def test_the_vendored_training_data_reads_like_the_shared_copy():
    from pathlib import Path

    from django.conf import settings

    from modeling.grader.data import load_labelled

    vendored = Path(settings.BASE_DIR) / "modeling" / "data" / "asag"
    beetle = load_labelled(vendored / "beetle_train.csv.gz")
    scientsbank = load_labelled(vendored / "scientsbank_train.csv.gz")

    assert (len(beetle), len(scientsbank)) == (3941, 4969)
