"""The inference engine: valid grades, edge-case answers, batching, feedback, caching."""

from __future__ import annotations

import pytest

from modeling.grader import engine
from modeling.grader.engine import GradingInput, grade_answers, resolve_device
from modeling.grader.errors import GraderError, NoActiveGrader
from modeling.grader.labels import LABELS_2WAY, LABELS_3WAY, LABELS_5WAY, TO_3WAY, coarse_probabilities

QUESTION = "You used several methods to separate and identify the substances in mock rocks. How did you separate the salt from the water?"
REFERENCE = "The water was evaporated, leaving the salt."


def _answers() -> list[GradingInput]:
    return [
        GradingInput(QUESTION, [REFERENCE], "We let the water evaporate and the salt stayed."),
        GradingInput(QUESTION, [REFERENCE, "Evaporate the water; the salt remains."], "I used a magnet."),
        GradingInput(QUESTION, (REFERENCE,), "By letting it sit in a dish for a day."),
        GradingInput(QUESTION, [REFERENCE], "filter " * 600),
    ]


def test_grades_are_valid_and_probabilities_sum_to_one(active_tiny):
    # when
    results = grade_answers(_answers())

    # then
    assert len(results) == 4
    for result in results:
        assert result.label_5way in LABELS_5WAY
        assert result.label_3way in LABELS_3WAY
        assert result.label_2way in LABELS_2WAY
        assert set(result.probabilities) == set(LABELS_5WAY)
        assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert 0.0 <= result.score <= 1.0
        # the confidence is the probability that the 3-way verdict of the label is right
        three_way = coarse_probabilities(result.probabilities, "3way")
        assert result.confidence == pytest.approx(three_way[TO_3WAY[result.label_5way]])
        assert result.model_version == "tiny-1"
        assert result.closest_reference in _answers()[1].reference_answers
    assert results[1].as_dict()["missing_terms"] == list(results[1].missing_terms)


def test_an_empty_answer_earns_nothing(active_tiny):
    (result,) = grade_answers([GradingInput(QUESTION, [REFERENCE], "   ")])
    assert result.label_5way == "non_domain"
    assert result.label_3way == result.label_2way == "incorrect"
    assert result.score == 0.0
    assert result.missing_terms == ("evaporated", "leaving")


