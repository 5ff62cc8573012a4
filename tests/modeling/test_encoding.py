"""Encoding pairs: truncation keeps the student answer, batching keeps lengths together."""

from __future__ import annotations

import random

import pytest
from transformers import AutoTokenizer

from modeling.grader.encoding import EncodingSpec, PairEncoder, inference_batches, training_batches
from modeling.grader.network import base_checkpoint_dir


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(base_checkpoint_dir(), local_files_only=True)


def _segments(encoder: PairEncoder, ids: list[int], types: list[int]) -> tuple[list[int], list[int]]:
    """The first segment (without [CLS]) and the student segment (without its [SEP])."""
    first = [t for t, kind in zip(ids, types, strict=True) if kind == 0][1:-1]
    second = [t for t, kind in zip(ids, types, strict=True) if kind == 1][:-1]
    return first, second


def test_a_very_long_answer_keeps_at_least_the_minimum_student_tokens(tokenizer):
    # given a long question and reference and a 2,000-word answer
    encoder = PairEncoder(tokenizer, EncodingSpec(max_length=64, min_student_tokens=20))
    question, reference = "why " * 80, "because " * 80
    answer = "the bulb lights " * 700

    # when
    (pair,), _ = encoder.encode([(question, [reference], answer)])

    # then the pair fits and the answer keeps its opening tokens
    ids, types = pair
    first, student = _segments(encoder, ids, types)
    assert len(ids) == 64
    assert len(student) >= 20
    assert student[:3] == tokenizer("the bulb lights", add_special_tokens=False)["input_ids"]


def test_the_question_is_truncated_before_the_reference_and_the_answer(tokenizer):
    # given a question too long to fit, ending with the asking sentence
    encoder = PairEncoder(tokenizer, EncodingSpec(max_length=40, min_student_tokens=8))
    question = "context " * 60 + "what happens?"
    reference, answer = "the water evaporates", "it dries up in the sun"

    # when
    ((ids, types),), _ = encoder.encode([(question, [reference], answer)])

    # then the answer and reference are whole and the question keeps its end
    first, student = _segments(encoder, ids, types)
    answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
    reference_ids = tokenizer(reference, add_special_tokens=False)["input_ids"]
    assert student == answer_ids
    assert first[-len(reference_ids) :] == reference_ids
    assert tokenizer.decode(first).startswith("context") and "what happens?" in tokenizer.decode(first)
    assert len(ids) == 40


def test_even_the_smallest_length_keeps_some_of_the_answer(tokenizer):
    encoder = PairEncoder(tokenizer, EncodingSpec(max_length=16, min_student_tokens=32))
    ((ids, types),), _ = encoder.encode([("q " * 50, ["r " * 50], "a b c d e f g h i j k")])
    _, student = _segments(encoder, ids, types)
    assert len(ids) == 16
    assert len(student) >= 6


def test_each_mode_makes_one_pair_per_reference(tokenizer):
    encoder = PairEncoder(tokenizer, EncodingSpec(references="each"))
    pairs, owners = encoder.encode([("q", ["r1", "r2", "r3"], "a"), ("q", ["r"], "b")])
    assert len(pairs) == 4
    assert owners == [(0, 0), (0, 1), (0, 2), (1, 0)]


def test_joined_mode_puts_every_reference_in_the_first_segment(tokenizer):
    encoder = PairEncoder(tokenizer, EncodingSpec(references="joined"))
    ((ids, _),), owners = encoder.encode([("", ["circuit closed", "bulb lit"], "yes")])
    assert tokenizer.decode(ids) == "[CLS] circuit closed ; bulb lit [SEP] yes [SEP]"
    assert owners == [(0, -1)]


def test_training_batches_cover_every_pair_once_with_similar_lengths():
    lengths = [random.Random(1).randint(5, 120) for _ in range(1000)]
    batches = training_batches(lengths, 32, random.Random(0))
    assert sorted(i for batch in batches for i in batch) == list(range(1000))
    assert all(len(batch) <= 32 for batch in batches)


def test_inference_batches_stay_within_the_token_budget():
    lengths = [10] * 50 + [100] * 5
    batches = inference_batches(lengths, max_batch_size=16, max_tokens=400)
    assert sorted(i for batch in batches for i in batch) == list(range(55))
    assert all(max(lengths[i] for i in batch) * len(batch) <= 400 for batch in batches)
