"""Batched inference with a trained grader version.

``grade_answers`` is the door a Celery task (or anything else) calls: it finds the active
version in the registry, loads it once per process (cached by version), and grades a list
of answers in length-sorted batches. The device comes from ``settings.GRADER_DEVICE``
(auto, cpu or cuda); on CUDA the forward pass runs under bf16 autocast where the GPU
supports it and fp16 otherwise; on the CPU under bf16 autocast where the CPU has native bf16
(``settings.GRADER_CPU_BF16``, auto by default), else in fp32. Training validates in fp32.

Between the network and the grade: the version's temperature (``calibration``) and the
checks before the model (``checks``), which keep an answer built to game the grader (the
question pasted back, a list of the reference's key words, the reference negated) from
being graded correct whatever the network says. A grade's confidence is the calibrated
probability that its 3-way verdict is right; it is auto-accepted at or above the version's
threshold (a version without one auto-accepts nothing).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from modeling.grader import calibration, checks, feedback, network, similarity
from modeling.grader.encoding import EncodingSpec, PairEncoder, collate, inference_batches
from modeling.grader.errors import GraderError, NoActiveGrader
from modeling.grader.labels import CREDIT, LABELS_5WAY, coarse_probabilities

NON_DOMAIN = LABELS_5WAY.index("non_domain")
_CORRECT = LABELS_5WAY.index("correct")
_PARTIAL = LABELS_5WAY.index("partially_correct_incomplete")
_CONTRADICTORY = LABELS_5WAY.index("contradictory")
_IRRELEVANT = LABELS_5WAY.index("irrelevant")
PARTIAL_CREDIT = np.array([CREDIT[label] for label in LABELS_5WAY])


@dataclass(frozen=True)
class GradingInput:
    """A student answer to grade, with its question and every reference answer."""

    question: str
    reference_answers: Sequence[str]
    student_answer: str


@dataclass(frozen=True)
class GradeResult:
    """The grader's verdict on one answer."""

    label_5way: str
    label_3way: str
    label_2way: str
    probabilities: dict[str, float]  # 5-way, summing to 1
    score: float  # credit in [0, 1]
    # The calibrated probability that the 3-way verdict of label_5way is right.
    confidence: float
    model_version: str
    # For the teacher only: the reference the answer is closest to, and its key terms the
    # answer lacks. A student never sees them (the item may come back).
    closest_reference: str | None = None
    missing_terms: tuple[str, ...] = field(default=())
    # At or above the version's auto-accept threshold (False where it has none).
    auto_accepted: bool = False
    # The checks before the model that fired (``checks.CHECKS``).
    checks: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for a task result or a WebSocket message)."""
        out = asdict(self)
        out["missing_terms"] = list(self.missing_terms)
        out["checks"] = list(self.checks)
        return out


@dataclass(frozen=True)
class Predictions:
    probabilities: np.ndarray  # (n, 5), rows sum to 1: calibrated, after the checks
    scores: np.ndarray  # (n,), in [0, 1]
    closest_reference: list[int]  # per answer, an index into its reference_answers
    # The network's own probabilities (temperature 1, before the checks): what the
    # temperature is fitted on.
    model_probabilities: np.ndarray | None = None
    checks: list[tuple[str, ...]] = field(default_factory=list)  # per answer, the checks that fired

    @property
    def confidence(self) -> np.ndarray:
        """Per answer, the calibrated probability that its 3-way verdict is right."""
        return calibration.verdicts(self.probabilities)[1]


@dataclass(frozen=True)
class RawPredictions:
    """What the network alone said: its probabilities (temperature 1), its score head, the
    closest reference, and which answers it graded (the others were empty)."""

    probabilities: np.ndarray
    head_scores: np.ndarray
    closest: list[int]
    graded: list[int]


def _triple(item: GradingInput) -> tuple[str, list[str], str]:
    return (
        item.question.strip(),
        [ref.strip() for ref in item.reference_answers if ref.strip()],
        item.student_answer.strip(),
    )


def apply_checks(probabilities: np.ndarray, fired: Sequence[str]) -> np.ndarray:
    """One answer's 5-way probabilities as the checks that fired on it allow: a question
    copy can be neither correct nor contradictory (that mass goes to irrelevant), a keyword
    list is at best partly correct, a polarity flip contradicts rather than agrees, and an
    answer in a reference's own words is correct."""
    out = np.array(probabilities, dtype=np.float64)
    if "question_copy" in fired:
        out[_IRRELEVANT] += out[_CORRECT] + out[_CONTRADICTORY]
        out[_CORRECT] = out[_CONTRADICTORY] = 0.0
    if "keyword_list" in fired:
        out[_PARTIAL] += out[_CORRECT]
        out[_CORRECT] = 0.0
    if "polarity_flip" in fired:
        out[_CONTRADICTORY] += out[_CORRECT]
        out[_CORRECT] = 0.0
    if "matches_reference" in fired:
        out[:] = 0.0
        out[_CORRECT] = 1.0
    return out


