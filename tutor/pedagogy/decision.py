"""Builds the ``Decision`` a choice returns: the machine-readable reason (the rule, the
item's figures, the load signals) and the message in words (``tutor.pedagogy.reasons``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.pedagogy.load import Signals, fading
from tutor.pedagogy.options import Option, options
from tutor.pedagogy.reasons import (
    ALL_MASTERED_MESSAGE,
    NO_EXERCISE_MESSAGE,
    NO_EXERCISE_REPORTED_MESSAGE,
    RULE_ALL_MASTERED,
    RULE_NO_EXERCISE,
    WORKED_EXAMPLE_NONE,
    message,
)
from tutor.pedagogy.situation import Situation
from tutor.pedagogy.state import Decision


def finish(
    sit: Situation,
    rule: str,
    o: Option,
    signals: Signals,
    *,
    worked_example: str | None = None,
    extra: dict | None = None,
    optional: bool = False,
) -> Decision:
    """The decision to serve ``o`` under ``rule``: its reason (the item's figures, the
    signals, ``extra``) and message; the worked example as faded unless ``worked_example``
    says otherwise."""
    graph = sit.graph
    concept = graph.concepts[o.concept]
    worked = fading(sit, o) if worked_example is None else worked_example
    item_concepts = graph.exercise_ranks[o.exercise_id]
    reason: dict[str, Any] = {
        "rule": rule,
        "exercise_id": o.exercise_id,
        "concept": concept.slug,
        "concept_id": concept.id,
        "mastery": round(float(sit.mastery[o.concept]), 3),
        "predicted_success": round(o.predicted, 3),
        "target_band": [round(signals.band[0], 3), round(signals.band[1], 3)],
        "in_band": o.distance == 0.0,
        "expected_items_saved": round(o.value, 3),
        "information_gain": round(o.gain, 4),
        "item_concepts": [
            {
                "concept": graph.concepts[i].slug,
                "mastery": round(float(sit.mastery[i]), 3),
                "information_gain": round(sit.gain(i), 4) if sit.wanted[i] or i in o.tested else 0.0,
            }
            for i in item_concepts
        ],
        "worked_example": worked,
    }
    if o.new_concepts:
        reason["starts_concepts"] = [graph.concepts[i].slug for i in o.new_concepts]
    if o.tested:
        reason["test_out"] = {
            "concepts": [graph.concepts[i].slug for i in o.tested],
            "ahead_of": [
                graph.concepts[q].slug
                for q in item_concepts
                if not sit.mastered[q] and any(q in graph.prerequisite_ranks[i] for i in o.tested)
            ],
            "test_out_from": sit.settings.test_out_from,
            "answers_on_concept": sit.answered(o.concept),
        }
    if o.recent_relaxed:
        reason["recent_items_relaxed"] = True
    reveal = sit.student.revealed.get(o.exercise_id)
    if o.held_relaxed and reveal is not None:
        # Nothing else could be served: an item whose answer the student saw comes back early.
        reason["answer_shown_before"] = {
            "answers_since": reveal.answers_since,
            "days_since": round((sit.student.now - reveal.revealed_at).total_seconds() / 86400, 2),
            "reveal_hold_items": sit.settings.reveal_hold_items,
            "reveal_hold_days": sit.settings.reveal_hold_days,
        }
    state = sit.student.states.get(concept.id)
    reason["evidence"] = {
        "answers": sit.answered(o.concept),
        "independent_correct": state.independent_correct if state is not None else 0,
        "independent_needed": sit.settings.mastery_min_independent,
        "mastered": bool(sit.mastered[o.concept]),
    }
    reason["band_position"] = band_position(sit, o, signals.band)
    if signals.slow:
        reason["slow_response"] = signals.slow
    reason.update(extra or {})
    add_signals(reason, signals)
    return Decision(
        exercise_id=o.exercise_id,
        concept_id=concept.id,
        rule=rule,
        reason=reason,
        message=message(sit, rule, o, reason),
        worked_example=worked,
        break_suggestion=signals.break_suggestion,
        slow_down=signals.slow_down,
        done=False,
        optional=optional,
    )


def band_position(sit: Situation, o: Option, band: tuple[float, float]) -> str:
    """Where the item stands against the target band, honestly: ``in_band``; or below it
    (harder than wanted) as ``easiest_left`` when no item of its concept that may be served
    is easier, else ``harder_than_band``; or above it as ``hardest_left`` /
    ``easier_than_band``."""
    if o.distance == 0.0:
        return "in_band"
    others = options(sit, o.concept, band, test_out=True, ignore_held=o.held_relaxed)
    if o.predicted < band[0]:
        easiest = all(other.predicted <= o.predicted + 1e-9 for other in others)
        return "easiest_left" if easiest else "harder_than_band"
    hardest = all(other.predicted >= o.predicted - 1e-9 for other in others)
    return "hardest_left" if hardest else "easier_than_band"


def add_signals(reason: dict, signals: Signals) -> None:
    """The break and fast-wrong-answer figures, into the reason."""
    if signals.break_figures:
        reason["break"] = signals.break_figures
    if signals.slow_down_figures:
        reason["fast_wrong_answer"] = signals.slow_down_figures


def finish_done(sit: Situation, signals: Signals) -> Decision:
    """Everything mastered and nothing due: the course is done."""
    reason = {"rule": RULE_ALL_MASTERED, "concepts_mastered": int(sit.mastered.sum())}
    add_signals(reason, signals)
    return Decision(
        exercise_id=None,
        concept_id=None,
        rule=RULE_ALL_MASTERED,
        reason=reason,
        message=ALL_MASTERED_MESSAGE,
        worked_example=WORKED_EXAMPLE_NONE,
        break_suggestion=None,
        slow_down=signals.slow_down,
        done=True,
    )


def finish_nothing(sit: Situation, signals: Signals) -> Decision:
    """Concepts are left but no item may be served; the reason names those without any."""
    candidates = list(sit.due) + np.flatnonzero(sit.learning).tolist()
    empty = [sit.graph.concepts[i].slug for i in candidates if not sit.graph.exercise_ids_by_rank[i]]
    reason = {
        "rule": RULE_NO_EXERCISE,
        "candidate_concepts": [sit.graph.concepts[i].slug for i in candidates[:20]],
        "concepts_without_exercises": empty[:20],
    }
    add_signals(reason, signals)
    return Decision(
        exercise_id=None,
        concept_id=None,
        rule=RULE_NO_EXERCISE,
        reason=reason,
        message=NO_EXERCISE_REPORTED_MESSAGE if empty else NO_EXERCISE_MESSAGE,
        worked_example=WORKED_EXAMPLE_NONE,
        break_suggestion=signals.break_suggestion,
        slow_down=signals.slow_down,
        done=False,
    )


__all__ = ["add_signals", "band_position", "finish", "finish_done", "finish_nothing"]
