"""Feedback beyond the label: the closest reference answer and its key terms the answer lacks.

Terms are content words (a small stopword list removed) compared by a light suffix-stripping
stem, so "evaporated", "evaporates" and "evaporation" count as one term. Terms the question
already contains are not reported as missing: they tell the student nothing new.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either else
    few for from further had has have having he her here hers him his how i if in into is it
    its itself just let me might more most much must my neither no nor not now of off on once
    one only or other our ours out over own same shall she should so some such than that the
    their theirs them then there these they this those through thus to too under until up upon
    us very was we were what when where which while who whom whose why will with would yes
    you your yours
    """.split()
)

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Longest suffix first; each maps to what replaces it. A stem keeps at least three letters.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ational", "ate"),
    ("ization", "ize"),
    ("fulness", "ful"),
    ("iveness", "ive"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ions", ""),
    ("ion", ""),
    ("isms", ""),
    ("ism", ""),
    ("ements", ""),
    ("ement", ""),
    ("ments", ""),
    ("ment", ""),
    ("ness", ""),
    ("ities", ""),
    ("ity", ""),
    ("ingly", ""),
    ("edly", ""),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ers", ""),
    ("er", ""),
    ("ed", ""),
    ("ly", ""),
    ("es", ""),
    ("s", ""),
)


def stem(word: str) -> str:
    """A light stem: strip one inflectional or derivational suffix, then a final e."""
    word = word.lower().split("'")[0]
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ss"):
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) + len(replacement) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # running -> runn -> run
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def content_terms(text: str) -> list[tuple[str, str]]:
    """(word, stem) for each content word of ``text``, in order, first occurrence of each stem."""
    seen: set[str] = set()
    terms = []
    for word in _WORD.findall(text.lower()):
        base = word.split("'")[0]
        if base in STOPWORDS or len(base) < 2:
            continue
        key = stem(base)
        if key not in seen:
            seen.add(key)
            terms.append((base, key))
    return terms


def _stems(text: str) -> set[str]:
    return {key for _, key in content_terms(text)}


def overlap(answer: str, reference: str) -> float:
    """Dice coefficient of the two texts' content-word stems (0 when either has none)."""
    a, r = _stems(answer), _stems(reference)
    if not a or not r:
        return 0.0
    return 2 * len(a & r) / (len(a) + len(r))


def closest_reference_index(answer: str, references: Sequence[str]) -> int:
    """The reference sharing most content with the answer (the first one on a tie)."""
    scores = [overlap(answer, reference) for reference in references]
    return max(range(len(references)), key=lambda i: (scores[i], -i))


def missing_terms(answer: str, reference: str, question: str = "") -> tuple[str, ...]:
    """Key terms of ``reference`` absent from ``answer`` and not given away by ``question``."""
    present = _stems(answer) | _stems(question)
    return tuple(word for word, key in content_terms(reference) if key not in present)
