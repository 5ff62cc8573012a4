"""What the assistant knows of a course, kept per process and keyed by its content stamp.

``CourseKnowledge`` bundles the course's material (concepts, passages, exercises with
hints, worked examples and answer keys), the retrieval index and the lexical index of
exercise prompts (to notice a question that names an exercise). It is rebuilt when the
course's content stamp changes, from vectors stored in the database (``IndexedChunk``):
a question never re-embeds the course.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sklearn.feature_extraction.text import TfidfVectorizer

from content.selectors import ConceptMaterial, CourseMaterial, ExerciseMaterial
from tutor.assistant.leaks import AnswerKey, answer_key
from tutor.assistant.retrieval import CourseIndex, lexical_vector


@dataclass
class CourseKnowledge:
    material: CourseMaterial
    index: CourseIndex
    keys: tuple[AnswerKey, ...] = ()
    concepts: dict[int, ConceptMaterial] = field(default_factory=dict)
    exercises: dict[int, ExerciseMaterial] = field(default_factory=dict)
    # Names the student sees on the course's pages: exercise titles, concept names and
    # passage titles (a reply may name them; the leak filter masks them).
    visible: tuple[str, ...] = ()
    _prompts: TfidfVectorizer | None = field(default=None, repr=False)
    _prompt_matrix: object = field(default=None, repr=False)
    _prompt_ids: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.keys = tuple(answer_key(e) for e in self.material.exercises)
        self.concepts = {c.id: c for c in self.material.concepts}
        self.exercises = {e.id: e for e in self.material.exercises}
        self.visible = (
            *(e.title for e in self.material.exercises if e.title),
            *(c.name for c in self.material.concepts),
            *(p.title for c in self.material.concepts for p in c.passages),
        )
        if self.material.exercises:
            self._prompts = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
            self._prompt_ids = [e.id for e in self.material.exercises]
            self._prompt_matrix = self._prompts.fit_transform(
                [f"{e.title} {e.slug.replace('-', ' ')} {e.prompt}" for e in self.material.exercises]
            )

    @property
    def stamp(self) -> str:
        return self.index.stamp

    def prompt_scores(self, question: str) -> dict[int, float]:
        """How close the question is to each exercise's title and prompt (char n-gram
        cosine): a question that names or restates an exercise."""
        if self._prompts is None:
            return {}
        scores = (self._prompt_matrix @ lexical_vector(self._prompts, question).T).toarray().ravel()
        return dict(zip(self._prompt_ids, (float(x) for x in scores), strict=True))

    def related_exercises(self, exercise_id: int) -> list[ExerciseMaterial]:
        """Other exercises of the same main concept (then of any shared concept), with a
        worked example, in course order."""
        target = self.exercises.get(exercise_id)
        if target is None or not target.concept_ids:
            return []
        main = target.concept_ids[0]
        others = [e for e in self.material.exercises if e.id != exercise_id and e.worked_example]
        same_main = [e for e in others if e.concept_ids and e.concept_ids[0] == main]
        shared = [e for e in others if e not in same_main and set(e.concept_ids) & set(target.concept_ids)]
        return same_main + shared
