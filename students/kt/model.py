"""The live student model: predict an answer, then learn from it. One call per graded answer.

P(correct) of student u on item i, which involves concepts J, is BKT's prediction
corrected by an Elo/IRT residual (a Rasch term on the logit scale):

    logit P(correct) = logit P_bkt(J) + theta_u - b_i

* P_bkt(J) is the combination (`students.kt.bkt.Combination`) of the per-concept BKT
  predictions q_j = P(L_j)(1 - S_j) + (1 - P(L_j)) G_j: what the student knows of the
  concepts, and how it grows with practice.
* b_i is the item's difficulty *relative to its concepts* (0 for a typical item of those
  concepts, positive for a harder one). Fitted from the log (`students.kt.fit`) and, live,
  nudged after each answer.
* theta_u is the student's general ability, shared across concepts: the part of their
  performance that BKT's per-concept states, all starting at P(L0), cannot know yet.

After the answer (score s in [0, 1], evidence weight w) every involved concept gets the BKT
update (`bkt.update_multi`), and the two Elo terms move along the gradient of the log-
likelihood of this prediction with the step sizes of Pelánek's Elo for education
(Pelánek 2016, "Applications of the Elo rating system in adaptive educational systems",
Computers & Education 98; uncertainty function U(n) = K / (1 + c n)):

    theta_u <- theta_u + w * K_u / (1 + c_u n_u) * (s - P)
    b_i     <- b_i     - w * K_i / (1 + c_i n_i) * (s - P)

where n counts the earlier answers of the student / to the item (an item's count includes
the answers it was fitted on, so a well-estimated difficulty barely moves).

The evaluation (`students.kt.evaluate`) scores exactly this function: it calls
`observe_answer` once per answer and scores the `prediction` it returns, which is made from
the state before the answer.

Spaced review of mastered concepts is the `fsrs` package's job, in the database layer; the
`AnswerUpdate` carries what it needs (per-concept posterior and score), and nothing here
schedules reviews.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from students.kt import bkt
from students.kt.bkt import BKTParams, Combination
from students.kt.numeric import logit, sigmoid


@dataclass(frozen=True)
class ItemState:
    """An item's difficulty relative to its concepts (logit scale) and how many answers it rests on."""

    difficulty: float = 0.0
    n_attempts: int = 0


@dataclass(frozen=True)
class AbilityState:
    """A student's general ability (logit scale) and how many answers it rests on."""

    ability: float = 0.0
    n_attempts: int = 0


