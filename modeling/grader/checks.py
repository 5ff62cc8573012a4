"""Cheap checks before the model: answers built to game a grader, caught by rule, and the
reference itself, kept correct.

A cross-encoder that learned "many of the reference's words means correct" grades the
reference with a "not" added as correct, and a bag of the reference's key words too. These
checks look at the words alone, run on every answer, and constrain what the model's
probabilities may say (``engine``):

* ``question_copy``: the answer is (nearly) the question's own text, adds no content word
  the question lacks, and is nearer the question than any reference (where the references
  only restate the question, as for a yes/no question, a verbatim copy alone counts): it
  cannot be correct, nor contradict anything. Its "correct" and "contradictory" mass moves
  to "irrelevant".
* ``keyword_list``: three or more words, not one function word among them (no "is", "the",
  "by": no statement), nearly all taken from the references: a list of key terms, not a
  claim. Its "correct" mass moves to "partially correct". A two-word answer ("closed
  path") is left to the model: students write those.
* ``polarity_flip``: the answer is lexically the same as its closest references (content
  words, antonyms counted as the same word) but says the opposite: one more or one fewer
  negation ("not", "no", "n't", "never"...), or an antonym swapped ("open" for "closed",
  "series" for "parallel"), an odd number of flips in all, and no reference as close that
  agrees with it. Its "correct" mass moves to "contradictory".

And one the other way, so that the checks cannot make the grader suspicious of the plain
truth:

* ``matches_reference``: the answer says what a reference says in nearly its words:
  exactly the reference's content words (none more, none fewer), no negation or antonym
  flipped, in nearly the same order (sequence ratio at least 0.8, function words counted).
  It is correct: all its probability moves to "correct".

Each rule was checked on the 8,910 SemEval-2013 training answers for how often it fires on
real answers and what their gold labels were: ``polarity_flip`` fired on 47 (43
contradictory), ``keyword_list`` on 12 (10 not correct), ``question_copy`` on 2 (both not
correct), ``matches_reference`` on 68 (all correct).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from modeling.grader.feedback import STOPWORDS, content_terms, stem

CHECKS: tuple[str, ...] = ("question_copy", "keyword_list", "polarity_flip", "matches_reference")

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

NEGATIONS: frozenset[str] = frozenset(
    {"not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "cannot", "without", "nowhere"}
)

# Opposites in the courses' domains (electricity, science units) and in general: each entry
# is two sides, each side some forms of one word, compared as whole words and by their light
# stems (a stopword such as "on", "more" or "same" only as the whole word).
ANTONYM_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("open", "opened", "opens", "opening"), ("closed", "close", "closes", "closing")),
    (
        ("increase", "increases", "increased", "increasing"),
        ("decrease", "decreases", "decreased", "decreasing"),
    ),
    (("more",), ("less", "fewer")),
    (("higher", "high"), ("lower", "low")),
    (("larger", "bigger", "greater", "large", "big"), ("smaller", "small")),
    (("positive",), ("negative",)),
    (("same",), ("different",)),
    (
        ("connected", "connects", "connect"),
        ("disconnected", "disconnects", "disconnect", "separated", "separates", "separate"),
    ),
    (("complete", "completed"), ("incomplete",)),
    (("on",), ("off",)),
    (("hot", "hotter"), ("cold", "colder")),
    (("warm", "warmer"), ("cool", "cooler")),
    (("true",), ("false",)),
    (("series",), ("parallel",)),
    (("conductor", "conductors"), ("insulator", "insulators")),
    (("attract", "attracts", "attracted"), ("repel", "repels", "repelled")),
    (("expand", "expands"), ("contract", "contracts")),
    (("strong", "stronger"), ("weak", "weaker")),
    (("fast", "faster"), ("slow", "slower")),
    (("short", "shorter"), ("long", "longer")),
    (("heavier",), ("lighter",)),
    (("inside",), ("outside",)),
    (("equal",), ("unequal",)),
    (("present",), ("absent",)),
    (("add", "adds", "added"), ("remove", "removes", "removed")),
    (("visible",), ("invisible",)),
    (("soluble",), ("insoluble",)),
    (("magnetic",), ("nonmagnetic",)),
    (("living",), ("nonliving",)),
    (("gain", "gains", "gained"), ("lose", "loses", "lost")),
    (("float", "floats"), ("sink", "sinks")),
    (("always",), ("sometimes",)),
    (("before",), ("after",)),
    (("above",), ("below",)),
)


def _antonym_index() -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    """(whole word -> (group, side), stem -> (group, side)); the first group listed wins."""
    words: dict[str, tuple[int, int]] = {}
    stems: dict[str, tuple[int, int]] = {}
    for group, sides in enumerate(ANTONYM_GROUPS):
        for side, forms in enumerate(sides):
            for form in forms:
                words.setdefault(form, (group, side))
                if form not in STOPWORDS:
                    stems.setdefault(stem(form), (group, side))
    return words, stems


_ANTONYM_WORDS, _ANTONYM_STEMS = _antonym_index()
# The first form of the other side, to build a swap.
OPPOSITE: dict[str, str] = {
    form: ANTONYM_GROUPS[group][1 - side][0] for form, (group, side) in _ANTONYM_WORDS.items()
}


def antonym_of(word: str) -> tuple[int, int] | None:
    """(group, side) of a word in the antonym lexicon, by the whole word or its stem."""
    word = word.lower()
    if word in _ANTONYM_WORDS:
        return _ANTONYM_WORDS[word]
    if word in STOPWORDS:
        return None
    return _ANTONYM_STEMS.get(stem(word))


def tokens(text: str) -> list[str]:
    """Lower-case word tokens with "n't" split off as "not" ("doesn't" -> "does", "not")."""
    out: list[str] = []
    for word in _TOKEN.findall(text.lower().replace("\u2019", "'")):
        if word.endswith("n't"):
            base = word[:-3]
            out.extend([{"ca": "can", "wo": "will", "sha": "shall"}.get(base, base), "not"])
        elif word == "cannot":
            out.extend(["can", "not"])
        else:
            out.append(word.split("'")[0])
    return [word for word in out if word]


def negation_count(text: str) -> int:
    return sum(word in NEGATIONS for word in tokens(text))


def _terms(words: Sequence[str]) -> list[str]:
    """Content stems of the tokens, antonyms as their group ("@group"), in order."""
    out = []
    for word in words:
        opposite = antonym_of(word)
        if opposite is not None:
            out.append(f"@{opposite[0]}")
        elif word not in STOPWORDS:  # single letters and digits name bulbs and terminals
            out.append(stem(word))
    return out


def _sides(words: Sequence[str]) -> dict[int, int]:
    """The side of each antonym group the words use; a group used on both sides ("connected
    to one, separated from the other") says nothing and is left out."""
    seen: dict[int, set[int]] = {}
    for word in words:
        opposite = antonym_of(word)
        if opposite is not None:
            seen.setdefault(opposite[0], set()).add(opposite[1])
    return {group: next(iter(sides)) for group, sides in seen.items() if len(sides) == 1}


def _dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@dataclass(frozen=True)
class CheckResult:
    """Which checks fired on one answer (empty: none)."""

    fired: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.fired)


