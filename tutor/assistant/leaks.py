"""The leak filter: no reply reaches a student with an answer of an exercise that can come
back to them (pure).

The check is on what is sent, whatever was asked. Both sides are normalised first: case,
accents, punctuation, and numbers written as 1.5 / 1,5 / 1.50 / "two" become one form.

* The exercises in focus (the one on the student's screen, one the question names, one the
  conversation is working on) are protected strictly: no reference answer, no correct
  option, and not their numeric value in any form, with or without its unit.
* Every other exercise of the student's courses is protected where a match can only be an
  answer: reference answers and correct options of at least ``MIN_WORDS_ELSEWHERE`` content
  words, and the numeric value written with the exercise's unit ("3 bulbs", "1.5 V").
  Shorter answers ("a gap", "an open switch", "Bulb B") are the course's vocabulary:
  forbidding them everywhere would forbid teaching the course; they are still forbidden
  for the exercise in focus.

Text the student already sees (exercise titles) may be named: it is masked before the
check (``visible``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from content.selectors import ExerciseMaterial

MIN_WORDS_ELSEWHERE = 3
_FUNCTION_WORDS = frozenset(
    "a an the is are was were be it its of in on to and or for with by at as this that there".split()
)

_NUMBER_WORDS = {
    "zero": "0",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
}
# "one" is everywhere ("one terminal of the bulb"); it counts as 1 only before a unit.
_UNIT_FORMS = {"v": "v", "volt": "v", "volts": "v", "voltage": "v"}
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _canonical_number(raw: str) -> str:
    value = float(raw)
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def normalise(text: str) -> str:
    """Lower case, no accents, numbers in one form, punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = _DECIMAL_COMMA.sub(".", text)
    text = re.sub(r"(\d)\.(?!\d)", r"\1 ", text)  # a full stop after a number ends the sentence
    text = _NUMBER.sub(lambda m: f" {_canonical_number(m.group())} ", text)
    text = re.sub(r"[^a-z0-9.]+", " ", text)
    text = re.sub(r"(?<![0-9])\.|\.(?![0-9])", " ", text)
    words = [_NUMBER_WORDS.get(w, w) for w in text.split()]
    return " ".join(words)


def _unit(word: str) -> str:
    word = _UNIT_FORMS.get(word, word)
    return word[:-1] if len(word) > 2 and word.endswith("s") else word


@dataclass(frozen=True)
class AnswerKey:
    exercise_id: int
    exercise_slug: str
    texts: tuple[str, ...]  # normalised reference answers and correct options
    number: str | None  # canonical numeric value
    unit: str  # normalised unit word ("" if none)
    distinctive: tuple[str, ...] = ()  # the texts protected outside focus too


def answer_key(exercise: ExerciseMaterial) -> AnswerKey:
    texts = tuple(
        dict.fromkeys(
            n for n in (normalise(t) for t in (*exercise.reference_answers, *exercise.correct_options)) if n
        )
    )
    number = _canonical_number(str(exercise.numeric_value)) if exercise.numeric_value is not None else None
    unit_words = normalise(exercise.unit).split()
    distinctive = tuple(t for t in texts if _content_words(t) >= MIN_WORDS_ELSEWHERE)
    return AnswerKey(
        exercise.id, exercise.slug, texts, number, _unit(unit_words[0]) if unit_words else "", distinctive
    )


@dataclass(frozen=True)
class Leak:
    exercise_id: int
    exercise_slug: str
    what: str  # "reference answer or correct option" / "numeric value"


def _content_words(text: str) -> int:
    return sum(w not in _FUNCTION_WORDS for w in text.split())


def _contains(haystack: str, needle: str) -> bool:
    return f" {needle} " in f" {haystack} "


def _numbers_with_following(words: list[str]) -> list[tuple[str, str, bool]]:
    """(number, the unit-like word after it, written as the word "one")."""
    out = []
    for i, w in enumerate(words):
        following = _unit(words[i + 1]) if i + 1 < len(words) else ""
        if _NUMBER.fullmatch(w):
            out.append((w, following, False))
        elif w == "one":
            out.append(("1", following, True))
    return out


@lru_cache(maxsize=64)
def _visible_names(visible: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({normalise(v) for v in visible if v.strip()}, key=len, reverse=True))


def visible_names(visible: Iterable[str]) -> tuple[str, ...]:
    """The names, normalised, longest first (a course's names are normalised once)."""
    return _visible_names(tuple(visible))


def find_leaks(
    text: str, keys: Iterable[AnswerKey], *, focus: Iterable[int] = (), visible: Iterable[str] = ()
) -> list[Leak]:
    """The answers that ``text`` would give away: strictly for the exercises in ``focus``,
    distinctive ones for every other key (see the module's docstring). ``visible``: texts
    the student already sees (exercise titles), masked first."""
    focus = set(focus)
    normal = f" {normalise(text)} "
    for shown in visible_names(visible):
        normal = normal.replace(f" {shown} ", " | ")
    normal = normal.strip()
    words = normal.split()
    numbers = _numbers_with_following(words)
    leaks: list[Leak] = []
    for key in keys:
        strict = key.exercise_id in focus
        for answer in key.texts if strict else key.distinctive:
            if _contains(normal, answer):
                leaks.append(Leak(key.exercise_id, key.exercise_slug, "reference answer or correct option"))
                break
        if key.number is None:
            continue
        for number, following, as_word_one in numbers:
            if number != key.number:
                continue
            with_unit = bool(key.unit) and following == key.unit
            # "one bulb" is how the course talks ("one bulb terminal"): an answer only in focus
            if (with_unit and (strict or not as_word_one)) or (strict and not as_word_one):
                leaks.append(Leak(key.exercise_id, key.exercise_slug, "numeric value"))
                break
    return leaks
