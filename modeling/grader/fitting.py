"""One fine-tuning run's inner loop: the optimiser and its schedule, the prepared training
data, a training step, validation, the epoch planner that fits a run into a budget of
seconds (timing a few steps first, then planning again on the real pace), and the epochs
themselves with early stopping and averaging. ``training.train`` drives it and writes the
model folder."""

from __future__ import annotations

import copy
import math
import random
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from modeling.grader import network, similarity
from modeling.grader.data import Example
from modeling.grader.encoding import PairEncoder, collate, training_batches
from modeling.grader.engine import Grader, GradingInput, RawPredictions, cpu_has_bf16
from modeling.grader.evaluation import labelled_metrics
from modeling.grader.labels import CREDIT, LABELS_5WAY

if TYPE_CHECKING:
    from modeling.grader.training import TrainConfig


def _training_autocast(device: torch.device, cpu_bf16: bool):
    """bf16 autocast on a GPU that has it (fp16 otherwise); on the CPU only when asked."""
    if device.type == "cuda":
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.autocast("cuda", dtype=dtype)
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=cpu_bf16)


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


class LinearSchedule:
    """The learning-rate factor per step: linear warm-up, then linear decay to zero at the
    last step. ``relay`` moves the last step when the plan changes: from the step it is
    called at, the factor decays linearly from where it is to zero at the new last step (a
    plan that grows does not restart the warm-up; one that shrinks does not jump)."""

    def __init__(self, total_steps: int, warmup_steps: int) -> None:
        self.total = max(1, total_steps)
        self.warmup = max(1, warmup_steps)
        self._anchor: tuple[int, float] | None = None

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return (step + 1) / self.warmup
        if self._anchor is not None and step >= self._anchor[0]:
            start, factor = self._anchor
            return max(0.0, factor * (self.total - step) / max(1, self.total - start))
        return max(0.0, (self.total - step) / max(1, self.total - self.warmup))

    def relay(self, step: int, total_steps: int) -> None:
        """Make ``total_steps`` the last step, continuing from the factor at ``step``."""
        total_steps = max(total_steps, step + 1)
        if step < self.warmup:
            # Still warming up: the warm-up goes on, and the decay after it is laid out anew.
            self.total = max(total_steps, self.warmup + 1)
            self._anchor = None
            return
        self._anchor = (step, self(step))
        self.total = total_steps


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
    raw: RawPredictions  # the network's own validation predictions with ``state``


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


# How many steps the plan times before training (the first warms up and is not counted).
PROBE_STEPS = 4
# Where in epoch 1 the plan is made again from the pace of real steps.
REPLAN_FRACTION = 0.25
# Seconds kept at the end of a planned run for calibration, the adversarial sets and saving
# (measured: about 20 s on two cores; a run planned with 15 s ended 19 s late).
RESERVE_S = 30.0


def _train_step(
    net: nn.Module,
    optimizer: torch.optim.Optimizer,
    data: _Prepared,
    batch: Sequence[int],
    device: torch.device,
    cpu_bf16: bool,
    label_loss: nn.Module,
    score_loss: nn.Module,
    score_loss_weight: float,
) -> float:
    """One optimisation step on ``batch``; its loss."""
    tensors = {k: v.to(device) for k, v in collate([data.pairs[i] for i in batch], data.pad_id).items()}
    if data.features is not None:
        tensors["features"] = torch.from_numpy(data.features[batch]).to(device)
    with _training_autocast(device, cpu_bf16):
        logits, score_logits = net(**tensors)
    labels = torch.tensor([data.labels[i] for i in batch], device=device)
    credits = torch.tensor([data.credits[i] for i in batch], dtype=torch.float32, device=device)
    loss = label_loss(logits.float(), labels) + score_loss_weight * score_loss(score_logits.float(), credits)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    optimizer.step()
    return float(loss.item())


def _validate(
    validator: Grader, examples: Sequence[Example], inputs: Sequence[GradingInput]
) -> tuple[dict[str, Any], RawPredictions]:
    """The validation metrics of the validator's current weights, and what the network said."""
    raw = validator.network_predict(inputs)
    return labelled_metrics(validator, examples, validator.finish(inputs, raw)), raw


