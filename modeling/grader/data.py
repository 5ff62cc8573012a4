"""Reading grading data: the shared SemEval-2013 CSVs and score-annotated CSVs.

A labelled CSV needs ``question_text``, ``student_answer``, ``label_5way`` and either
``reference_answers`` (a JSON list of strings or of objects with a ``text``) or a single
``reference_answer``. A score CSV needs ``question_text``, ``reference_answer``,
``student_answer``, ``score`` and ``max_score``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from modeling.grader.errors import DataError
from modeling.grader.labels import LABELS_5WAY

SCORE_COLUMNS: tuple[str, ...] = ("question_text", "reference_answer", "student_answer", "score", "max_score")
LABEL_COLUMNS: tuple[str, ...] = ("question_text", "student_answer", "label_5way")


@dataclass(frozen=True)
class Example:
    """One labelled student answer."""

    question: str
    reference_answers: tuple[str, ...]
    student_answer: str
    label_5way: str
    question_id: str
    dataset: str
    # Index into reference_answers of the reference the annotators matched the answer to
    # (Beetle's answer_match, else the row's reference_answer, else the first).
    matched_reference: int = 0
    # The row's module (SciEntsBank's science domain, Beetle's tutorial module), if given.
    module: str = ""


@dataclass(frozen=True)
class ScoredExample:
    """One student answer with a numeric score, normalised to [0, 1]."""

    question: str
    reference_answers: tuple[str, ...]
    student_answer: str
    target: float


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a CSV file, or a DataError saying why it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"No such data file: {path}")
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = list(reader.fieldnames or [])
    except (UnicodeDecodeError, csv.Error, gzip.BadGzipFile, EOFError) as exc:
        raise DataError(f"{path} is not a readable UTF-8 CSV file: {exc}") from exc
    if not header:
        raise DataError(f"{path} is empty: it has no header row.")
    return header, rows


def is_score_csv(header: Sequence[str]) -> bool:
    """Whether a CSV carries scores rather than labels (it has all score columns and no label)."""
    return "label_5way" not in header and all(column in header for column in SCORE_COLUMNS)


def _missing(header: Sequence[str], required: Iterable[str]) -> list[str]:
    return [column for column in required if column not in header]


def _references(row: dict[str, str], path: Path, line: int) -> tuple[list[str], list[str | None]]:
    """The texts and ids of a row's reference answers."""
    raw = (row.get("reference_answers") or "").strip()
    texts: list[str] = []
    ids: list[str | None] = []
    if raw:
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}, line {line}: reference_answers is not valid JSON ({exc.msg}).") from exc
        if not isinstance(parsed, list):
            raise DataError(f"{path}, line {line}: reference_answers must be a JSON list.")
        for entry in parsed:
            if isinstance(entry, str):
                texts.append(entry)
                ids.append(None)
            elif isinstance(entry, dict) and isinstance(entry.get("text"), str):
                texts.append(entry["text"])
                ids.append(entry.get("id"))
            else:
                raise DataError(f"{path}, line {line}: each reference answer needs a text.")
    single = (row.get("reference_answer") or "").strip()
    if not texts and single:
        texts, ids = [single], [None]
    texts_ids = [(t.strip(), i) for t, i in zip(texts, ids, strict=True) if t.strip()]
    if not texts_ids:
        raise DataError(f"{path}, line {line}: the row has no reference answer.")
    return [t for t, _ in texts_ids], [i for _, i in texts_ids]


def load_labelled(path: Path) -> list[Example]:
    """The labelled examples of a CSV with the shared data's columns."""
    return _labelled(Path(path), *read_csv(path))


def load_scored(path: Path) -> list[ScoredExample]:
    """The examples of a CSV with ``score`` and ``max_score`` columns instead of labels."""
    return _scored(Path(path), *read_csv(path))


def load_any(path: Path) -> list[Example] | list[ScoredExample]:
    """Labelled examples, or scored ones when the CSV has score columns and no labels."""
    path = Path(path)
    header, rows = read_csv(path)
    if is_score_csv(header):
        return _scored(path, header, rows)
    return _labelled(path, header, rows)


def _labelled(path: Path, header: list[str], rows: list[dict[str, str]]) -> list[Example]:
    missing = _missing(header, LABEL_COLUMNS)
    if "reference_answers" not in header and "reference_answer" not in header:
        missing.append("reference_answers (or reference_answer)")
    if missing:
        raise DataError(f"{path} lacks the column(s): {', '.join(missing)}.")
    examples = []
    for line, row in enumerate(rows, start=2):
        label = (row.get("label_5way") or "").strip().lower()
        if label not in LABELS_5WAY:
            raise DataError(
                f"{path}, line {line}: unknown label_5way {label!r}; expected one of {LABELS_5WAY}."
            )
        texts, ids = _references(row, path, line)
        match_id = (row.get("answer_match") or "").strip()
        matched_text = (row.get("reference_answer") or "").strip()
        if match_id and match_id in ids:
            matched = ids.index(match_id)
        elif matched_text in texts:
            matched = texts.index(matched_text)
        else:
            matched = 0
        question = (row.get("question_text") or "").strip()
        examples.append(
            Example(
                question=question,
                reference_answers=tuple(texts),
                student_answer=(row.get("student_answer") or "").strip(),
                label_5way=label,
                question_id=(row.get("question_id") or "").strip() or question,
                dataset=(row.get("dataset") or "").strip() or path.stem,
                matched_reference=matched,
                module=(row.get("module") or "").strip(),
            )
        )
    if not examples:
        raise DataError(f"{path} has a header but no rows.")
    return examples


