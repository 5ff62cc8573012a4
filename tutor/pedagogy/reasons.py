"""The rules' codes and the words the student reads: each choice carries a machine-readable
rule code (``Decision.rule``, ``reason["rule"]``), stored with the item as JSON, and a
plain-English "Why this exercise?" built from the same figures; the break and slow-down
suggestions are worded here too."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the hints of ``message``: the situation and the options import this module
    from tutor.pedagogy.options import Option
    from tutor.pedagogy.situation import Situation

# Machine-readable rule codes (Decision.rule and reason["rule"]); each names what its rule does.
RULE_ALL_MASTERED = "all_mastered"  # every concept mastered and no review due: done
RULE_NO_EXERCISE = "no_exercise_available"  # concepts left, but none has an item that may be served
RULE_PREREQUISITE = "prerequisite_after_errors"  # errors in a row: a review of a doubtful prerequisite
RULE_WORKED_EXAMPLE = "worked_example_after_errors"  # errors in a row: an item with its worked example
RULE_EASIER_ITEM = "easier_item_after_errors"  # errors in a row, no worked example: an easier item
RULE_REVIEW_DUE = "review_due"  # a mastered concept whose spaced review is due
RULE_INTERLEAVE = "interleave"  # a nearly mastered concept served too often in a row: another one
RULE_NEW_CONCEPT_CAP = "new_concept_cap"  # the cap on new concepts held back the usual choice
RULE_NEW_CONCEPT_CAP_RELAXED = "new_concept_cap_relaxed"  # only new concepts left: the cap is lifted
RULE_SLOW_RESPONSE = "slow_response_easier"  # a slow answer moved the band and so changed the item
RULE_MOST_ITEMS_SAVED = "most_items_saved"  # the usual choice: most items saved, then the target band
RULE_TEST_OUT = "test_out"  # an item that also involves a concept building on the one being learned
# the cap holds new concepts back and nothing started is left: practice on a mastered concept
RULE_CAP_PRACTICE_MASTERED = "new_concept_cap_practice_mastered"
# every item left to learn had its answer shown within the window: practice on a mastered concept
RULE_PRACTICE_WHILE_ANSWERS_SHOWN = "mastered_practice_while_answers_shown"
# the course is mastered and the student asked for more: optional practice, weakest memory first
RULE_OPTIONAL_PRACTICE = "optional_practice_after_mastery"

# Codes renamed since decisions were first stored: old code -> current code. The default
# choice was once ranked by information gain; it ranks by items saved now.
RENAMED_RULES = {"information_gain": RULE_MOST_ITEMS_SAVED}

WORKED_EXAMPLE_SHOW = "show"  # shown before the item
WORKED_EXAMPLE_OFFER = "offer"  # offered on request
WORKED_EXAMPLE_NONE = "none"

ALL_MASTERED_MESSAGE = (
    "You have mastered every concept in this course, and nothing is due for review. Well done!"
)
NO_EXERCISE_MESSAGE = "There is no exercise you can practise right now."
NO_EXERCISE_REPORTED_MESSAGE = (
    "There is no exercise you can practise right now. Your teacher has been told what is missing."
)
SLOW_DOWN_MESSAGE = (
    "That answer came very quickly. Take your time and read each question carefully: "
    "a careful try teaches you more than a quick guess."
)


def break_after_time_message(minutes: float) -> str:
    return (
        f"You have been practising for {int(minutes)} minutes. A short break of a few minutes "
        "helps you remember what you learned."
    )


def break_after_accuracy_drop_message(n: int, last: float, before: float) -> str:
    return (
        f"Your last {n} answers were right {last:.0%} of the time, against {before:.0%} in the "
        f"{n} before. You may be tired: a short break often helps."
    )


def message(sit: Situation, rule: str, o: Option, reason: dict) -> str:
    """ "Why this exercise?" in words, from the rule and the figures of its reason."""
    concept = sit.graph.concepts[o.concept]
    name = concept.name
    mastery = f"{sit.mastery[o.concept]:.0%}"
    chance = f"{o.predicted:.0%}"
    level = _level(reason.get("band_position", "in_band"), name, chance)
    sure = _sureness(sit, name, mastery, reason.get("evidence") or {})
    others = [
        sit.graph.concepts[i].name
        for i in sit.graph.exercise_ranks[o.exercise_id]
        if i != o.concept and sit.wanted[i]
    ]
    also = f" It also practises {', '.join(others)}." if others else ""
    if rule == RULE_PREREQUISITE:
        return (
            f"{reason['errors_in_a_row']} answers in a row on {_name(sit, reason['for_concept'])} were not "
            f"right. It builds on {name}, so a quick review of {name} should help before you go back to it."
        )
    if rule == RULE_WORKED_EXAMPLE:
        then = "an easier exercise" if reason.get("easier_than_last") else "the exercise"
        return (
            f"The last {reason['errors_in_a_row']} answers on {name} were not right, so here is a worked "
            f"example to study first, then {then} to try yourself.{also}"
        )
    if rule == RULE_EASIER_ITEM:
        return (
            f"The last {reason['errors_in_a_row']} answers on {name} were not right, so here is an easier "
            "exercise on it to get you back on track."
        )
    if rule == RULE_REVIEW_DUE:
        return (
            f"Time to review {name}: you mastered it earlier, and a review now, just as you might start to "
            "forget it, helps you keep it."
        )
    if rule == RULE_INTERLEAVE:
        return (
            f"You did {reason['items_in_a_row']} exercises in a row on {_name(sit, reason['previous_concept'])} "
            f"and nearly have it. Mixing in {name} now helps you remember both.{also}"
        )
    if rule == RULE_NEW_CONCEPT_CAP:
        return (
            f"You started {len(sit.new_in_window)} new topics in the last "
            f"{sit.settings.new_concept_window_minutes:g} minutes, so let's keep working on {name} "
            f"(mastery {mastery}) before starting another.{also}"
        )
    if rule == RULE_TEST_OUT:
        ahead = ", ".join(_name(sit, slug) for slug in reason["test_out"]["concepts"])
        if not reason["test_out"]["answers_on_concept"]:
            return (
                f"You may already know {name}: this exercise uses it in {ahead}, which builds on it. A right "
                f"answer shows you know {name} and makes a start on {ahead} in one go; if not, the next "
                f"exercises take {name} step by step.{also}"
            )
        return (
            f"You nearly have {name} (mastery {mastery}). This exercise uses it in {ahead}, which builds "
            f"on it: a right answer confirms {name} and makes a start on {ahead} in one go.{also}"
        )
    if rule == RULE_NEW_CONCEPT_CAP_RELAXED:
        return (
            f"You started {len(sit.new_in_window)} new topics in the last "
            f"{sit.settings.new_concept_window_minutes:g} minutes, the most we usually start at once, but "
            f"nothing else can be practised now without repeating an answer you have seen, so here is a "
            f"new one: {name}. We chose this exercise because {level}.{also}{_again(reason)}"
        )
    if rule == RULE_CAP_PRACTICE_MASTERED:
        return (
            f"You started {len(sit.new_in_window)} new topics in the last "
            f"{sit.settings.new_concept_window_minutes:g} minutes, the most we start at once, and mastered "
            f"them. Before the next new topic, some practice on {name}, mastered earlier: of what you "
            f"have mastered, it is the one you are closest to forgetting. {_capital(level)}.{also}"
        )
    if rule == RULE_PRACTICE_WHILE_ANSWERS_SHOWN:
        waiting = ", ".join(_name(sit, slug) for slug in reason.get("waiting_concepts", [])) or "what is left"
        return (
            f"The exercises left on {waiting} are ones whose answers you saw recently; they come back "
            f"after {sit.settings.reveal_hold_items} more answers and {sit.settings.reveal_hold_days:g} "
            f"day(s). Meanwhile, practice on {name}, mastered earlier: of what you have mastered, it is "
            f"the one you are closest to forgetting. {_capital(level)}.{also}"
        )
    if rule == RULE_OPTIONAL_PRACTICE:
        return (
            f"Optional practice: you have mastered every concept of this course, and nothing is due for "
            f"review. This exercise on {name} reviews it ahead of schedule: of what you have mastered, it "
            f"is the one you are closest to forgetting. {_capital(level)}.{also}"
        )
    if rule == RULE_SLOW_RESPONSE:
        return (
            f"That last one took a while, so here is a somewhat easier exercise on {name} "
            f"(about a {chance} chance of getting it right).{also}"
        )
    starting = o.concept in o.new_concepts
    what = (
        f"Next up in the course: {name} (not started yet)."
        if starting
        else f"You are working on {name}: {sure}"
    )
    # RULE_MOST_ITEMS_SAVED: the item expected to save the most items, then the target band.
    return (
        f"{what} We chose this exercise because it should bring you to mastery in the fewest exercises, "
        f"and {level}.{also}{_again(reason)}"
    )


def _level(position: str, name: str, chance: str) -> str:
    """Where the item stands against the target band, as ``decision.band_position`` found it."""
    odds = f"about a {chance} chance of getting it right"
    if position == "easiest_left":
        return (
            f"no exercise left on {name} is at the usual level of challenge for you: this is the easiest "
            f"one left ({odds})"
        )
    if position == "harder_than_band":
        return f"it is harder than the usual level of challenge for you ({odds}), but teaches the most"
    if position == "hardest_left":
        return f"it should be easy for you ({odds}): no harder exercise on {name} is left"
    if position == "easier_than_band":
        return f"it should be easy for you ({odds}), and still teaches the most"
    return f"it is at a good level of challenge for you ({odds})"


def _sureness(sit: Situation, name: str, mastery: str, evidence: dict) -> str:
    """How sure the tutor is that the student knows the concept, and on how many answers."""
    answers = int(evidence.get("answers", 0))
    if not answers:
        return "you have not answered an exercise on it yet."
    own = int(evidence.get("independent_correct", 0))
    needed = int(evidence.get("independent_needed", 0))
    plural = "s" if answers != 1 else ""
    said = f"the tutor is {mastery} sure you know it, from {answers} answer{plural}, {own} right on your own"
    if evidence.get("mastered"):
        return f"{said}; you have mastered it."
    if needed and own < needed:
        return f"{said} (mastery needs {needed} and {sit.settings.mastery_threshold:.0%} sure)."
    return f"{said} (mastery needs {sit.settings.mastery_threshold:.0%} sure)."


def _again(reason: dict) -> str:
    shown = reason.get("answer_shown_before")
    if not shown:
        return ""
    return (
        f" You saw this exercise's answer {shown['answers_since']} answers ago; nothing else can be "
        "practised now, so it comes back early, and a right answer counts for less."
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _name(sit: Situation, slug: str) -> str:
    """A concept's name from the slug a reason stores (the slug itself if it left the course)."""
    i = sit.graph.rank_of_slug.get(slug)
    return slug if i is None else sit.graph.concepts[i].name


__all__ = [
    "ALL_MASTERED_MESSAGE",
    "NO_EXERCISE_MESSAGE",
    "NO_EXERCISE_REPORTED_MESSAGE",
    "RENAMED_RULES",
    "RULE_ALL_MASTERED",
    "RULE_CAP_PRACTICE_MASTERED",
    "RULE_EASIER_ITEM",
    "RULE_INTERLEAVE",
    "RULE_MOST_ITEMS_SAVED",
    "RULE_NEW_CONCEPT_CAP",
    "RULE_NEW_CONCEPT_CAP_RELAXED",
    "RULE_NO_EXERCISE",
    "RULE_OPTIONAL_PRACTICE",
    "RULE_PRACTICE_WHILE_ANSWERS_SHOWN",
    "RULE_PREREQUISITE",
    "RULE_REVIEW_DUE",
    "RULE_SLOW_RESPONSE",
    "RULE_TEST_OUT",
    "RULE_WORKED_EXAMPLE",
    "SLOW_DOWN_MESSAGE",
    "WORKED_EXAMPLE_NONE",
    "WORKED_EXAMPLE_OFFER",
    "WORKED_EXAMPLE_SHOW",
    "break_after_accuracy_drop_message",
    "break_after_time_message",
    "message",
]
