"""The student model's tables: users and roles, classrooms, the attempt log, the knowledge
state (BKT mastery, item difficulty, ability, spaced-review memory) and its history."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    STUDENT = "student", "Student"
    TEACHER = "teacher", "Teacher"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)

    def save(self, *args, **kwargs) -> None:
        # The role is the one source of truth for access; Django's staff flags follow it
        # so the admin site and `createsuperuser` agree with it.
        if self.is_superuser and self.role != Role.ADMIN and self._state.adding:
            self.role = Role.ADMIN  # `createsuperuser` makes an admin
        self.is_staff = self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN


def _join_code() -> str:
    return secrets.token_hex(4).upper()


class Classroom(models.Model):
    name = models.CharField(max_length=200)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="classrooms_taught",
        limit_choices_to={"role": Role.TEACHER},
    )
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="classrooms",
        blank=True,
        limit_choices_to={"role": Role.STUDENT},
    )
    # Co-teachers see and teach the classroom like its owner; only the owner adds them.
    co_teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="classrooms_co_taught",
        blank=True,
        limit_choices_to={"role": Role.TEACHER},
    )
    courses = models.ManyToManyField("content.Course", related_name="classrooms", blank=True)
    join_code = models.CharField(max_length=16, unique=True, default=_join_code)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "name"], name="classroom_name_unique_per_teacher")
        ]

    def __str__(self) -> str:
        return self.name


# --- the attempt log -------------------------------------------------------------------
class AttemptStatus(models.TextChoices):
    PENDING = "pending", "Being graded"
    GRADED = "graded", "Graded"


class GradeSource(models.TextChoices):
    AUTO = "auto", "Checked automatically"
    MODEL = "model", "Graded by the grader model"
    TEACHER = "teacher", "Graded by a teacher"


class Attempt(models.Model):
    """One answer to one exercise. Append-only: a row is written once, and a pending
    free-text answer is only ever completed with its grade, never changed otherwise."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    exercise = models.ForeignKey("content.Exercise", on_delete=models.PROTECT, related_name="attempts")
    # Where the answer was given, as the tutor names it ("practice:<session id>",
    # "homework:<assignment id>"): the student model stores it and never interprets it.
    context = models.CharField(max_length=64, blank=True, db_index=True)
    # The answer as given: {"choices": [{"id", "text"}...]}, {"value": 1.5, "raw": "1.5 V"} or {"text": "..."}.
    response = models.JSONField()
    status = models.CharField(max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.GRADED)
    is_correct = models.BooleanField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True, help_text="Credit in [0, 1].")
    label = models.CharField(max_length=40, blank=True, help_text="The grader's 5-way label, for free text.")
    confidence = models.FloatField(null=True, blank=True)
    feedback = models.JSONField(default=dict, blank=True)
    grade_source = models.CharField(max_length=16, choices=GradeSource.choices, blank=True)
    grader_version = models.CharField(max_length=64, blank=True)
    hints_used = models.PositiveSmallIntegerField(default=0)
    worked_example_shown = models.BooleanField(default=False)
    response_seconds = models.FloatField(null=True, blank=True)
    reason = models.JSONField(default=dict, blank=True, help_text="Why the tutor chose this item.")
    predicted_correct = models.FloatField(null=True, blank=True, help_text="P(correct) before answering.")
    knowledge_updated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["student", "created_at"], name="attempt_student_time"),
            models.Index(fields=["status", "created_at"], name="attempt_status_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | (models.Q(score__gte=0) & models.Q(score__lte=1)),
                name="attempt_score_in_unit_interval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} on {self.exercise} ({self.status})"


# --- knowledge state -------------------------------------------------------------------
class ConceptParameters(models.Model):
    """Bayesian Knowledge Tracing parameters of one concept, fitted from the attempt log."""

    concept = models.OneToOneField("content.Concept", on_delete=models.CASCADE, related_name="bkt")
    p_init = models.FloatField(default=0.2)
    p_learn = models.FloatField(default=0.15)
    p_guess = models.FloatField(default=0.2)
    p_slip = models.FloatField(default=0.1)
    p_forget = models.FloatField(default=0.0)
    n_observations = models.PositiveIntegerField(default=0)
    fitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "concept parameters"
        constraints = [
            models.CheckConstraint(condition=models.Q(p_guess__lt=0.5), name="bkt_guess_below_half"),
            models.CheckConstraint(condition=models.Q(p_slip__lt=0.5), name="bkt_slip_below_half"),
        ]

    def __str__(self) -> str:
        return f"BKT of {self.concept}"


class ItemParameters(models.Model):
    """The online (Elo/IRT-style) difficulty estimate of one exercise, on the logit scale."""

    exercise = models.OneToOneField("content.Exercise", on_delete=models.CASCADE, related_name="irt")
    difficulty = models.FloatField(default=0.0)
    n_attempts = models.PositiveIntegerField(default=0)
    fitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"difficulty of {self.exercise}: {self.difficulty:.2f}"


class StudentAbility(models.Model):
    student = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ability")
    ability = models.FloatField(default=0.0)
    n_attempts = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "student abilities"

    def __str__(self) -> str:
        return f"ability of {self.student}: {self.ability:.2f}"


class KnowledgeState(models.Model):
    """What the tutor believes one student knows of one concept."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge")
    concept = models.ForeignKey("content.Concept", on_delete=models.CASCADE, related_name="knowledge")
    mastery = models.FloatField(help_text="P(L): probability that the concept is known.")
    n_attempts = models.PositiveIntegerField(default=0)
    n_correct = models.FloatField(default=0, help_text="Sum of credit.")
    streak = models.IntegerField(default=0, help_text="Consecutive correct answers.")
    error_streak = models.IntegerField(default=0, help_text="Consecutive wrong answers.")
    first_practiced_at = models.DateTimeField(null=True, blank=True)
    last_practiced_at = models.DateTimeField(null=True, blank=True)
    mastered_at = models.DateTimeField(null=True, blank=True)
    memory = models.JSONField(default=dict, blank=True, help_text="FSRS card state for spaced review.")
    review_due_at = models.DateTimeField(null=True, blank=True)
    # The evidence of the student's own behind a mastery (``students.learning.knowledge_update``):
    # right answers without hints, worked example or a shown answer, one per exercise.
    independent_correct = models.PositiveIntegerField(
        default=0, help_text="Right answers given on the student's own, one per exercise."
    )
    credited_exercises = models.JSONField(
        default=list, blank=True, help_text="Ids of the exercises counted in independent_correct."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "concept"], name="knowledge_unique_student_concept")
        ]
        indexes = [models.Index(fields=["student", "review_due_at"], name="knowledge_review_due")]

    def __str__(self) -> str:
        return f"{self.student} knows {self.concept}: {self.mastery:.2f}"


class KnowledgeHistory(models.Model):
    """One row per update of a knowledge state, so trajectories can be drawn."""

    class Event(models.TextChoices):
        PRACTICE = "practice", "Practice"
        REVIEW = "review", "Review"
        REGRADE = "regrade", "Regrade"

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge_history"
    )
    concept = models.ForeignKey("content.Concept", on_delete=models.CASCADE, related_name="+")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    event = models.CharField(max_length=16, choices=Event.choices, default=Event.PRACTICE)
    mastery_before = models.FloatField()
    mastery = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "knowledge history"
        indexes = [models.Index(fields=["student", "concept", "created_at"], name="history_trajectory")]

    def __str__(self) -> str:
        return f"{self.concept}: {self.mastery_before:.2f} -> {self.mastery:.2f}"


class GradeReview(models.Model):
    """A teacher's review of an auto-graded answer: who, when, the model's grade as it stood
    and the teacher's. Append-only; every row is a labelled example the grader can learn
    from (``train_grader --with-reviews``), and the agreement of each grader version with
    teachers is counted from these rows."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The model's grade when the teacher reviewed it.
    model_label = models.CharField(max_length=40, blank=True)
    model_score = models.FloatField(null=True, blank=True)
    model_confidence = models.FloatField(null=True, blank=True)
    model_version = models.CharField(max_length=64, blank=True)
    # The teacher's grade: a 5-way label and a credit in [0, 1]; accepted = the model's grade kept.
    label = models.CharField(max_length=40, blank=True)
    score = models.FloatField()
    accepted = models.BooleanField(default=False)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["model_version", "created_at"], name="review_version_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=1),
                name="review_score_in_unit_interval",
            )
        ]

    def __str__(self) -> str:
        return f"review of {self.attempt_id} by {self.reviewer_id}: {self.label or self.score}"
