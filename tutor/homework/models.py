"""Homework: what a teacher assigns to a classroom, each student's submission, and the
short-lived locks that keep two teachers from grading one answer at once.

The answers themselves live in the student model's attempt log, with the context
``homework:<assignment id>``; nothing here copies them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReleaseRule(models.TextChoices):
    AT_ONCE = "at_once", "Release grades at once"
    AFTER_REVIEW = "after_review", "Release when I have reviewed them"
    ON_DATE = "on_date", "Release on a date"


class AssignmentMode(models.TextChoices):
    ITEMS = "items", "These exercises"
    MASTERY = "mastery", "Practise a concept until mastered"


class Assignment(models.Model):
    classroom = models.ForeignKey("students.Classroom", on_delete=models.CASCADE, related_name="assignments")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    mode = models.CharField(max_length=16, choices=AssignmentMode.choices, default=AssignmentMode.ITEMS)
    # The concept to master (mastery mode); its exercises are the items.
    concept = models.ForeignKey(
        "content.Concept", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opens_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # After the due date answers are still taken, marked late, until this moment (never
    # closes when empty).
    closes_at = models.DateTimeField(null=True, blank=True)
    release_rule = models.CharField(
        max_length=16, choices=ReleaseRule.choices, default=ReleaseRule.AFTER_REVIEW
    )
    release_at = models.DateTimeField(null=True, blank=True, help_text="For release on a date.")
    released_at = models.DateTimeField(
        null=True, blank=True, help_text="When the teacher released the grades."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["classroom", "due_at"], name="assignment_class_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_at__gte=models.F("opens_at")), name="assignment_due_after_open"
            ),
            models.CheckConstraint(
                condition=~models.Q(release_rule="on_date") | models.Q(release_at__isnull=False),
                name="assignment_release_date_given",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def context(self) -> str:
        """How the attempt log names an answer given in this homework."""
        return f"homework:{self.pk}"


class AssignmentItem(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey("content.Exercise", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["assignment", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "exercise"], name="assignment_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assignment} #{self.order}"


class SubmissionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"


class Submission(models.Model):
    """One student's work on one assignment: started with the first answer, closed when
    they submit."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["assignment", "student"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="submission_unique_per_student")
        ]

    def __str__(self) -> str:
        return f"{self.student} on {self.assignment}: {self.status}"


class ReviewLock(models.Model):
    """A teacher reviewing an answer holds it for ``HOMEWORK_REVIEW_LOCK_SECONDS``; another
    teacher cannot grade it until the lock is released or has expired."""

    attempt = models.OneToOneField("students.Attempt", on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"answer {self.attempt_id} held by {self.teacher_id} until {self.expires_at:%H:%M:%S}"