class EpochPlanner:
    """How many epochs fit in a budget of seconds, from a measured pace.

    ``clock`` is the run's clock (seconds; time.monotonic in a real run, a fake one in
    tests); ``started`` is when the run began on it."""

    def __init__(
        self,
        budget_s: float,
        max_epochs: int,
        *,
        clock: Callable[[], float],
        started: float,
        averaging: bool,
        reserve_s: float = RESERVE_S,
    ) -> None:
        self.budget_s = budget_s
        self.max_epochs = max_epochs
        self.clock = clock
        self.started = started
        self.averaging = averaging
        self.reserve_s = reserve_s

    def epochs(self, *, epoch_s: float, validation_s: float, done: float = 0.0) -> int:
        """The epochs of the whole run (at least one, and at least those begun) when an epoch
        takes ``epoch_s``, a validation ``validation_s``, and ``done`` epochs' training (a
        fraction for one under way, its validation still to come) is behind."""
        begun = math.ceil(done) if done else 0
        if epoch_s + validation_s <= 0:
            return self.max_epochs
        left = self.budget_s - (self.clock() - self.started) - self.reserve_s
        if begun:  # the epoch under way: the rest of its steps and its validation
            left -= (begun - done) * epoch_s + (validation_s if done < begun else 0.0)
        more = max(0, math.floor(left / (epoch_s + validation_s))) if left > 0 else 0
        total = min(self.max_epochs, begun + more)
        # Averaging the last epochs costs one more validation: it must fit, or one epoch fewer.
        if self.averaging and total >= 2 and left - (total - begun) * (epoch_s + validation_s) < validation_s:
            total -= 1
        return max(1, begun, total)


def _plan_epochs(
    net: network.GraderNetwork,
    data: _Prepared,
    config: TrainConfig,
    device: torch.device,
    n_val: int,
    planner: EpochPlanner,
) -> dict[str, Any]:
    """The first plan, from timing a few steps on a copy of the network."""
    probe = copy.deepcopy(net).to(device).train()
    optimizer = torch.optim.AdamW([p for p in probe.parameters() if p.requires_grad], lr=1e-9)
    cpu_bf16 = cpu_has_bf16() if config.bf16 is None else config.bf16
    lengths = [len(ids) for ids, _ in data.pairs]
    rng_state = torch.get_rng_state()  # the run itself draws as it would without a plan
    label_loss, score_loss = nn.CrossEntropyLoss(), nn.BCEWithLogitsLoss()
    timings = []
    batches = training_batches(lengths, config.batch_size, random.Random(0))[:PROBE_STEPS]
    for index, batch in enumerate(batches):
        tick = planner.clock()
        _train_step(probe, optimizer, data, batch, device, cpu_bf16, label_loss, score_loss, 1.0)
        if index:  # the first step warms up
            timings.append(planner.clock() - tick)
    torch.set_rng_state(rng_state)
    del probe, optimizer
    per_batch = statistics.median(timings) if timings else 0.0
    epoch_s = per_batch * math.ceil(len(data.pairs) / config.batch_size)
    # Validation is forward passes only (about a third of a step); the answers' features
    # were computed before training.
    validation_s = per_batch * math.ceil(n_val / config.batch_size) / 3
    epochs = planner.epochs(epoch_s=epoch_s, validation_s=validation_s)
    return {
        "budget_s": config.fit_seconds,
        "seconds_per_batch": round(per_batch, 3),
        "epoch_s": round(epoch_s, 1),
        "validation_s": round(validation_s, 1),
        "epochs": epochs,
        "first_plan_epochs": epochs,
        "replans": [],
    }