def resolve_device(setting: str) -> torch.device:
    """The torch device for ``settings.GRADER_DEVICE`` (auto, cpu or cuda)."""
    choice = (setting or "auto").strip().lower()
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cpu":
        return torch.device("cpu")
    if choice.startswith("cuda"):
        if not torch.cuda.is_available():
            raise GraderError(f"GRADER_DEVICE is {setting!r} but torch sees no CUDA device.")
        return torch.device(choice)
    raise GraderError(f"GRADER_DEVICE must be auto, cpu or cuda, not {setting!r}.")


def cpu_has_bf16() -> bool:
    """Whether the CPU computes in bf16 natively (AVX512-BF16, AMX)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def resolve_cpu_bf16(setting: str) -> bool:
    """``settings.GRADER_CPU_BF16``: auto (where the CPU has native bf16), on or off."""
    choice = (setting or "auto").strip().lower()
    if choice == "auto":
        return cpu_has_bf16()
    if choice in ("on", "off"):
        return choice == "on"
    raise GraderError(f"GRADER_CPU_BF16 must be auto, on or off, not {setting!r}.")


def _autocast(device: torch.device, cpu_bf16: bool = False):
    if device.type == "cuda":
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.autocast("cuda", dtype=dtype)
    # On a CPU with native bf16 a batch runs about 4x faster in bf16 and the labels agree with
    # fp32 on 99.6% of the validation answers (3-way macro-F1 0.603 vs 0.604).
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=cpu_bf16)


class Grader:
    """A loaded grader version: network, tokenizer and encoding rules on one device."""

    def __init__(
        self,
        net: network.GraderNetwork,
        tokenizer: Any,
        config: dict[str, Any],
        *,
        version: str,
        device: torch.device | None = None,
        max_batch_size: int = 64,
        max_batch_tokens: int = 64 * 128,
        cpu_bf16: bool = False,
        embedder: similarity.SentenceEmbedder | None = None,
    ) -> None:
        self.device = device or torch.device("cpu")
        self.cpu_bf16 = cpu_bf16 and self.device.type == "cpu"
        self.network = net.to(self.device).eval()
        self.config = config
        self.spec = EncodingSpec(**config["encoding"])
        self.encoder = PairEncoder(tokenizer, self.spec)
        self.version = version
        self.max_batch_size = max_batch_size
        self.max_batch_tokens = max_batch_tokens
        self.embedder: similarity.SentenceEmbedder | None = None
        self.feature_names: tuple[str, ...] = tuple(config.get("similarity_features") or ())
        if self.feature_names:  # (network.load checked that this code computes them)
            self.embedder = embedder or similarity.SentenceEmbedder(
                self.device, expected_sha256=config.get("base_weights_sha256"), cpu_bf16=self.cpu_bf16
            )
        # A version trained before calibration: temperature 1, no threshold.
        fitted = config.get("calibration") or {}
        self.temperature = float(fitted.get("temperature", 1.0))
        threshold = fitted.get("auto_accept_threshold")
        self.auto_accept_threshold: float | None = None if threshold is None else float(threshold)

    @property
    def calibrated(self) -> bool:
        return "calibration" in self.config

    @classmethod
    def from_folder(
        cls, folder: Path, *, version: str, device: torch.device | None = None, cpu_bf16: bool = False
    ) -> Grader:
        net, tokenizer, config = network.load(folder)
        return cls(net, tokenizer, config, version=version, device=device, cpu_bf16=cpu_bf16)

    def predict(self, items: Sequence[GradingInput]) -> Predictions:
        """Label probabilities, scores and the closest reference of each answer, in input order."""
        return self.finish(items, self.network_predict(items))

    @torch.inference_mode()
    def network_predict(self, items: Sequence[GradingInput]) -> RawPredictions:
        """What the network alone says of each answer (no temperature, no checks)."""
        for index, item in enumerate(items):
            if not any(ref.strip() for ref in item.reference_answers):
                raise GraderError(f"Answer {index} has no reference answer to be graded against.")
        self.network.eval()  # training validates with this same grader between epochs
        n = len(items)
        probabilities = np.zeros((n, len(LABELS_5WAY)))
        scores = np.zeros(n)
        closest = [0] * n
        # An empty answer earns no credit and says nothing about the domain; no model needed.
        graded = [i for i, item in enumerate(items) if item.student_answer.strip()]
        for i in set(range(n)) - set(graded):
            probabilities[i, NON_DOMAIN] = 1.0
        if not graded:
            return RawPredictions(probabilities, scores, closest, graded)
        triples = [_triple(items[i]) for i in graded]
        pairs, owners = self.encoder.encode(triples)
        triple_features = (
            similarity.features(self.embedder, triples, self.feature_names) if self.embedder else None
        )
        pair_probs = np.zeros((len(pairs), len(LABELS_5WAY)))
        pair_scores = np.zeros(len(pairs))
        lengths = [len(ids) for ids, _ in pairs]
        for batch in inference_batches(lengths, self.max_batch_size, self.max_batch_tokens):
            tensors = {
                k: v.to(self.device)
                for k, v in collate([pairs[i] for i in batch], self.encoder.pad_id).items()
            }
            if triple_features is not None:
                rows = [owners[i][0] for i in batch]
                tensors["features"] = torch.from_numpy(triple_features[rows]).to(self.device)
            with _autocast(self.device, self.cpu_bf16):
                logits, score_logits = self.network(**tensors)
            pair_probs[batch] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
            pair_scores[batch] = torch.sigmoid(score_logits.float()).cpu().numpy()
        best_score = np.full(len(graded), -1.0)
        for pair, (owner, ref_index) in enumerate(owners):
            # "each" mode: an answer is graded against the reference it fits best, as the
            # annotators matched each answer to one reference.
            if pair_scores[pair] > best_score[owner]:
                best_score[owner] = pair_scores[pair]
                item_index = graded[owner]
                probabilities[item_index] = pair_probs[pair]
                scores[item_index] = pair_scores[pair]
                if ref_index >= 0:
                    closest[item_index] = ref_index
        if self.spec.references == "joined":
            for owner, item_index in enumerate(graded):
                closest[item_index] = feedback.closest_reference_index(triples[owner][2], triples[owner][1])
        return RawPredictions(probabilities, scores, closest, graded)

    def finish(
        self, items: Sequence[GradingInput], raw: RawPredictions, *, use_checks: bool = True
    ) -> Predictions:
        """The grades from what the network said: the version's temperature, then the checks
        before the model (``use_checks=False``: the network alone, for the benchmark), then
        the score."""
        graded = raw.graded
        probabilities = raw.probabilities.copy()
        scores = raw.head_scores.copy()
        fired: list[tuple[str, ...]] = [()] * len(items)
        probabilities[graded] = calibration.apply_temperature(probabilities[graded], self.temperature)
        checked = []
        if use_checks:
            for item_index in graded:
                result = checks.run_checks(*_triple(items[item_index]))
                if result:
                    fired[item_index] = result.fired
                    probabilities[item_index] = apply_checks(probabilities[item_index], result.fired)
                    checked.append(item_index)
        # The score is the mean of two estimates of the credit: the score head's and the
        # label head's expected credit (sum of P(label) x credit). On the validation split the
        # mean tracks the gold credit at least as well as either (Pearson r 0.489 vs 0.488 and
        # 0.484) and contradicts the label (a "correct" with a score under 0.5, say) less than
        # half as often as the head alone (1.2% vs 2.8%), so what the student reads and what the student model
        # counts agree.
        expected = probabilities[graded] @ PARTIAL_CREDIT
        scores[graded] = (scores[graded] + expected) / 2.0
        # Where a check fired the score head was fooled too: the credit the label allows is the score.
        scores[checked] = probabilities[checked] @ PARTIAL_CREDIT
        return Predictions(
            probabilities, np.clip(scores, 0.0, 1.0), list(raw.closest), raw.probabilities, fired
        )

    def grade(self, items: Sequence[GradingInput]) -> list[GradeResult]:
        """A GradeResult per answer, in input order."""
        predictions = self.predict(items)
        confidence = predictions.confidence
        results = []
        for index, item in enumerate(items):
            probs = {
                label: float(p)
                for label, p in zip(LABELS_5WAY, predictions.probabilities[index], strict=True)
            }
            references = [ref.strip() for ref in item.reference_answers if ref.strip()]
            closest = references[predictions.closest_reference[index]]
            label_5way = max(probs, key=probs.__getitem__)
            results.append(
                GradeResult(
                    label_5way=label_5way,
                    label_3way=_argmax(coarse_probabilities(probs, "3way")),
                    label_2way=_argmax(coarse_probabilities(probs, "2way")),
                    probabilities=probs,
                    score=float(predictions.scores[index]),
                    confidence=float(confidence[index]),
                    model_version=self.version,
                    closest_reference=closest,
                    missing_terms=feedback.missing_terms(item.student_answer, closest, item.question),
                    auto_accepted=self.auto_accept_threshold is not None
                    and float(confidence[index]) >= self.auto_accept_threshold,
                    checks=predictions.checks[index],
                )
            )
        return results


def _argmax(probabilities: dict[str, float]) -> str:
    return max(probabilities, key=probabilities.__getitem__)


def coarse_labels(probabilities: np.ndarray) -> dict[str, list[str]]:
    """Predicted labels at each level from 5-way probabilities: the argmax of summed probabilities."""
    out: dict[str, list[str]] = {"5way": [], "3way": [], "2way": []}
    for row in probabilities:
        probs = dict(zip(LABELS_5WAY, row.tolist(), strict=True))
        out["5way"].append(_argmax(probs))
        out["3way"].append(_argmax(coarse_probabilities(probs, "3way")))
        out["2way"].append(_argmax(coarse_probabilities(probs, "2way")))
    return out


# --- the per-process cache ----------------------------------------------------------

_CACHE: dict[str, Grader] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 2


def get_grader(version: str | None = None) -> Grader:
    """The loaded grader for ``version`` (the active one by default), loading it on first use."""
    from django.conf import settings

    from modeling import selectors

    row = selectors.grader_version_get(version) if version else selectors.grader_version_active()
    if row is None:
        raise NoActiveGrader("No active grader version: train one with `manage.py train_grader`.")
    with _CACHE_LOCK:
        grader = _CACHE.get(row.version)
        if grader is None:
            folder = row.folder
            if not folder.is_dir():
                raise GraderError(f"Grader version {row.version!r} is registered but {folder} is missing.")
            grader = Grader.from_folder(
                folder,
                version=row.version,
                device=resolve_device(settings.GRADER_DEVICE),
                cpu_bf16=resolve_cpu_bf16(settings.GRADER_CPU_BF16),
            )
            while len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[row.version] = grader
        return grader


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def grade_answers(items: Sequence[GradingInput], *, version: str | None = None) -> list[GradeResult]:
    """Grade answers with the active grader version (or ``version``); results in input order."""
    if not items:
        return []
    return get_grader(version).grade(items)
