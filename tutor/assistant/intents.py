"""What a student's message asks for, read from its words (pure).

Student messages are short and misspelt, so the text is first put into a plain form
(common misspellings of "answer", "what's", "please" and text-speak undone) and then
matched against a few patterns. Whatever this detects, the leak filter still checks every
reply: a request for the answer that slips past these patterns still gets no answer.
"""

from __future__ import annotations

import re

_PLAIN = [
    (r"\b(anser|answr|awnser|ansewr|anwser|asnwer|answere?)(s?)\b", r"answer\2"),
    (r"\b(wats|whats|wat's|what's|wots|wot's|whatz)\b", "what is"),
    (r"\b(wat|wot|wut)\b", "what"),
    (r"\b(plz|pls|plss|plez|pleaz)\b", "please"),
    (r"\b(u)\b", "you"),
    (r"\b(ur)\b", "your"),
    (r"\b(r)\b", "are"),
    (r"\b(tel)\b", "tell"),
    (r"\b(im)\b", "i am"),
    (r"\b(wich|whitch|whcih)\b", "which"),
    (r"\b(teachr|techer|teacher's|teecher)\b", "teacher"),
    (r"\b(practise|practis|practic|pratice|prcatice)\b", "practice"),
]

_ANSWER_REQUEST = re.compile(
    r"("
    r"\bjust tell\b|\btell me (the|what|which)\b|\bgive me the\b|\bwhat is the (answer|solution|number|value)"
    r"|\bthe (answer|solution)\b|\banswer (is|please|for|to)\b|\bwhich (option|one|choice|box|answer)"
    r"|\bwhat (number|value|do i (type|put|write|enter|pick|choose|tick|select))"
    r"|\bwhat should i (type|put|write|enter|pick|choose|tick|select)"
    r"|\bis it (a|b|c|d|option|the first|the second|\d)\b|\bjust the (number|answer|value)"
    r"|\b(give|tell) me the (number|value|option)|\btell me\s*[.!?]*$"
    r"|\b(correct|right) (answer|option|one|choice|number)"
    r"|\b(solve|do|answer) (it|this|that|the question|the exercise) for me|\bdo my\b|\bcheat\b"
    r")"
)
_WEAKNESS = re.compile(
    r"(\bwhat (should|can|do) i (practice|study|work on|revise|do next|learn next|focus on)"
    r"|\bwhat am i (bad|weak|worst|not good)|\bwhere am i (weak|bad)|\bmy weak|\bweakest|\bwhat to practice"
    r"|\bwhat (do|should) i need to (practice|work|study|improve)|\bhow am i doing|\bmy progress"
    r"|\bwhat (am i|i am) (struggling|stuck) (with|on)|\bwhat next\b)"
)
_ASK_TEACHER = re.compile(
    r"(\b(ask|talk to|speak to|get|contact|message|call|tell|want|need) (my |the |a )?teacher"
    r"|\bteacher,? (please|help)|\breal person\b|\bhuman\b)"
)
# Words that suggest distress or abuse: the teacher sees the conversation flagged first.
_DISTRESS = re.compile(
    r"(\bkill (myself|me|him|her|them)|\bsuicid|\bself[- ]?harm|\bhurt(ing)? (myself|me)|\bwant to die"
    r"|\bhate myself|\bbull(y|ied|ies|ying)\b|\babus(e|ed|ing|ive)\b|\bhits? me\b|\bbeat(s|ing)? me\b"
    r"|\bunsafe\b|\bscared\b|\bafraid\b|\bdepress|\bno one cares|\bnobody cares|\bfuck|\bshit\b"
    r"|\bstupid (bot|thing|assistant)|\bidiot\b|\bshut up\b|\bi hate you\b)"
)


def plain(text: str) -> str:
    text = " ".join(text.lower().split())
    for pattern, replacement in _PLAIN:
        text = re.sub(pattern, replacement, text)
    return text


def asks_for_answer(text: str) -> bool:
    return bool(_ANSWER_REQUEST.search(plain(text)))


def asks_for_weaknesses(text: str) -> bool:
    return bool(_WEAKNESS.search(plain(text)))


def asks_for_teacher(text: str) -> bool:
    return bool(_ASK_TEACHER.search(plain(text)))


def suggests_distress(text: str) -> bool:
    return bool(_DISTRESS.search(plain(text)))
