"""Answers built to fool a grader, from the questions and their references, by rule.

Two uses, one set of transforms:

* ``augmentations``: training examples labelled by rule, from the training split's
  questions: each reference is correct as it stands and with its sentences shuffled; the
  reference with a negation added (or removed) or an antonym swapped contradicts it; the
  question pasted back is irrelevant; the reference's key words as a shuffled list are
  only partly correct (the concepts are named, the statement is not made).
* ``adversarial_sets``: the sets ``grader_bench`` reports, built the same way from any
  questions (the validation split's, which the grader never saw): the share of each graded
  correct should be low for negations, question copies and keyword lists, and high for the
  references themselves.

Everything is deterministic: each question draws from its own seeded generator.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from modeling.grader.checks import NEGATIONS, OPPOSITE, antonym_of
from modeling.grader.data import Example
from modeling.grader.feedback import STOPWORDS, content_terms

ADVERSARIAL_SETS: tuple[str, ...] = ("negations", "question_copies", "keyword_lists", "references")
# What each set should be graded: at most this share correct (the first three), at least (references).
TARGETS: dict[str, tuple[str, float]] = {
    "negations": ("at most", 0.05),
    "question_copies": ("at most", 0.05),
    "keyword_lists": ("at most", 0.05),
    "references": ("at least", 0.95),
}

AUXILIARIES = frozenset(
    "is are was were will can could would should does do did has have had must may might shall".split()
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^A-Za-z0-9\s]+|\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _pieces(text: str) -> list[str]:
    """Words, punctuation and spaces, so that a text rejoins exactly (''.join)."""
    return _WORD.findall(text)


def _is_word(piece: str) -> bool:
    return piece[:1].isalnum()


def _base_of_third_person(word: str) -> str | None:
    """ "creates" -> "create", "passes" -> "pass", "carries" -> "carry"; None if not -s."""
    lower = word.lower()
    if len(lower) < 4 or not lower.endswith("s") or lower.endswith("ss") or lower.endswith("us"):
        return None
    if lower.endswith("ies"):
        return word[:-3] + "y"
    if lower.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    return word[:-1]


def negate(text: str) -> str:
    """The statement negated: "not" after its first auxiliary ("is" -> "is not"), an existing
    negation after it removed, "does not" before a verb in -s, else "not" before the text."""
    pieces = _pieces(text)
    words = [i for i, piece in enumerate(pieces) if _is_word(piece)]
    for n, index in enumerate(words):
        lower = pieces[index].lower()
        if lower.endswith("n't"):  # "doesn't" -> "does"
            pieces[index] = pieces[index][:-3] if lower not in ("can't", "won't") else pieces[index][:2]
            if lower == "won't":
                pieces[index] = pieces[index][0] + "ill"
            return "".join(pieces)
        if lower in ("not", "never") and n > 0:
            pieces[index] = ""
            return re.sub(r"\s{2,}", " ", "".join(pieces)).strip()
        if lower in AUXILIARIES:
            following = pieces[words[n + 1]].lower() if n + 1 < len(words) else ""
            if following == "not":
                pieces[words[n + 1]] = ""
                return re.sub(r"\s{2,}", " ", "".join(pieces)).strip()
            pieces[index] += " not"
            return "".join(pieces)
    for index in words[1:]:
        word = pieces[index]
        if word.lower() in STOPWORDS or word[0].isupper() or not word.isalpha():
            continue
        base = _base_of_third_person(word)
        if base and len(words) > 1:
            pieces[index] = f"does not {base}"
            return "".join(pieces)
    return f"Not {text[:1].lower()}{text[1:]}" if text else text


_UNSWAPPED = frozenset({"on", "before", "after", "above", "below", "long", "present"})


def antonym_swap(text: str) -> str | None:
    """The text with its first domain word replaced by its opposite ("closed" -> "open");
    None when it has none."""
    pieces = _pieces(text)
    for index, piece in enumerate(pieces):
        if not _is_word(piece) or piece.lower() in _UNSWAPPED:
            continue
        if antonym_of(piece) is None or piece.lower() not in OPPOSITE:
            continue
        opposite = OPPOSITE[piece.lower()]
        pieces[index] = opposite.capitalize() if piece[0].isupper() else opposite
        return "".join(pieces)
    return None


def keyword_list(text: str, rng: random.Random) -> str | None:
    """The text's key words (content words, once each) shuffled into a list; None with fewer
    than two."""
    words = [word for word, _ in content_terms(text)]
    if len(words) < 2:
        return None
    shuffled = list(words)
    for _ in range(10):
        rng.shuffle(shuffled)
        if shuffled != words:
            break
    return rng.choice((" ", ", ")).join(shuffled)


def shuffled_sentences(text: str, rng: random.Random) -> str | None:
    """The text's sentences in another order; None for a single sentence."""
    sentences = [s for s in _SENTENCE.split(text.strip()) if s]
    if len(sentences) < 2:
        return None
    order = list(range(len(sentences)))
    while order == sorted(order):
        rng.shuffle(order)
    return " ".join(sentences[i] for i in order)