def test_a_very_long_answer_is_graded_with_its_own_tokens(active_tiny):
    # given an answer far longer than the model's 48 tokens, behind a long question
    grader = engine.get_grader()
    item = GradingInput(QUESTION * 5, [REFERENCE * 5], "the salt stays when the water evaporates " * 200)

    # when
    pairs, _ = grader.encoder.encode([(item.question, item.reference_answers, item.student_answer)])
    (result,) = grader.grade([item])

    # then the student segment keeps tokens and the grade is valid
    ids, types = pairs[0]
    assert len(ids) == grader.spec.max_length
    assert sum(types) - 1 >= min(grader.spec.min_student_tokens, (grader.spec.max_length - 4) // 2)
    assert 0.0 <= result.score <= 1.0


# What batching may change: padding a batch to its longest answer changes the shapes of the
# matrix products, so the kernels may sum in another order. The masked positions contribute
# exactly zero, so the grades are the same up to rounding: in fp32 (24-bit mantissa) a few
# 1e-6 per layer, well under 5e-4 after six layers and a softmax; in bf16 (8-bit mantissa,
# one unit in the last place is 2^-8 = 0.4%), where one activation rounded the other way moves
# a probability by up to about a percent, 3e-2. A label may differ only where the grader
# itself cannot tell the top two labels apart at that precision.
BATCHING_TOLERANCE = {"off": 5e-4, "on": 3e-2}


@pytest.mark.parametrize("cpu_bf16", ["off", "on"])
def test_batching_changes_grades_only_within_the_precision_of_the_arithmetic(
    active_tiny, settings, request, cpu_bf16
):
    # given the grader running in fp32 ("off") or under bf16 autocast ("on", emulated where
    # the CPU has no native bf16), on any CPU
    settings.GRADER_CPU_BF16 = cpu_bf16
    engine.clear_cache()
    request.addfinalizer(engine.clear_cache)  # the next test loads the grader as configured
    tolerance = BATCHING_TOLERANCE[cpu_bf16]
    items = _answers()

    # when the answers are graded in one batch and one at a time
    batched = grade_answers(items)
    single = [grade_answers([item])[0] for item in items]

    # then
    for a, b in zip(batched, single, strict=True):
        assert a.probabilities == pytest.approx(b.probabilities, abs=tolerance)
        top, second = sorted(b.probabilities.values(), reverse=True)[:2]
        if top - second > 2 * tolerance:
            assert a.label_5way == b.label_5way


def test_feedback_names_the_closest_reference_and_its_missing_terms(active_tiny):
    references = ["The circuit is closed.", "The water was evaporated, leaving the salt."]
    (result,) = grade_answers([GradingInput(QUESTION, references, "the water evaporates")])
    assert result.closest_reference == references[1]
    assert result.missing_terms == ("leaving",)


def test_the_model_loads_once_per_version(active_tiny):
    first = engine.get_grader()
    assert engine.get_grader() is first
    assert engine.get_grader("tiny-1") is first


def test_no_active_grader_is_a_clear_error(db, model_dir):
    with pytest.raises(NoActiveGrader, match="train_grader"):
        grade_answers([GradingInput("q", ["r"], "a")])


def test_an_answer_without_references_is_refused(active_tiny):
    with pytest.raises(GraderError, match="Answer 0 has no reference"):
        grade_answers([GradingInput("q", ["  "], "a")])


def test_cuda_asked_for_without_a_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    with pytest.raises(GraderError, match="no CUDA device"):
        resolve_device("cuda")
    assert resolve_device("auto").type == "cpu"


def test_bf16_inference_on_the_cpu_agrees_with_fp32(tiny_model_folder):
    # given the same version loaded in fp32 and in bf16
    fp32 = engine.Grader.from_folder(tiny_model_folder, version="tiny")
    bf16 = engine.Grader.from_folder(tiny_model_folder, version="tiny", cpu_bf16=True)

    # when
    a, b = fp32.predict(_answers()), bf16.predict(_answers())

    # then the probabilities differ only by bf16 rounding
    assert bf16.cpu_bf16 and not fp32.cpu_bf16
    assert abs(a.probabilities - b.probabilities).max() < 0.05
    assert abs(a.scores - b.scores).max() < 0.05


@pytest.mark.parametrize(("setting", "expected"), [("on", True), ("off", False), (" OFF ", False)])
def test_the_cpu_bf16_setting_is_read(setting, expected):
    assert engine.resolve_cpu_bf16(setting) is expected


def test_a_bad_cpu_bf16_setting_is_named():
    with pytest.raises(GraderError, match="GRADER_CPU_BF16 must be auto, on or off, not 'fast'"):
        engine.resolve_cpu_bf16("fast")


def test_throughput_is_measured_for_both_modes(tiny_model_folder):
    from modeling.grader import bench

    grader = engine.Grader.from_folder(tiny_model_folder, version="tiny")
    result = bench.measure_throughput(grader, _answers(), repeats=1)

    assert result.answers == 4 and result.precision == "fp32" and result.device == "cpu"
    assert result.one_at_a_time > 0 and result.batched > 0
    assert "ratio" in bench.report(result)[-1]


def test_a_negated_reference_is_not_graded_correct(active_tiny, data_files):
    # given the tiny model, trained with the examples built from the references
    import json

    from modeling.grader import adversarial
    from modeling.grader.data import load_labelled

    assert json.loads((active_tiny.folder / "training.json").read_text())["n_augmented"] > 0
    questions = adversarial.questions_of(e for path in data_files for e in load_labelled(path))[::9]
    negations = [
        GradingInput(q.text, q.references, adversarial.negate(r)) for q in questions for r in q.references
    ]

    # when the references with a negation added (or removed) are graded
    results = grade_answers(negations)

    # then none is graded correct, and the bug report's own example contradicts its reference
    assert len(results) > 20
    assert [
        item.student_answer for item, r in zip(negations, results, strict=True) if r.label_5way == "correct"
    ] == []
    (flipped,) = grade_answers(
        [GradingInput("Why does bulb A go out?", ["bulb B creates a gap"], "bulb B does not create a gap")]
    )
    assert flipped.label_5way == "contradictory" and flipped.checks == ("polarity_flip",)


def test_a_question_copy_and_a_keyword_list_are_not_graded_correct(active_tiny):
    question = "Explain why you got a voltage reading of 1.5 for terminal 1 and the positive terminal."
    references = ["Terminal 1 and the positive terminal are separated by the gap"]

    copy, listed = grade_answers(
        [
            GradingInput(question, references, question),
            GradingInput(question, references, "gap terminal separated positive 1"),
        ]
    )

    assert copy.label_5way == "irrelevant" and copy.score < 0.5 and copy.checks == ("question_copy",)
    assert listed.label_5way != "correct" and listed.checks == ("keyword_list",)
