"""The words of the assistant's replies, from what retrieval and the student model found.

Every reply that teaches quotes the course, names and links its sources, and ends by
checking understanding. Every candidate sentence is put through the leak filter before it
is used, so a quote that would give an answer away is left out rather than the whole
reply lost; ``services`` checks the finished reply once more before it is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from content.selectors import ConceptMaterial, ExerciseMaterial
from tutor.assistant.knowledge import CourseKnowledge
from tutor.assistant.leaks import find_leaks
from tutor.assistant.retrieval import ConceptHit, Hit
from tutor.assistant.text import steps


@dataclass(frozen=True)
class Reply:
    text: str
    kind: str
    sources: tuple[dict, ...] = ()
    exercise_id: int | None = None
    meta: dict = field(default_factory=dict)


def concept_source(knowledge: CourseKnowledge, concept: ConceptMaterial) -> dict:
    url = reverse("learn:course", args=[knowledge.material.slug]) + f"#concept-{concept.slug}"
    return {"kind": "concept", "title": concept.name, "url": url}


def passage_source(knowledge: CourseKnowledge, concept: ConceptMaterial, passage_id: int) -> dict | None:
    passage = next((p for p in concept.passages if p.id == passage_id), None)
    if passage is None:
        return None
    url = reverse("learn:course", args=[knowledge.material.slug]) + f"#concept-{concept.slug}"
    return {"kind": "passage", "title": passage.title, "url": url}


def _practice_url(knowledge: CourseKnowledge) -> str:
    return reverse("learn:practice", args=[knowledge.material.slug])


def _safe(text: str, knowledge: CourseKnowledge, focus: set[int], keys) -> bool:
    return not find_leaks(text, keys, focus=focus, visible=knowledge.visible)


def teaching_reply(
    knowledge: CourseKnowledge,
    ranked: list[ConceptHit],
    hits: list[Hit],
    *,
    keys,
    focus: set[int],
    quote_sentences: int,
) -> Reply:
    """Quote the best sentences of the best concept's passages (its description if none is
    safe to quote), name and link them, and end with a question back."""
    best = ranked[0]
    concept = knowledge.concepts[best.concept_id]
    quotable = [
        h for h in hits if h.chunk.concept_id == concept.id and h.chunk.kind in ("passage", "concept")
    ][:8]
    chosen: list[Hit] = []
    for hit in quotable:
        if len(chosen) >= quote_sentences:
            break
        if _safe(hit.chunk.text, knowledge, focus, keys):
            chosen.append(hit)
    # In reading order: passage sentences by position, after the description.
    chosen.sort(key=lambda h: (h.chunk.kind != "concept", h.chunk.source.split(":")[:2], _position(h)))
    sources = [concept_source(knowledge, concept)]
    passage_ids = [h.chunk.passage_id for h in chosen if h.chunk.passage_id] or [
        h.chunk.passage_id for h in quotable if h.chunk.passage_id
    ][:1]
    for passage_id in dict.fromkeys(passage_ids):
        source = passage_source(knowledge, concept, passage_id)
        if source:
            sources.append(source)
    named = " and ".join(f"“{s['title']}”" for s in sources[1:]) or f"“{concept.name}”"
    if chosen:
        quote = " ".join(h.chunk.text for h in chosen)
        body = f"From {named} ({concept.name}):\n> {quote}"
    else:
        body = f"The course explains this in {named} ({concept.name}); read it on the course page."
    check = (
        f"To check you've got it: can you say in your own words how this works in a circuit of your own? "
        f"Then try an exercise on {concept.name.lower()} in practice."
    )
    return Reply(
        text=f"{body}\n\n{check}",
        kind="answer",
        sources=tuple(sources),
        meta={
            "concept": concept.slug,
            "score": round(best.score, 4),
            "quoted": [h.chunk.source for h in chosen],
            "practice_url": _practice_url(knowledge),
        },
    )


def _position(hit: Hit) -> int:
    parts = hit.chunk.source.split(":")
    return int(parts[2]) if len(parts) > 2 else -1


def dont_know_reply(knowledge: CourseKnowledge, score: float) -> Reply:
    return Reply(
        text=(
            f"I'm not sure: I couldn't find anything close enough to that in “{knowledge.material.title}”. "
            "Would you like me to pass your question to your teacher? Press “Ask my teacher”, "
            "or ask me again in other words."
        ),
        kind="dont_know",
        meta={"score": round(score, 4), "offer_teacher": True},
    )


def hint_reply(exercise: ExerciseMaterial, number: int) -> Reply:
    hint = exercise.hints[number]
    return Reply(
        text=(
            f"I won't give you the answer, but here is {_which_hint(number, len(exercise.hints))} "
            f"for “{exercise.title or exercise.slug}”: {hint}\n\nWhat do you think the next step is?"
        ),
        kind="hint",
        exercise_id=exercise.id,
        meta={"hint": number},
    )


def _which_hint(number: int, total: int) -> str:
    # No digits: a reply about an exercise whose answer is 1 or 2 must not say "hint 1 of 2".
    if number == 0:
        return "a hint" if total > 1 else "the hint"
    return "a last hint" if number == total - 1 else "another hint"


def worked_example_reply(
    knowledge: CourseKnowledge, target: ExerciseMaterial, related: ExerciseMaterial, *, keys, focus: set[int]
) -> Reply | None:
    """The worked example of ANOTHER item, without its conclusion and without any step that
    would give away its answer or the target's: the student finishes it themselves."""
    strict = focus | {related.id}
    kept = [
        s
        for s in steps(related.worked_example)
        if not s.lower().startswith("answer") and _safe(s, knowledge, strict, keys)
    ]
    if not kept:
        return None
    lines = "\n".join(f"- {s}" for s in kept)  # bullets, not numbers: see _which_hint
    concept = knowledge.concepts.get(related.concept_ids[0]) if related.concept_ids else None
    return Reply(
        text=(
            "I won't give you the answer, and you have seen the hints. Here is how a similar problem is "
            f"worked out, “{related.title or related.slug}” (its last step is left for you):\n{lines}\n\n"
            f"Try the same steps on “{target.title or target.slug}”. Which step gets you stuck?"
        ),
        kind="worked_example",
        sources=(concept_source(knowledge, concept),) if concept else (),
        exercise_id=target.id,
        meta={"worked_example_of": related.slug},
    )