def _fit(
    net: network.GraderNetwork,
    validator: Grader,
    data: _Prepared,
    val_examples: Sequence[Example],
    config: TrainConfig,
    *,
    seed: int,
    clock: Callable[[], float],
    started: float,
    deadline: float,
    progress: bool,
    say: Callable[[str], None],
    tag: str,
    planner: EpochPlanner | None = None,
    plan: dict[str, Any] | None = None,
) -> _Fit:
    """One fine-tuning run from the base checkpoint; its best (or averaged) weights by
    validation. With a ``planner`` the number of epochs is planned again on the real pace
    (written into ``plan``) and the decay laid out for the epochs that will run."""
    rng = random.Random(seed)
    device = validator.device
    cpu_bf16 = cpu_has_bf16() if config.bf16 is None else config.bf16
    lengths = [len(ids) for ids, _ in data.pairs]
    steps_per_epoch = math.ceil(len(data.pairs) / config.batch_size)
    epochs = config.epochs
    total_steps = steps_per_epoch * epochs
    optimizer = torch.optim.AdamW(_parameter_groups(net, config))
    factor = LinearSchedule(total_steps, round(config.warmup_ratio * total_steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    label_loss = nn.CrossEntropyLoss(weight=data.weights.to(device), label_smoothing=config.label_smoothing)
    score_loss = nn.BCEWithLogitsLoss()
    inputs = [GradingInput(e.question, e.reference_answers, e.student_answer) for e in val_examples]
    replan_at = max(1, round(REPLAN_FRACTION * steps_per_epoch))

    def replan(step: int, new_epochs: int, record: dict[str, Any]) -> int:
        record["epochs"] = new_epochs
        assert plan is not None
        plan["replans"].append(record)
        plan["epochs"] = new_epochs
        if new_epochs != epochs:
            factor.relay(step, steps_per_epoch * new_epochs)
            say(f"{tag}re-planned {record['at']}: {new_epochs} epoch(s) in all")
        return new_epochs

    history: list[dict[str, Any]] = []
    checkpoints: list[tuple[dict[str, torch.Tensor], RawPredictions]] = []
    best: tuple[float, int, dict[str, torch.Tensor], dict[str, Any], RawPredictions] | None = None
    stopped = "epochs"
    step = 0
    epoch = 0
    while epoch < epochs:
        epoch += 1
        net.train()
        running, seen = 0.0, 0
        epoch_started = clock()
        bar = tqdm(
            training_batches(lengths, config.batch_size, rng),
            desc=f"{tag}epoch {epoch}/{epochs}",
            unit="batch",
            disable=not progress,
            leave=False,
        )
        out_of_time = False
        for batch_index, batch in enumerate(bar, start=1):
            if clock() > deadline:
                out_of_time = True
                break
            loss = _train_step(
                net,
                optimizer,
                data,
                batch,
                device,
                cpu_bf16,
                label_loss,
                score_loss,
                config.score_loss_weight,
            )
            schedule.step()
            step += 1
            running += loss * len(batch)
            seen += len(batch)
            bar.set_postfix(loss=f"{running / seen:.4f}")
            if planner is not None and epoch == 1 and batch_index == replan_at < steps_per_epoch:
                pace = (clock() - epoch_started) / batch_index
                epoch_s = pace * steps_per_epoch
                validation_s = pace * math.ceil(len(val_examples) / config.batch_size) / 3
                done = batch_index / steps_per_epoch
                epochs = replan(
                    step,
                    planner.epochs(epoch_s=epoch_s, validation_s=validation_s, done=done),
                    {"at": f"{round(100 * done)}% into epoch 1", "seconds_per_batch": round(pace, 3)},
                )
                bar.set_description(f"{tag}epoch {epoch}/{epochs}")
        bar.close()
        trained = clock()
        metrics, raw = _validate(validator, val_examples, inputs)
        validated = clock()
        entry = {
            "run": tag.strip(" :") or "1",
            "epoch": epoch,
            "train_loss": running / max(1, seen),
            "answers_seen": seen,
            "elapsed_s": round(validated - started, 1),
            **{k: metrics[k] for k in ("acc_3way", "macro_f1_3way", "macro_f1_5way", "macro_f1_2way")},
            "by_dataset": {d: sub["macro_f1_3way"] for d, sub in metrics.get("by_dataset", {}).items()},
        }
        history.append(entry)
        say(
            f"{tag}epoch {epoch}: loss {entry['train_loss']:.4f} | {_summary(metrics)} | {entry['elapsed_s']:.0f}s"
        )
        checkpoints.append((_state(net), raw))
        if best is None or metrics["macro_f1_3way"] > best[0]:
            best = (metrics["macro_f1_3way"], epoch, checkpoints[-1][0], metrics, raw)
        if planner is not None and epoch == 1 and not out_of_time:
            epoch_s, validation_s = trained - epoch_started, validated - trained
            epochs = replan(
                step,
                planner.epochs(epoch_s=epoch_s, validation_s=validation_s, done=1),
                {"at": "after epoch 1", "epoch_s": round(epoch_s, 1), "validation_s": round(validation_s, 1)},
            )
        if out_of_time:
            stopped = "time budget"
            break
        if epoch - best[1] >= config.patience and epoch < epochs:
            stopped = f"early stop (no gain for {config.patience} epoch(s))"
            break
    assert best is not None
    if plan is not None:
        plan["lr_factor_after_last_step"] = round(factor(step), 6)
    fit = _Fit(
        state=best[2],
        metrics=best[3],
        chosen=f"epoch {best[1]}",
        stopped=stopped,
        history=history,
        raw=best[4],
    )
    if config.average_last >= 2 and len(checkpoints) >= 2:
        window = [state for state, _ in checkpoints[-config.average_last :]]
        net.load_state_dict(_average(window))
        averaged, raw = _validate(validator, val_examples, inputs)
        label = f"average of epochs {len(checkpoints) - len(window) + 1}-{len(checkpoints)}"
        history.append({"run": entry["run"], "epoch": label, "macro_f1_3way": averaged["macro_f1_3way"]})
        say(f"{tag}{label}: {_summary(averaged)}")
        if averaged["macro_f1_3way"] >= best[0]:
            fit.state, fit.metrics, fit.chosen, fit.raw = _state(net), averaged, label, raw
    return fit
