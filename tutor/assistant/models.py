"""The teaching assistant's rows: the course's retrieval index and the conversations."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChunkKind(models.TextChoices):
    PASSAGE = "passage", "Teaching passage"
    CONCEPT = "concept", "Concept description"
    HINT = "hint", "Hint"
    WORKED_EXAMPLE = "worked_example", "Worked example"


class IndexedChunk(models.Model):
    """One retrievable piece of a course with its sentence vector (float32 bytes: portable
    across SQLite and PostgreSQL). Rows are keyed by the course's content stamp: a stamp
    that is not the course's current one means the index must be rebuilt."""

    course = models.ForeignKey("content.Course", on_delete=models.CASCADE, related_name="+")
    stamp = models.CharField(max_length=100)
    source = models.CharField(
        max_length=100, help_text="passage:ID:N, concept:ID, hint:EXERCISE:N, worked:ID"
    )
    kind = models.CharField(max_length=20, choices=ChunkKind.choices)
    concept_id = models.PositiveIntegerField()
    exercise_id = models.PositiveIntegerField(null=True, blank=True)
    passage_id = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    vector = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "stamp", "source"], name="chunk_unique_per_stamp")
        ]
        indexes = [models.Index(fields=["course", "stamp"], name="chunk_course_stamp")]

    def __str__(self) -> str:
        return self.source


class Flag(models.TextChoices):
    NONE = "", "None"
    HANDED_OVER = "handed_over", "Asked for the teacher"
    NO_ANSWER = "no_answer", "No answer found"
    DISTRESS = "distress", "Words of distress or abuse"


class Conversation(models.Model):
    """A student's conversation with the assistant about one course; their teachers may
    read and join it."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assistant_conversations"
    )
    course = models.ForeignKey("content.Course", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    flag = models.CharField(max_length=20, choices=Flag.choices, default=Flag.NONE, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["student", "course"], name="one_conversation_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.student} about {self.course}"


class Author(models.TextChoices):
    STUDENT = "student", "Student"
    ASSISTANT = "assistant", "Assistant"
    TEACHER = "teacher", "Teacher"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author_role = models.CharField(max_length=16, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    # what the reply is: answer, hint, worked_example, nudge, dont_know, weakness,
    # handover, teacher, question; the hint ladder reads its own earlier steps from it
    kind = models.CharField(max_length=20, blank=True)
    sources = models.JSONField(default=list, blank=True)
    exercise_id = models.PositiveIntegerField(null=True, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_role}: {self.text[:60]}"
