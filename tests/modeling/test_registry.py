"""The registry of grader versions: folders, activation rule, forced activation."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from modeling import selectors
from modeling.models import GraderVersion
from tests.modeling.conftest import TINY


def test_train_grader_writes_a_versioned_folder_and_registers_it_active(db, model_dir, data_files, capsys):
    # given no grader yet
    args = [f"--{key.replace('_', '-')}={value}" for key, value in TINY.items()]

    # when a tiny run trains
    call_command(
        "train_grader", *args, "--version", "v-tiny", "--no-progress", *[f"--data={p}" for p in data_files]
    )

    # then its folder holds weights, tokenizer, config, label map, fingerprint and metrics
    row = selectors.grader_version_active()
    assert row.version == "v-tiny"
    assert row.folder == model_dir / "grader" / "v-tiny"
    names = {path.name for path in row.folder.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "grader.json", "metrics.json"} <= names
    grader_config = json.loads((row.folder / "grader.json").read_text())
    assert grader_config["labels_5way"][0] == "correct"
    record = json.loads((row.folder / "training.json").read_text())
    assert (
        re.fullmatch(r"[0-9a-f]{64}", record["data_fingerprint"])
        and record["data_fingerprint"] == row.data_fingerprint
    )
    assert record["config"]["max_train"] == 40
    metrics = json.loads((row.folder / "metrics.json").read_text())["validation"]
    for way in ("2way", "3way", "5way"):
        assert {f"acc_{way}", f"macro_f1_{way}", f"weighted_f1_{way}", f"confusion_{way}"} <= set(metrics)
    assert sum(map(sum, metrics["confusion_5way"]["matrix"])) == metrics["n"] == 20
    assert row.val_macro_f1_3way == metrics["macro_f1_3way"]
    assert row.training_args["epochs"] == 1
    assert not list((model_dir / "grader").glob(".staging-*"))
    assert "is now the active grader" in capsys.readouterr().out


def test_a_worse_version_does_not_become_active(register_tiny):
    # given an active version with validation macro-F1 0.6
    register_tiny("good", macro_f1_3way=0.6)

    # when a worse one is registered
    registration = register_tiny("worse", macro_f1_3way=0.5)

    # then the good one stays active
    assert not registration.activated
    assert registration.previous_active == "good"
    assert selectors.grader_version_active().version == "good"
    assert GraderVersion.objects.count() == 2


def test_an_equally_good_version_becomes_active(register_tiny):
    register_tiny("first", macro_f1_3way=0.6)
    registration = register_tiny("second", macro_f1_3way=0.6)
    assert registration.activated
    assert [row.version for row in GraderVersion.objects.filter(is_active=True)] == ["second"]


def test_grader_activate_forces_a_worse_version(register_tiny, capsys):
    register_tiny("good", macro_f1_3way=0.6)
    register_tiny("worse", macro_f1_3way=0.5)

    call_command("grader_activate", "worse")

    assert selectors.grader_version_active().version == "worse"
    assert GraderVersion.objects.filter(is_active=True).count() == 1
    assert "worse is now the active grader" in capsys.readouterr().out


def test_grader_activate_names_an_unknown_version(db):
    with pytest.raises(CommandError, match="'v-none'"):
        call_command("grader_activate", "v-none")


def test_the_database_refuses_two_active_versions(register_tiny):
    register_tiny("one")
    row = register_tiny("two", macro_f1_3way=0.0).grader_version
    assert not row.is_active
    row.is_active = True
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_a_version_name_cannot_be_reused(register_tiny):
    from modeling.grader.errors import GraderError

    register_tiny("same")
    with pytest.raises(GraderError, match="already registered"):
        register_tiny("same")


def test_grader_ensure_keeps_an_active_grader_and_starts_at_once(active_tiny, capsys):
    from django.core.management import call_command

    call_command("grader_ensure")

    assert f"Active grader: {active_tiny.version}" in capsys.readouterr().out


def test_the_model_page_shows_the_active_version_and_its_confusion_matrix(client, active_tiny):
    from tests.factories import TeacherFactory

    client.force_login(TeacherFactory())

    html = client.get("/models/grader/").content.decode()

    assert f"Active version: {active_tiny.version}" in html
    assert "Confusion matrix, 3-way" in html and "macro-F1" in html


def test_students_may_not_open_the_model_page(client, db):
    from tests.factories import StudentFactory

    client.force_login(StudentFactory())

    assert client.get("/models/grader/").status_code == 403


def test_a_version_is_registered_with_its_calibration(active_tiny):
    grader_config = json.loads((active_tiny.folder / "grader.json").read_text())

    assert active_tiny.calibrated
    assert active_tiny.temperature == grader_config["calibration"]["temperature"] > 0
    assert active_tiny.auto_accept_threshold == grader_config["calibration"]["auto_accept_threshold"]
    assert active_tiny.auto_accepts(None) is False


def _uncalibrated(register_tiny, tmp_path, version: str):
    """A version as trained before calibration: no calibration in its grader.json."""
    row = register_tiny(version).grader_version
    config_file = row.folder / "grader.json"
    grader_config = json.loads(config_file.read_text())
    del grader_config["calibration"]
    config_file.write_text(json.dumps(grader_config))
    row.calibrated, row.temperature, row.auto_accept_threshold = False, 1.0, None
    row.save()
    return row


def test_a_version_trained_before_calibration_loads_uncalibrated_and_accepts_nothing(register_tiny, tmp_path):
    from modeling.grader.engine import GradingInput, get_grader, grade_answers

    _uncalibrated(register_tiny, tmp_path, "old")

    grader = get_grader()
    (result,) = grade_answers([GradingInput("Why?", ["Because the circuit is closed."], "It is closed.")])

    assert not grader.calibrated and grader.temperature == 1.0 and grader.auto_accept_threshold is None
    assert result.auto_accepted is False


def test_the_model_page_shows_how_far_the_confidence_can_be_trusted(client, active_tiny):
    from tests.factories import TeacherFactory

    client.force_login(TeacherFactory())

    html = client.get("/models/grader/").content.decode()

    assert "How far its confidence can be trusted" in html
    assert "3-way calibration error (ECE)" in html and "auto-accept threshold" in html
    assert "agreement with teachers" in html and "no reviews yet" in html
    assert "Answers built to game it" in html and "negations" in html
    assert "Not calibrated" not in html


def test_the_model_page_says_a_version_is_not_calibrated(client, register_tiny, tmp_path):
    from tests.factories import TeacherFactory

    _uncalibrated(register_tiny, tmp_path, "old")
    client.force_login(TeacherFactory())

    html = client.get("/models/grader/").content.decode()

    assert "Not calibrated:" in html and "no grade is auto-accepted" in html
    assert "not calibrated</td>" in html  # in the list of versions too