def asking_sentence(question: str) -> str:
    """The question's last sentence (what it asks, after the context)."""
    sentences = [s for s in _SENTENCE.split(question.strip()) if s]
    return sentences[-1] if sentences else question


def has_negation(text: str) -> bool:
    return any(word.lower().strip("'") in NEGATIONS or word.lower().endswith("n't") for word in text.split())


@dataclass(frozen=True)
class Question:
    """A question with its references, as the examples give it."""

    dataset: str
    question_id: str
    text: str
    references: tuple[str, ...]
    module: str = ""


def questions_of(examples: Iterable[Example]) -> list[Question]:
    """Each distinct question of the examples, in first-seen order."""
    seen: dict[tuple[str, str], Question] = {}
    for e in examples:
        key = (e.dataset, e.question_id)
        if key not in seen:
            seen[key] = Question(e.dataset, e.question_id, e.question, tuple(e.reference_answers), e.module)
    return list(seen.values())


def _rng(seed: int, question: Question, kind: str) -> random.Random:
    return random.Random(f"{seed}/{question.dataset}/{question.question_id}/{kind}")


def adversarial_sets(
    questions: Sequence[Question], seed: int = 0
) -> dict[str, list[tuple[str, tuple[str, ...], str]]]:
    """(question, references, answer) triples of each adversarial set: per question its
    question copy, and per reference the reference itself, its negation and its key words
    shuffled."""
    sets: dict[str, list[tuple[str, tuple[str, ...], str]]] = {name: [] for name in ADVERSARIAL_SETS}
    for question in questions:
        refs = question.references
        sets["question_copies"].append((question.text, refs, question.text))
        rng = _rng(seed, question, "keywords")
        for reference in refs:
            sets["references"].append((question.text, refs, reference))
            sets["negations"].append((question.text, refs, negate(reference)))
            listed = keyword_list(reference, rng)
            if listed:
                sets["keyword_lists"].append((question.text, refs, listed))
    return sets


AUGMENTATION_LABELS: dict[str, str] = {
    "reference": "correct",
    "shuffled_sentences": "correct",
    "negation": "contradictory",
    "antonym_swap": "contradictory",
    "question_copy": "irrelevant",
    "keyword_list": "partially_correct_incomplete",
}


def augmentations(examples: Sequence[Example], seed: int, per_question: int = 2) -> list[Example]:
    """Training examples labelled by rule (AUGMENTATION_LABELS) from the examples' questions:
    for up to ``per_question`` references of each (drawn with the seed), the reference, its
    sentences shuffled, its negation, an antonym swap and its key words listed; and the
    question pasted back, whole and its asking sentence alone."""
    out: list[Example] = []
    for question in questions_of(examples):
        rng = _rng(seed, question, "augment")
        refs = list(question.references)
        chosen = sorted(rng.sample(range(len(refs)), min(per_question, len(refs))))
        built: list[tuple[str, str | None, int]] = []
        for index in chosen:
            reference = refs[index]
            built += [
                ("reference", reference, index),
                ("shuffled_sentences", shuffled_sentences(reference, rng), index),
                ("negation", negate(reference), index),
                ("antonym_swap", antonym_swap(reference), index),
                ("keyword_list", keyword_list(reference, rng), index),
            ]
        built.append(("question_copy", question.text, 0))
        asking = asking_sentence(question.text)
        if asking != question.text:
            built.append(("question_copy", asking, 0))
        out.extend(
            Example(
                question=question.text,
                reference_answers=question.references,
                student_answer=answer.strip(),
                label_5way=AUGMENTATION_LABELS[kind],
                question_id=question.question_id,
                dataset=question.dataset,
                matched_reference=matched,
                module=question.module,
            )
            for kind, answer, matched in built
            if answer and answer.strip()
        )
    return out
