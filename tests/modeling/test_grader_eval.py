"""grader_eval on labelled and scored CSVs, and grader_bench."""

from __future__ import annotations

import json
import math

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from modeling.grader.engine import GradingInput, grade_answers
from modeling.grader.labels import CREDIT, TO_3WAY
from tests.modeling.conftest import write_csv

QUESTION = "What happens to the voltage across a bulb when the circuit is broken?"
REFERENCE = "There is no voltage across the bulb because it is not in a closed path."
ANSWERS = [
    ("It goes to zero because the path is not closed.", "correct", 1.0),
    ("The voltage is zero.", "partially_correct_incomplete", 0.5),
    ("The voltage doubles.", "contradictory", 0.0),
    ("I like bulbs.", "irrelevant", 0.0),
    ("no idea", "non_domain", 0.0),
    ("The bulb has no voltage since the circuit has a gap.", "correct", 1.0),
]


@pytest.fixture
def labelled_csv(tmp_path):
    rows = [
        {
            "question_id": "Q1",
            "question_text": QUESTION,
            "reference_answers": json.dumps([{"id": "a1", "text": REFERENCE}]),
            "student_answer": answer,
            "label_5way": label,
        }
        for answer, label, _ in ANSWERS
    ]
    return write_csv(tmp_path / "labelled.csv", rows)


@pytest.fixture
def score_csv(tmp_path):
    rows = [
        {
            "question_text": QUESTION,
            "reference_answer": REFERENCE,
            "student_answer": answer,
            "score": str(credit * 4),
            "max_score": "4",
        }
        for answer, _, credit in ANSWERS
    ]
    return write_csv(tmp_path / "scores.csv", rows)


def _run_json(*args: str, capsys) -> dict:
    call_command("grader_eval", *args, "--json")
    return json.loads(capsys.readouterr().out)


def test_grader_eval_prints_2_3_and_5_way_metrics_as_json(active_tiny, labelled_csv, capsys):
    # when
    metrics = _run_json("--data", str(labelled_csv), capsys=capsys)

    # then every key is there and the accuracy is that of the engine's own grades
    expected = {f"{m}_{w}" for w in ("2way", "3way", "5way") for m in ("acc", "macro_f1", "weighted_f1")}
    assert set(metrics) == expected | {"n", "version", "ece_3way", "auto_share", "auto_acc_3way"}
    assert metrics["n"] == len(ANSWERS)
    assert metrics["version"] == "tiny-1"
    results = grade_answers([GradingInput(QUESTION, [REFERENCE], answer) for answer, _, _ in ANSWERS])
    hits = sum(r.label_3way == TO_3WAY[label] for r, (_, label, _) in zip(results, ANSWERS, strict=True))
    assert metrics["acc_3way"] == pytest.approx(hits / len(ANSWERS))
    assert all(0.0 <= metrics[key] <= 1.0 for key in expected)


def test_grader_eval_of_a_score_csv_prints_pearson_and_rmse(active_tiny, score_csv, capsys):
    metrics = _run_json("--data", str(score_csv), capsys=capsys)

    assert set(metrics) == {"pearson_r", "rmse", "n", "version"}
    assert metrics["n"] == len(ANSWERS)
    results = grade_answers([GradingInput(QUESTION, [REFERENCE], answer) for answer, _, _ in ANSWERS])
    targets = [CREDIT[label] for _, label, _ in ANSWERS]
    rmse = math.sqrt(sum((r.score - t) ** 2 for r, t in zip(results, targets, strict=True)) / len(targets))
    assert metrics["rmse"] == pytest.approx(rmse, abs=1e-6)
    assert metrics["pearson_r"] is None or -1.0 <= metrics["pearson_r"] <= 1.0


def test_grader_eval_prints_a_table_without_json(active_tiny, labelled_csv, capsys):
    call_command("grader_eval", "--data", str(labelled_csv))
    out = capsys.readouterr().out
    assert "tiny-1" in out and "3way" in out and "macro-F1" in out


def test_grader_eval_names_a_missing_file(active_tiny, tmp_path):
    with pytest.raises(CommandError, match="No such data file.*missing.csv"):
        call_command("grader_eval", "--data", str(tmp_path / "missing.csv"))


def test_grader_eval_names_missing_columns(active_tiny, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [{"question_text": "q", "student_answer": "a"}])
    with pytest.raises(CommandError, match="lacks the column.*label_5way"):
        call_command("grader_eval", "--data", str(path))


def test_grader_eval_without_an_active_grader_says_so(db, model_dir, labelled_csv):
    with pytest.raises(CommandError, match="No active grader"):
        call_command("grader_eval", "--data", str(labelled_csv))


def test_grader_eval_names_an_unknown_version(active_tiny, labelled_csv):
    with pytest.raises(CommandError, match="'v-none'"):
        call_command("grader_eval", "--data", str(labelled_csv), "--version", "v-none")


def test_grader_bench_prints_metrics_and_throughput(active_tiny, capsys):
    call_command("grader_bench", "--n", "6", "--adversarial-from", "none")
    out = capsys.readouterr().out
    assert "macro-F1" in out
    assert "one at a time" in out and "batched" in out and "ratio" in out


def test_grader_eval_reports_the_trust_figures_of_the_version(active_tiny, labelled_csv, capsys):
    metrics = _run_json("--data", str(labelled_csv), capsys=capsys)

    assert 0.0 <= metrics["ece_3way"] <= 1.0
    assert 0.0 <= metrics["auto_share"] <= 1.0
    assert metrics["auto_acc_3way"] is None or 0.0 <= metrics["auto_acc_3way"] <= 1.0
    call_command("grader_eval", "--data", str(labelled_csv))
    assert "3-way calibration error (ECE)" in capsys.readouterr().out


def test_grader_bench_reports_the_adversarial_sets(active_tiny, capsys):
    call_command("grader_bench", "--no-throughput", "--adversarial-from", "validation")
    out = capsys.readouterr().out

    assert "adversarial sets from the" in out and "validation questions (unseen)" in out
    for name in ("negations", "question_copies", "keyword_lists", "references"):
        assert name in out
    assert "target at most 5%" in out and "target at least 95%" in out
    assert "calibrated: temperature" in out