# --- the three checks ------------------------------------------------------------------

QUESTION_COPY_RATIO = 0.7
QUESTION_COPY_MARGIN = 0.1
QUESTION_COPY_VERBATIM = 0.9


def _sequence_ratio(a: Sequence[str], b: Sequence[str]) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, list(a), list(b), autojunk=False).ratio()


def question_similarity(answer: str, question: str) -> float:
    """How nearly the answer's words are the question's, in order: the best sequence ratio
    with the whole question, any one of its sentences, or its last sentences (the asking
    sentence pasted with some of its context)."""
    answer_words = tokens(answer)
    if not answer_words:
        return 0.0
    sentences = [
        words for words in (tokens(s) for s in re.split(r"(?<=[.?!])\s+", question.strip())) if words
    ]
    windows = [[w for sentence in sentences[start:] for w in sentence] for start in range(len(sentences))]
    windows += sentences[:-1]
    return max((_sequence_ratio(answer_words, window) for window in windows), default=0.0)


def is_question_copy(answer: str, question: str, references: Sequence[str]) -> bool:
    """The answer is the question's text (nearly), adds no content word of its own, and is
    nearer the question than any reference; where the references say nothing beyond the
    question's words (a yes/no question), only a verbatim copy counts."""
    answer_terms = {key for _, key in content_terms(answer)}
    question_terms = {key for _, key in content_terms(question)}
    if not answer_terms or answer_terms - question_terms:
        return False
    if negation_count(answer) > negation_count(question):
        return False  # "not" is a claim of its own
    ratio = question_similarity(answer, question)
    if ratio < QUESTION_COPY_RATIO:
        return False
    if ratio < QUESTION_COPY_VERBATIM and not any(
        {key for _, key in content_terms(r)} - question_terms for r in references
    ):
        return False  # the references restate the question (yes/no): only a verbatim copy tells
    answer_words = tokens(answer)
    nearest_reference = max((_sequence_ratio(answer_words, tokens(r)) for r in references), default=0.0)
    return ratio >= nearest_reference + QUESTION_COPY_MARGIN


