"""Retrieval from the course: the chunks, their index and the search (pure, no database).

A course is cut into chunks that can each be quoted: every sentence of a teaching passage,
each concept's description, each hint and each worked example. A chunk is embedded with
its context (the passage title, the exercise title) so that a short sentence still says
what it is about. A question is scored against every chunk by the sentence encoder's
cosine, blended with a lexical cosine over character n-grams (TF-IDF, ``char_wb`` 3-5):
students misspell ("circut", "voltmetre"), and n-grams still match what words do not. The
blend weight was chosen on the labelled development questions (``tutor/assistant/eval``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn import config_context
from sklearn.feature_extraction.text import TfidfVectorizer

from content.selectors import CourseMaterial
from tutor.assistant.text import sentences


@dataclass(frozen=True)
class Chunk:
    source: str  # passage:ID:N, concept:ID, hint:EXERCISE:N, worked:EXERCISE
    kind: str  # passage, concept, hint, worked_example
    concept_id: int
    title: str  # the passage title, the concept name, the exercise title
    text: str  # what may be quoted
    exercise_id: int | None = None
    passage_id: int | None = None

    @property
    def embedded_text(self) -> str:
        """What is embedded and matched: the chunk in its context."""
        return f"{self.title}: {self.text}"


def course_chunks(material: CourseMaterial) -> list[Chunk]:
    """Every chunk of the course, in curriculum order."""
    chunks: list[Chunk] = []
    for concept in material.concepts:
        if concept.description:
            chunks.append(
                Chunk(f"concept:{concept.id}", "concept", concept.id, concept.name, concept.description)
            )
        for passage in concept.passages:
            for n, sentence in enumerate(sentences(passage.body)):
                chunks.append(
                    Chunk(
                        f"passage:{passage.id}:{n}",
                        "passage",
                        concept.id,
                        passage.title,
                        sentence,
                        passage_id=passage.id,
                    )
                )
    live = {c.id for c in material.concepts}
    for exercise in material.exercises:
        concept_id = next((c for c in exercise.concept_ids if c in live), None)
        if concept_id is None:
            continue
        title = exercise.title or exercise.prompt[:80]
        for n, hint in enumerate(exercise.hints):
            chunks.append(
                Chunk(f"hint:{exercise.id}:{n}", "hint", concept_id, title, hint, exercise_id=exercise.id)
            )
        if exercise.worked_example:
            chunks.append(
                Chunk(
                    f"worked:{exercise.id}",
                    "worked_example",
                    concept_id,
                    title,
                    exercise.worked_example,
                    exercise_id=exercise.id,
                )
            )
    return chunks


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # the blended score
    dense: float
    lexical: float


@dataclass(frozen=True)
class ConceptHit:
    concept_id: int
    score: float
    hits: tuple[Hit, ...]  # this concept's best chunks, best first


@dataclass
class CourseIndex:
    """The chunks of one course at one content stamp, their vectors and the lexical index."""

    course_id: int
    stamp: str
    chunks: list[Chunk]
    vectors: np.ndarray  # (n, d) float32, unit rows
    vectorizer: TfidfVectorizer | None = field(default=None, repr=False)
    lexical: object = field(default=None, repr=False)  # sparse (n, vocabulary), unit rows

    def __post_init__(self) -> None:
        if self.vectorizer is None and self.chunks:
            self.vectorizer = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True
            )
            self.lexical = self.vectorizer.fit_transform([c.embedded_text for c in self.chunks])

    def search(
        self,
        query_vector: np.ndarray,
        query_text: str,
        *,
        lexical_weight: float,
        kinds: frozenset[str] | None = None,
    ) -> list[Hit]:
        """Every chunk (of these kinds) scored against the question, best first."""
        if not self.chunks:
            return []
        dense = self.vectors @ query_vector.astype(np.float32)
        if lexical_weight > 0:
            lexical = (self.lexical @ lexical_vector(self.vectorizer, query_text).T).toarray().ravel()
        else:
            lexical = np.zeros(len(self.chunks), dtype=np.float32)
        blended = (1 - lexical_weight) * dense + lexical_weight * lexical
        order = np.argsort(-blended, kind="stable")
        return [
            Hit(self.chunks[i], float(blended[i]), float(dense[i]), float(lexical[i]))
            for i in order
            if kinds is None or self.chunks[i].kind in kinds
        ]


def lexical_vector(vectorizer: TfidfVectorizer, text: str):
    """The text's TF-IDF row. Parameter validation is skipped: it costs more than the
    transform of one short question, and the fitted vectorizer is ours."""
    with config_context(skip_parameter_validation=True, assume_finite=True):
        return vectorizer.transform([text])


def rank_concepts(hits: list[Hit], *, per_concept: int = 3) -> list[ConceptHit]:
    """Concepts by their best chunk's score, each with its best few chunks."""
    grouped: dict[int, list[Hit]] = {}
    for hit in hits:
        group = grouped.setdefault(hit.chunk.concept_id, [])
        if len(group) < per_concept:
            group.append(hit)
    ranked = [ConceptHit(c, group[0].score, tuple(group)) for c, group in grouped.items()]
    ranked.sort(key=lambda c: -c.score)
    return ranked


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4")
