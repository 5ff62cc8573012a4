"""Item analysis per exercise of a classroom."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from students.dashboards.common import DashboardSettings, classroom_for_teacher, response_text
from students.models import Attempt, AttemptStatus, GradeReview, User


# --- item analysis ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WrongAnswer:
    answer: str
    count: int


@dataclass(frozen=True)
class ItemStats:
    exercise_id: int
    title: str
    kind: str
    n_attempts: int
    n_students: int
    share_correct: float | None
    # The item-rest correlation: Pearson's r between a student's first score on this item and
    # their mean first score on the classroom's other items (point-biserial where the item is
    # right/wrong); None with too few students or no spread.
    discrimination: float | None
    median_seconds: float | None
    wrong_answers: tuple[WrongAnswer, ...]
    n_reviews: int
    n_overridden: int

    @property
    def override_rate(self) -> float | None:
        return self.n_overridden / self.n_reviews if self.n_reviews else None


@dataclass(frozen=True)
class ItemAnalysis:
    classroom_id: int
    classroom_name: str
    items: tuple[ItemStats, ...]


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def item_analysis(user: User, classroom_id: int) -> ItemAnalysis | None:
    """Per exercise that the classroom's students answered in its courses: share correct,
    discrimination, median time, the commonest wrong answers, teachers' overrides of the
    grader. Pending answers are not counted until graded. Four queries."""
    cfg = DashboardSettings.current()
    room = classroom_for_teacher(user, classroom_id)
    if room is None:
        return None
    courses = list(room.courses.all())
    graded = Attempt.objects.filter(
        student__in=room.students.values("pk"), exercise__course__in=courses, status=AttemptStatus.GRADED
    )
    firsts: dict[int, dict[int, float]] = defaultdict(dict)  # exercise -> student -> first score
    seconds: dict[int, list[float]] = defaultdict(list)
    counts: Counter = Counter()
    correct: Counter = Counter()
    for student_id, exercise_id, score, is_correct, spent in graded.order_by("created_at", "id").values_list(
        "student_id", "exercise_id", "score", "is_correct", "response_seconds"
    ):
        counts[exercise_id] += 1
        firsts[exercise_id].setdefault(student_id, score or 0.0)
        if spent is not None:
            seconds[exercise_id].append(spent)
        if is_correct:
            correct[exercise_id] += 1
    # Wrong answers counted by the database, then merged by how a teacher reads them (the
    # same choice in another order, the same text with other spacing).
    wrong: dict[int, Counter] = defaultdict(Counter)
    for exercise_id, response, n in (
        graded.exclude(is_correct=True)
        .order_by()
        .values_list("exercise_id", "response")
        .annotate(n=Count("id"))
    ):
        wrong[exercise_id][response_text(response)] += n
    meta = {
        pk: (title or slug, kind)
        for pk, title, slug, kind in graded.order_by()
        .values_list("exercise_id", "exercise__title", "exercise__slug", "exercise__kind")
        .distinct()
    }
    reviews = {
        row["attempt__exercise_id"]: row
        for row in GradeReview.objects.filter(attempt__in=graded.values("pk"))
        .values("attempt__exercise_id")
        .annotate(n=Count("id"), overridden=Count("id", filter=Q(accepted=False)))
    }
    # Each student's first scores over all items, for the rest score of each item.
    totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0])
    for by_student in firsts.values():
        for student_id, score in by_student.items():
            totals[student_id][0] += score
            totals[student_id][1] += 1
    items = []
    for exercise_id in sorted(meta, key=lambda e: (meta[e][0].lower(), e)):
        by_student = firsts[exercise_id]
        xs, ys = [], []
        for student_id, score in by_student.items():
            total, n = totals[student_id]
            if n > 1:
                xs.append(score)
                ys.append((total - score) / (n - 1))
        discrimination = _pearson(xs, ys) if len(xs) >= cfg.min_students_for_discrimination else None
        review = reviews.get(exercise_id, {})
        items.append(
            ItemStats(
                exercise_id=exercise_id,
                title=meta[exercise_id][0],
                kind=meta[exercise_id][1],
                n_attempts=counts[exercise_id],
                n_students=len(by_student),
                share_correct=correct[exercise_id] / counts[exercise_id],
                discrimination=None if discrimination is None else round(discrimination, 3),
                median_seconds=statistics.median(seconds[exercise_id]) if seconds[exercise_id] else None,
                wrong_answers=tuple(
                    WrongAnswer(a, n) for a, n in wrong[exercise_id].most_common(cfg.common_wrong_answers)
                ),
                n_reviews=review.get("n", 0),
                n_overridden=review.get("overridden", 0),
            )
        )
    return ItemAnalysis(classroom_id=room.pk, classroom_name=room.name, items=tuple(items))
