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