@dataclass(frozen=True)
class ModelSettings:
    """How predictions combine and how fast the Elo terms move.

    The combination and the ability step were compared on a validation split of the
    *training* students of the ASSISTments 2009 log (20% of the seed-0 training students,
    seed 1), not on the evaluation's test students.
    """

    # PRODUCT (noisy-AND with shared blame) edged out MEAN_LOGIT on the validation split
    # (AUC 0.7802 vs 0.7797, forgetting fitted); both are principled, the gap is small.
    combination: Combination = Combination.PRODUCT
    # K from 0.4 to 0.8 with c from 0.05 to 0.1 were within 0.0005 AUC of each other there;
    # K 0.2 or no decay (c = 0) lost 0.001-0.002.
    ability_k: float = 0.4
    ability_decay: float = 0.05
    # The replay freezes items, so their live step is not tuned offline; it mirrors the
    # ability's, and the fitted count n_i keeps a well-estimated difficulty nearly fixed.
    item_k: float = 0.4
    item_decay: float = 0.05
    # Concepts without fitted parameters use these.
    default_params: BKTParams = field(default_factory=BKTParams)

    def as_dict(self) -> dict[str, object]:
        return {
            "combination": self.combination.value,
            "ability_k": self.ability_k,
            "ability_decay": self.ability_decay,
            "item_k": self.item_k,
            "item_decay": self.item_decay,
            "default_params": self.default_params.as_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ModelSettings:
        data = dict(data)
        if "combination" in data:
            data["combination"] = Combination(data["combination"])
        if "default_params" in data:
            data["default_params"] = BKTParams(**data["default_params"])  # type: ignore[arg-type]
        return cls(**data)  # type: ignore[arg-type]


DEFAULT_SETTINGS = ModelSettings()


@dataclass(frozen=True)
class Prediction:
    """What the model expects of an answer, before seeing it."""

    p_correct: float  # the blend: what the tutor uses
    p_bkt: float  # the combined BKT part alone
    per_concept: dict[Hashable, float]  # BKT's P(correct) per concept
    mastery: dict[Hashable, float]  # P(L) per concept, as used


@dataclass(frozen=True)
class AnswerUpdate:
    """The prediction made before the answer and the state after it."""

    prediction: Prediction
    mastery: dict[Hashable, float]  # P(L) per concept after the answer (and the learning step)
    evidence: dict[Hashable, float]  # P(L | answer) per concept, before the learning step
    ability: AbilityState
    item: ItemState
    score: float
    weight: float


def _resolve(
    mastery: Mapping[Hashable, float | None], params: Mapping[Hashable, BKTParams], settings: ModelSettings
) -> tuple[dict[Hashable, float], dict[Hashable, BKTParams]]:
    if not mastery:
        raise ValueError("An answer involves at least one concept.")
    used_params = {c: params.get(c, settings.default_params) for c in mastery}
    used = {c: (used_params[c].p_init if p is None else p) for c, p in mastery.items()}
    for c, p in used.items():
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Mastery of concept {c!r} is {p!r}, not a probability.")
    return used, used_params


def predict_answer(
    mastery: Mapping[Hashable, float | None],
    params: Mapping[Hashable, BKTParams],
    item: ItemState = ItemState(),
    ability: AbilityState = AbilityState(),
    settings: ModelSettings = DEFAULT_SETTINGS,
) -> Prediction:
    """P(correct) of an answer to `item` involving the concepts of `mastery`.

    `mastery` maps each involved concept to the student's P(L), or None for a concept not
    yet practised (it then starts at P(L0)); `params` holds the concepts' BKT parameters
    (a missing concept uses `settings.default_params`).
    """
    used, used_params = _resolve(mastery, params, settings)
    per_concept = {c: bkt.predict_correct(p, used_params[c]) for c, p in used.items()}
    p_bkt = bkt.combine(list(per_concept.values()), settings.combination)
    p_correct = sigmoid(logit(p_bkt) + ability.ability - item.difficulty)
    return Prediction(p_correct=p_correct, p_bkt=p_bkt, per_concept=per_concept, mastery=used)


def observe_answer(
    mastery: Mapping[Hashable, float | None],
    params: Mapping[Hashable, BKTParams],
    item: ItemState,
    ability: AbilityState,
    score: float,
    weight: float = 1.0,
    settings: ModelSettings = DEFAULT_SETTINGS,
) -> AnswerUpdate:
    """Predict the answer from the state before it, then update every part of the state.

    `score` is the credit in [0, 1]; `weight` in [0, 1] tempers the evidence (e.g. below 1
    after hints or a worked example; 0 leaves the beliefs unchanged but still counts the
    practice opportunity for the learning transition). Pure: returns the new state, the
    caller stores it (mastery per concept, ability, item difficulty).
    """
    if not 0.0 <= score <= 1.0 or math.isnan(score):
        raise ValueError(f"A score lies in [0, 1]; got {score!r}.")
    if not 0.0 <= weight <= 1.0 or math.isnan(weight):
        raise ValueError(f"An evidence weight lies in [0, 1]; got {weight!r}.")
    prediction = predict_answer(mastery, params, item, ability, settings)
    used = prediction.mastery
    used_params = {c: params.get(c, settings.default_params) for c in used}
    if len(used) == 1:
        ((c, p),) = used.items()
        evidence = {c: bkt.posterior(p, used_params[c], score, weight)}
    else:
        evidence = bkt.posterior_multi(used, used_params, score, weight, settings.combination)
    new_mastery = {c: bkt.transition(p, used_params[c]) for c, p in evidence.items()}
    residual = weight * (score - prediction.p_correct)
    new_ability = AbilityState(
        ability.ability + settings.ability_k / (1.0 + settings.ability_decay * ability.n_attempts) * residual,
        ability.n_attempts + 1,
    )
    new_item = ItemState(
        item.difficulty - settings.item_k / (1.0 + settings.item_decay * item.n_attempts) * residual,
        item.n_attempts + 1,
    )
    return AnswerUpdate(
        prediction=prediction,
        mastery=new_mastery,
        evidence=evidence,
        ability=new_ability,
        item=new_item,
        score=score,
        weight=weight,
    )