def _scored(path: Path, header: list[str], rows: list[dict[str, str]]) -> list[ScoredExample]:
    missing = _missing(header, SCORE_COLUMNS)
    if missing:
        raise DataError(f"{path} lacks the column(s): {', '.join(missing)}.")
    examples = []
    for line, row in enumerate(rows, start=2):
        try:
            score, max_score = float(row["score"]), float(row["max_score"])
        except (TypeError, ValueError) as exc:
            raise DataError(f"{path}, line {line}: score and max_score must be numbers.") from exc
        if max_score <= 0:
            raise DataError(f"{path}, line {line}: max_score must be positive, not {max_score}.")
        texts, _ = _references(row, path, line)
        examples.append(
            ScoredExample(
                question=(row.get("question_text") or "").strip(),
                reference_answers=tuple(texts),
                student_answer=(row.get("student_answer") or "").strip(),
                target=min(max(score / max_score, 0.0), 1.0),
            )
        )
    if not examples:
        raise DataError(f"{path} has a header but no rows.")
    return examples


def split_by_question(
    examples: Sequence[Example], val_fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """Train and validation examples, with whole questions held out of training.

    Each dataset gives the same fraction of its questions to validation, so that the
    split measures the grader on questions it never saw in every dataset.
    """
    return _hold_out_groups(examples, val_fraction, seed, lambda e: e.question_id)


def _check_fraction(val_fraction: float) -> None:
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must lie strictly between 0 and 1, not {val_fraction}.")


def _hold_out_groups(
    examples: Sequence[Example], val_fraction: float, seed: int, group: Callable[[Example], str]
) -> tuple[list[Example], list[Example]]:
    """Whole groups (questions, modules) held out: the same fraction of each dataset's."""
    _check_fraction(val_fraction)
    rng = random.Random(seed)
    held_out: set[tuple[str, str]] = set()
    for dataset in sorted({e.dataset for e in examples}):
        groups = sorted({group(e) for e in examples if e.dataset == dataset})
        rng.shuffle(groups)
        n_val = max(1, round(len(groups) * val_fraction)) if len(groups) > 1 else 0
        held_out.update((dataset, g) for g in groups[:n_val])
    train = [e for e in examples if (e.dataset, group(e)) not in held_out]
    val = [e for e in examples if (e.dataset, group(e)) in held_out]
    return train, val


SPLITS = ("question", "answer", "module")


def split_examples(
    examples: Sequence[Example], val_fraction: float, seed: int, by: str = "question"
) -> tuple[list[Example], list[Example]]:
    """Train and validation examples held out the way SemEval-2013's test splits were:
    ``question`` (unseen questions: whole questions held out; the default, and the one
    versions are compared on), ``answer`` (unseen answers: a share of every question's
    answers) or ``module`` (unseen domains: whole modules, per dataset)."""
    if by == "question":
        return split_by_question(examples, val_fraction, seed)
    if by == "answer":
        _check_fraction(val_fraction)
        rng = random.Random(seed)
        groups: dict[tuple[str, str], list[int]] = {}
        for index, e in enumerate(examples):
            groups.setdefault((e.dataset, e.question_id), []).append(index)
        held: set[int] = set()
        for key in sorted(groups):
            members = groups[key]
            rng.shuffle(members)
            held.update(members[: round(len(members) * val_fraction)])
        return (
            [e for i, e in enumerate(examples) if i not in held],
            [e for i, e in enumerate(examples) if i in held],
        )
    if by == "module":
        if any(not e.module for e in examples):
            raise DataError(
                "A split by module needs a module on every row (the shared data's module column)."
            )
        return _hold_out_groups(examples, val_fraction, seed, lambda e: e.module)
    raise ValueError(f"split must be one of {SPLITS}, not {by!r}.")


def fingerprint(examples: Iterable[Example]) -> str:
    """sha256 of the examples' content: equal data gives an equal fingerprint."""
    digest = hashlib.sha256()
    for e in examples:
        record = [
            e.dataset,
            e.question_id,
            e.question,
            list(e.reference_answers),
            e.student_answer,
            e.label_5way,
        ]
        digest.update(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