KEYWORD_MIN_WORDS = 3
KEYWORD_KNOWN_SHARE = 0.8


def _stems(words: Sequence[str]) -> list[str]:
    """Content stems of the tokens in order (single letters and digits kept: they name bulbs
    and terminals)."""
    return [stem(word) for word in words if word not in STOPWORDS]


def is_keyword_list(answer: str, question: str, references: Sequence[str]) -> bool:
    """Three or more words, none a function word, nearly all from the references (or the
    question): key terms listed, not a statement. (In the reference's order or not: a
    telegraphic "positive terminal separated gap" states nothing either.)"""
    words = tokens(answer)
    if len(words) < KEYWORD_MIN_WORDS or any(word in STOPWORDS for word in words):
        return False
    answer_terms = _stems(words)
    if len(set(answer_terms)) < KEYWORD_MIN_WORDS:
        return False
    reference_lists = [_stems(tokens(r)) for r in references]
    from_references = {t for terms in reference_lists for t in terms}
    known = from_references | set(_stems(tokens(question)))
    if not from_references & set(answer_terms):
        return False
    return sum(t in known for t in answer_terms) >= KEYWORD_KNOWN_SHARE * len(answer_terms)


POLARITY_OVERLAP = 0.9


def polarity_flips(answer: str, reference: str) -> tuple[float, int]:
    """(lexical overlap, flips) of the answer against one reference: the Dice overlap of
    their content words with antonyms counted as one, and the number of negations and
    antonym swaps that differ between them."""
    a_words, r_words = tokens(answer), tokens(reference)
    overlap = _dice(set(_terms(a_words)), set(_terms(r_words)))
    negations = abs(sum(w in NEGATIONS for w in a_words) - sum(w in NEGATIONS for w in r_words))
    a_sides, r_sides = _sides(a_words), _sides(r_words)
    swaps = sum(a_sides[p] != r_sides[p] for p in a_sides.keys() & r_sides.keys())
    return overlap, negations + swaps


def is_polarity_flip(answer: str, references: Sequence[str]) -> bool:
    """Near-identical in content to its closest references, but with an odd number of
    negations or antonyms flipped, and no equally close reference saying the same."""
    scored = [polarity_flips(answer, r) for r in references]
    close = [(overlap, flips) for overlap, flips in scored if overlap >= POLARITY_OVERLAP]
    if not close:
        return False
    best = max(overlap for overlap, _ in close)
    nearest = [flips for overlap, flips in close if overlap >= best - 1e-9]
    agreeing = [flips for overlap, flips in close if flips % 2 == 0]
    return all(flips % 2 == 1 for flips in nearest) and not agreeing


REFERENCE_MATCH_RATIO = 0.8


def matches_reference(answer: str, references: Sequence[str]) -> bool:
    """The answer says what one reference says, in nearly its words and order."""
    answer_words = tokens(answer)
    answer_terms = set(_terms(answer_words))
    for reference in references:
        reference_words = tokens(reference)
        reference_terms = set(_terms(reference_words))
        # Exactly the reference's content words: one more can turn it round ("connected and
        # so in different states" against "in different states").
        if not reference_terms or reference_terms != answer_terms:
            continue
        if polarity_flips(answer, reference)[1]:
            continue
        if _sequence_ratio(answer_words, reference_words) >= REFERENCE_MATCH_RATIO:
            return True
    return False


def run_checks(question: str, references: Sequence[str], answer: str) -> CheckResult:
    """The checks that fire on an answer (in CHECKS order)."""
    references = [r for r in references if r.strip()]
    if not answer.strip() or not references:
        return CheckResult(())
    fired = []
    if is_question_copy(answer, question, references):
        fired.append("question_copy")
    if is_keyword_list(answer, question, references):
        fired.append("keyword_list")
    if is_polarity_flip(answer, references):
        fired.append("polarity_flip")
    if not fired and matches_reference(answer, references):
        fired.append("matches_reference")
    return CheckResult(tuple(fired))