def nudge_reply(knowledge: CourseKnowledge, target: ExerciseMaterial) -> Reply:
    concept = knowledge.concepts.get(target.concept_ids[0]) if target.concept_ids else None
    sources: list[dict] = []
    where = "the course page"
    if concept is not None:
        sources.append(concept_source(knowledge, concept))
        if concept.passages:
            source = passage_source(knowledge, concept, concept.passages[0].id)
            if source:
                sources.append(source)
                where = f"“{source['title']}” in {concept.name}"
    return Reply(
        text=(
            f"I can't tell you the answer to “{target.title or target.slug}”: working it out is how it sticks. "
            f"Read {where} again: it explains exactly what you need. "
            "Then tell me what you think and why, one step at a time. What is the first thing you would check?"
        ),
        kind="nudge",
        sources=tuple(sources),
        exercise_id=target.id,
    )


def which_exercise_reply() -> Reply:
    return Reply(
        text=(
            "I don't give answers to exercises, but I can help you get there. Open the exercise in practice "
            "(or tell me its title) and ask again: I'll give you a hint."
        ),
        kind="nudge",
    )


def weakness_reply(knowledge: CourseKnowledge, mastery: list, threshold: float) -> Reply:
    """The concepts the student is weakest on (lowest mastery among those not mastered,
    practised ones first) and what to practise next."""
    practised = [m for m in mastery if m.n_attempts > 0 and not m.mastered]
    untried = [m for m in mastery if m.n_attempts == 0]
    weakest = sorted(practised, key=lambda m: m.mastery)[:3]
    practice = _practice_url(knowledge)
    if not weakest and not untried:
        return Reply(
            text=f"You have mastered every concept in “{knowledge.material.title}”. Keep your reviews going in practice.",
            kind="weakness",
            meta={"practice_url": practice},
        )
    sources = []
    lines = []
    for m in weakest:
        lines.append(f"- {m.name}: {_mastery_words(m.mastery)}")
        concept = knowledge.concepts.get(m.concept_id)
        if concept:
            sources.append(concept_source(knowledge, concept))
    if weakest:
        text = "From your answers so far, these are the concepts you are weakest on:\n" + "\n".join(lines)
        focus = weakest[0]
        text += (
            f"\n\nPractise {focus.name} next: read its passage on the course page, then do a few exercises in "
            "practice (the tutor picks the ones that help most). Which part of it feels hardest?"
        )
    else:
        nxt = untried[0]
        concept = knowledge.concepts.get(nxt.concept_id)
        if concept:
            sources.append(concept_source(knowledge, concept))
        text = (
            "You haven't answered enough yet for me to say what you're weak on. Start with "
            f"{nxt.name}: read its passage, then practise. What would you like to know about it?"
        )
    return Reply(
        text=text,
        kind="weakness",
        sources=tuple(sources),
        meta={"weakest": [m.slug for m in weakest], "practice_url": practice, "threshold": threshold},
    )


def _mastery_words(mastery: float) -> str:
    # Words, not percentages: a figure could match the number an open exercise asks for.
    if mastery < 0.3:
        return "not learned yet"
    if mastery < 0.6:
        return "getting there"
    return "nearly there"


def withheld_reply(knowledge: CourseKnowledge) -> Reply:
    return Reply(
        text=(
            "I had an answer ready, but it would have given away the answer to an exercise you may still "
            "meet, so I didn't send it. Ask me for a hint, or read the concept's passage on the course page."
        ),
        kind="withheld",
    )


def handover_reply(teacher_known: bool) -> Reply:
    text = (
        "I've passed this conversation to your teacher; they'll reply here. You can keep asking me meanwhile."
        if teacher_known
        else "I've marked this conversation for a teacher; one will reply here. You can keep asking me meanwhile."
    )
    return Reply(text=text, kind="handover")


def distress_reply() -> Reply:
    return Reply(
        text=(
            "That sounds hard, and you deserve help from a person. I've let your teacher know so they can talk "
            "with you. If you are in danger or feel unsafe, tell an adult you trust right now."
        ),
        kind="care",
    )
