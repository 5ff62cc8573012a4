"""The domain model: what is taught.

A course holds concepts linked by a prerequisite graph (a DAG, checked on every write
path that changes it), exercises that each involve one or more concepts, hints, worked
examples and teaching passages. Courses and exercises are draft, published or archived;
students only ever see published ones.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    # Removed from a newer version of its course package but kept, because attempts
    # may point at it: students' history is never deleted by a re-import.
    ARCHIVED = "archived", "Archived"


class ExerciseKind(models.TextChoices):
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    NUMERIC = "numeric", "Numeric"
    FREE_TEXT = "free_text", "Short free text"


class Course(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text="Citation of the material the course is built from.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    settings = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per-course pedagogy settings; missing keys take the documented defaults.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class Concept(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="concepts")
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0, help_text="Position in the curriculum.")
    archived = models.BooleanField(default=False)
    prerequisites = models.ManyToManyField(
        "self",
        through="Prerequisite",
        symmetrical=False,
        related_name="dependents",
        blank=True,
    )

    class Meta:
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="concept_slug_unique_per_course")
        ]

    def __str__(self) -> str:
        return self.name


class Prerequisite(models.Model):
    """``concept`` needs ``requires`` first. Both belong to the same course."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="prerequisite_links")
    requires = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="dependent_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concept", "requires"], name="prerequisite_unique"),
            models.CheckConstraint(condition=~Q(concept=models.F("requires")), name="prerequisite_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.concept} needs {self.requires}"


class Passage(models.Model):
    """A teaching passage: read before practice, retrieved by the teaching assistant."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="passages")
    title = models.CharField(max_length=200)
    body = models.TextField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["concept", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Exercise(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exercises")
    slug = models.SlugField(max_length=100)
    kind = models.CharField(max_length=32, choices=ExerciseKind.choices)
    title = models.CharField(max_length=200, blank=True)
    prompt = models.TextField()
    concepts = models.ManyToManyField(Concept, related_name="exercises")
    difficulty = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Authored difficulty, 0 (easy) to 1 (hard); the student model refines it.",
    )
    expected_seconds = models.PositiveIntegerField(default=60, validators=[MinValueValidator(1)])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    order = models.PositiveIntegerField(default=0)
    worked_example = models.TextField(blank=True, help_text="A fully worked solution, step by step.")
    source = models.CharField(max_length=300, blank=True)
    # numeric items
    numeric_value = models.FloatField(null=True, blank=True)
    numeric_tolerance = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0.0)])
    unit = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="exercise_slug_unique_per_course"),
            models.CheckConstraint(
                condition=~Q(kind="numeric") | Q(numeric_value__isnull=False),
                name="numeric_exercise_has_value",
            ),
            models.CheckConstraint(
                condition=Q(difficulty__gte=0.0) & Q(difficulty__lte=1.0),
                name="exercise_difficulty_in_unit_interval",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.slug

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class Choice(models.Model):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    feedback = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["exercise", "order", "id"]

    def __str__(self) -> str:
        return self.text


class ReferenceAnswer(models.Model):
    class Category(models.TextChoices):
        BEST = "best", "Best"
        GOOD = "good", "Good"
        MINIMAL = "minimal", "Minimal"
        KEYWORD = "keyword", "Keyword"

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="reference_answers")
    text = models.TextField()
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.BEST)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["exercise", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Hint(models.Model):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="hints")
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["exercise", "order", "id"]

    def __str__(self) -> str:
        return self.text[:60]
