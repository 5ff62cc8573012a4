"""Fixtures for the grader tests: one tiny model trained once per session, in seconds."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from modeling import services
from modeling.grader import engine
from modeling.grader.training import TrainConfig, train

# A tiny run: 40 answers, 48 tokens, one epoch. Good for checking the plumbing, not the grades.
TINY = {"max_train": 40, "max_val": 20, "epochs": 1, "max_length": 48, "batch_size": 16, "threads": 2}
CSV_COLUMNS = ["question_id", "question_text", "reference_answers", "student_answer", "label_5way", "dataset"]


@pytest.fixture(scope="session")
def data_files() -> tuple[str, ...]:
    return tuple(str(path) for path in services.grader_default_data_files())


@pytest.fixture(scope="session")
def tiny_model_folder(tmp_path_factory, data_files) -> Path:
    """A trained tiny grader folder (not registered; register a copy per test)."""
    folder = tmp_path_factory.mktemp("tiny") / "model"
    train(TrainConfig(data=data_files, **TINY), folder, version="tiny", progress=False, write=lambda _: None)
    return folder


@pytest.fixture(autouse=True)
def _fresh_engine_cache():
    engine.clear_cache()
    yield
    engine.clear_cache()


@pytest.fixture
def model_dir(settings, tmp_path) -> Path:
    settings.MODEL_DIR = tmp_path / "models"
    settings.GRADER_DEVICE = "cpu"
    return settings.MODEL_DIR


@pytest.fixture
def register_tiny(db, model_dir, tiny_model_folder, tmp_path):
    """Register a copy of the tiny model as ``version``, optionally with another validation score."""

    def register(version: str, macro_f1_3way: float | None = None) -> services.GraderRegistration:
        copy = tmp_path / f"copy-{version}-{len(list(tmp_path.iterdir()))}"
        shutil.copytree(tiny_model_folder, copy)
        if macro_f1_3way is not None:
            metrics_path = copy / "metrics.json"
            metrics = json.loads(metrics_path.read_text())
            metrics["validation"]["macro_f1_3way"] = macro_f1_3way
            metrics_path.write_text(json.dumps(metrics))
        return services.grader_version_register(copy, version=version)

    return register


@pytest.fixture
def active_tiny(register_tiny):
    return register_tiny("tiny-1").grader_version


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path
