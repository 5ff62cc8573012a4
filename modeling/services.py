"""Writes of the learned-model registry: training, registering and activating grader versions.

A version's folder lives at ``MODEL_DIR / "grader" / <version>``. Training writes into a
staging folder beside it; registration moves the folder into place and creates the row in
one transaction, so a failed run leaves neither a row nor a folder behind.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from modeling.grader import engine, training
from modeling.grader.errors import GraderError, UnknownGraderVersion
from modeling.models import GraderVersion
from modeling.tasks import grade_attempt

log = logging.getLogger(__name__)

VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DEFAULT_DATA_FILES = ("scientsbank_train.csv", "beetle_train.csv")


@dataclass(frozen=True)
class GraderRegistration:
    grader_version: GraderVersion
    activated: bool
    # The version that was active before, and its validation 3-way macro-F1.
    previous_active: str | None
    previous_macro_f1_3way: float | None


def grader_root() -> Path:
    return Path(settings.MODEL_DIR) / "grader"


def grader_default_data_files() -> list[Path]:
    """The SemEval-2013 training CSVs: ``settings.GRADER_TRAIN_DATA`` or ``../shared/data/asag``."""
    configured = getattr(settings, "GRADER_TRAIN_DATA", None)
    if configured:
        return [Path(path) for path in configured]
    folder = Path(settings.BASE_DIR).parent / "shared" / "data" / "asag"
    if all((folder / name).is_file() for name in DEFAULT_DATA_FILES):
        return [folder / name for name in DEFAULT_DATA_FILES]
    # The same files, vendored with their citation, for a machine without the workspace.
    vendored = Path(settings.BASE_DIR) / "modeling" / "data" / "asag"
    return [vendored / f"{name}.gz" for name in DEFAULT_DATA_FILES]


def _stored_path(folder: Path) -> str:
    """The folder relative to MODEL_DIR when it lies under it, so MODEL_DIR can move."""
    try:
        return str(folder.relative_to(Path(settings.MODEL_DIR)))
    except ValueError:
        return str(folder)


def _new_version() -> str:
    base = timezone.now().strftime("%Y%m%d-%H%M%S")
    version, n = base, 1
    while GraderVersion.objects.filter(version=version).exists() or (grader_root() / version).exists():
        n += 1
        version = f"{base}-{n}"
    return version


def _check_new_version(version: str) -> None:
    if not VERSION_PATTERN.match(version):
        raise GraderError(
            f"Version {version!r} must be 1-64 letters, digits, dots, dashes or underscores, starting with "
            "a letter or digit."
        )
    if GraderVersion.objects.filter(version=version).exists():
        raise GraderError(f"Grader version {version!r} is already registered.")
    if (grader_root() / version).exists():
        raise GraderError(f"The folder {grader_root() / version} already exists.")


def grader_version_register(folder: Path, *, version: str) -> GraderRegistration:
    """Register a trained model folder as ``version`` and move it to ``MODEL_DIR/grader/<version>``.

    The new version becomes active when no version is active or when its validation 3-way
    macro-F1 is at least the active one's.
    """
    _check_new_version(version)
    folder = Path(folder)
    try:
        metrics = json.loads((folder / "metrics.json").read_text())["validation"]
        record = json.loads((folder / "training.json").read_text())
        score = float(metrics["macro_f1_3way"])
        grader_file = folder / "grader.json"
        fitted = (json.loads(grader_file.read_text()) if grader_file.is_file() else {}).get("calibration")
    except (OSError, KeyError, ValueError) as exc:
        raise GraderError(
            f"{folder} is not a complete grader folder (metrics.json, training.json): {exc}"
        ) from exc
    final = grader_root() / version
    moved = False
    try:
        with transaction.atomic():
            active = GraderVersion.objects.select_for_update().filter(is_active=True).first()
            # Versions are compared on unseen questions: one validated another way (unseen
            # answers score higher) is only made active by hand (grader_activate).
            comparable = record.get("config", {}).get("split", "question") == "question"
            activate = comparable and (active is None or score >= active.val_macro_f1_3way)
            if activate and active is not None:
                active.is_active = False
                active.save(update_fields=["is_active"])
            row = GraderVersion.objects.create(
                version=version,
                path=_stored_path(final),
                is_active=activate,
                val_macro_f1_3way=score,
                metrics=metrics,
                data_fingerprint=record.get("data_fingerprint", ""),
                training_args=record.get("config", {}),
                calibrated=bool(fitted),
                temperature=float((fitted or {}).get("temperature", 1.0)),
                auto_accept_threshold=(fitted or {}).get("auto_accept_threshold"),
            )
            if folder.resolve() != final.resolve():
                final.parent.mkdir(parents=True, exist_ok=True)
                folder.rename(final)
                moved = True
    except BaseException:
        if moved:
            final.rename(folder)
        raise
    return GraderRegistration(
        grader_version=row,
        activated=activate,
        previous_active=active.version if active else None,
        previous_macro_f1_3way=active.val_macro_f1_3way if active else None,
    )


def grader_version_activate(version: str) -> GraderVersion:
    """Make ``version`` the active grader, whatever its metrics (UnknownGraderVersion if none)."""
    with transaction.atomic():
        target = GraderVersion.objects.select_for_update().filter(version=version).first()
        if target is None:
            raise UnknownGraderVersion(version)
        if not target.folder.is_dir():
            raise GraderError(f"Grader version {version!r} has no model folder at {target.folder}.")
        # Deactivate first: the partial unique constraint allows one active row at any moment.
        GraderVersion.objects.filter(is_active=True).exclude(pk=target.pk).update(is_active=False)
        if not target.is_active:
            target.is_active = True
            target.save(update_fields=["is_active"])
    return target


def grader_train(
    config: training.TrainConfig,
    *,
    version: str | None = None,
    progress: bool = True,
    write: Callable[[str], None] | None = None,
) -> tuple[training.TrainOutcome, GraderRegistration]:
    """Train a grader version, write its folder and register it (active if good enough)."""
    if version:
        _check_new_version(version)
    else:
        version = _new_version()
    staging = grader_root() / f".staging-{version}"
    if staging.exists():
        shutil.rmtree(staging)  # left behind by a run that crashed
    try:
        outcome = training.train(config, staging, version=version, progress=progress, write=write)
        registration = grader_version_register(staging, version=version)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    outcome.folder = registration.grader_version.folder
    return outcome, registration


# --- grading ----------------------------------------------------------------------------------
# The embedded default has no worker: grading runs on one background thread of the web
# process (one thread: the model is loaded once and batches pending answers like a worker;
# a grade is recorded and pushed exactly as a worker would).
_background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grader")


def grading_queue(attempt_id: int, *, regrade: bool = False) -> None:
    """Queue the grading of an answer on the ``grading`` queue; without a broker (Celery
    eager), on the web process's grading thread (``settings.GRADER_IN_PROCESS``). Call it
    after the answer's transaction commits (``transaction.on_commit``): the grader must
    find the row."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        grade_attempt.delay(attempt_id, regrade=regrade)
    elif settings.GRADER_IN_PROCESS == "inline":
        grade_attempt.apply(args=[attempt_id], kwargs={"regrade": regrade})
    else:
        _background.submit(_grade_in_background, attempt_id, regrade)


def _grade_in_background(attempt_id: int, regrade: bool) -> None:
    try:
        grade_attempt.apply(args=[attempt_id], kwargs={"regrade": regrade})
    except Exception:  # the task logs and retries its own failures; the thread must live on
        log.exception("grading answer %s in the background failed; it stays pending", attempt_id)
    finally:
        close_old_connections()


def grader_warm_up() -> None:
    """Load the active grader now (the web process of the embedded default calls it, in the
    background, when it starts), so the first answer does not wait for the model. Without
    an active grader there is nothing to load."""
    try:
        engine.get_grader()
    except GraderError as error:
        log.info("no grader to warm up: %s", error)


def grader_warm_up_in_background() -> None:
    """``grader_warm_up`` on the grading thread, where the first grade will run."""
    _background.submit(grader_warm_up)
