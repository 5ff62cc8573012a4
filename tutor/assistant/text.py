"""Small text helpers shared by retrieval, the leak filter and the composer (pure)."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9'\"(])")
_NUMBERED_STEP = re.compile(r"^\s*\d+\.\s+")


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences (a full stop, question or exclamation mark followed
    by a capital or digit). Good enough for the course's own prose; no model needed."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        for line in paragraph.splitlines() if _looks_like_steps(paragraph) else [paragraph]:
            line = " ".join(line.split())
            if line:
                out.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return out


def paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def steps(text: str) -> list[str]:
    """The lines of a worked example without their numbers."""
    return [_NUMBERED_STEP.sub("", line).strip() for line in text.splitlines() if line.strip()]


def _looks_like_steps(paragraph: str) -> bool:
    lines = [line for line in paragraph.splitlines() if line.strip()]
    return len(lines) > 1 and all(_NUMBERED_STEP.match(line) for line in lines)
