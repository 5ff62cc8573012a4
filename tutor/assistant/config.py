"""The assistant's settings: ``settings.ASSISTANT`` over these defaults."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "MAX_MESSAGE_CHARS": 2000,
    "MESSAGES_PER_MINUTE": 10,
    # Share of the lexical (character n-gram TF-IDF) cosine in the blended score; the rest
    # is the sentence encoder's cosine. On the 60 development questions, recall@1 was 0.900
    # with the encoder alone and 0.933 with 0.3 of lexical (0.2: 0.900, 0.4: 0.883).
    "LEXICAL_WEIGHT": 0.3,
    # Below this blended score of the best chunk the assistant says it does not know. On
    # the development questions the lowest on-topic best score was 0.326 and the highest
    # of 30 off-topic questions 0.219: the threshold is the middle of that gap.
    "MIN_SCORE": 0.27,
    # How many sentences a teaching reply quotes.
    "QUOTE_SENTENCES": 2,
    # A question this close (char n-gram cosine) to an exercise's prompt names it.
    "NAMES_EXERCISE_AT": 0.45,
    # A question this close to the prompt of the exercise on screen restates it: it gets the
    # hint ladder. Lower, "what is a short circuit" counted as asking for the answer of "Why
    # is a short circuit bad?" (the leak filter guards the teaching reply either way).
    "RESTATES_EXERCISE_AT": 0.6,
    "LLM_URL": "",
    "LLM_MODEL": "",
    "LLM_KEY": "",
    "LLM_TIMEOUT_SECONDS": 10.0,
}


def setting(name: str) -> Any:
    return getattr(settings, "ASSISTANT", {}).get(name, DEFAULTS[name])
