"""Feedback beyond the label.

For the teacher: the closest reference answer and its key terms the answer lacks. For the
student: hints that never give the answer away (``student_hints``): the item may come back,
and a reference answer, or its key words, shown once would be pasted the next time. A hint
names only words of the question ("your answer does not say anything about the voltage"),
a kind of idea ("it does not explain why"), or a count ("it leaves out 2 of the 3 key ideas").

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


# Words that make a sentence an explanation ("because", "so that").
_CAUSAL: frozenset[str] = frozenset(
    {"because", "since", "so", "therefore", "thus", "due", "cause", "causes", "caused", "hence", "why"}
)

CHECK_HINTS: dict[str, str] = {
    "question_copy": "Your answer repeats the question. Say in your own words what the answer is.",
    "keyword_list": "Your answer lists words but does not say how they are related: write it as a sentence.",
    "polarity_flip": "Your answer says the opposite of a correct answer: check which way round it is.",
}


def student_hints(
    answer: str, reference: str, question: str, label_5way: str, checks: Sequence[str] = ()
) -> list[str]:
    """What a student may read about an answer without being given the answer: which checks
    before the model fired, what of the question the answer leaves out, whether it explains
    why when an explanation is expected, and how many key ideas are missing (a count). Only
    the question's own words are ever quoted."""
    hints = [CHECK_HINTS[name] for name in checks if name in CHECK_HINTS]  # (none for a reference match)
    if label_5way in ("correct", "non_domain") or not answer.strip():
        return hints
    if "question_copy" in checks:
        return hints
    answer_stems = _stems(answer)
    question_terms = content_terms(question)
    reference_stems = _stems(reference)
    # The question's words that the expected answer is about and this answer never mentions.
    subjects = [word for word, key in question_terms if key in reference_stems and key not in answer_stems]
    if subjects:
        named = " and ".join(f"“{word}”" for word in subjects[:2])
        hints.append(f"Your answer does not say anything about {named} from the question.")
    answer_words = set(_WORD.findall(answer.lower()))
    if set(_WORD.findall(reference.lower())) & _CAUSAL and not answer_words & _CAUSAL:
        hints.append("Your answer does not explain why: say what causes it.")
    question_stems = {key for _, key in question_terms}
    key_ideas = [key for _, key in content_terms(reference) if key not in question_stems]
    missing = [key for key in key_ideas if key not in answer_stems]
    if missing and label_5way == "partially_correct_incomplete":
        hints.append(
            f"Your answer leaves out {len(missing)} of the {len(key_ideas)} key idea"
            f"{'s' if len(key_ideas) != 1 else ''} of a complete answer."
        )
    return hints
