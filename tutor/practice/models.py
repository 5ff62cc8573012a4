"""Practice sessions: where the tutor keeps what it served and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PracticeSession(models.Model):
    """A student's run of practice in one course: the item on screen and why it was chosen,
    the hints and worked example shown for it. Closed after a long pause."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_sessions"
    )
    course = models.ForeignKey("content.Course", on_delete=models.CASCADE, related_name="practice_sessions")
    started_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(auto_now=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The item on screen: only an answer to it is accepted (a forged id is refused).
    current_exercise = models.ForeignKey(
        "content.Exercise", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    current_reason = models.JSONField(default=dict, blank=True)
    current_served_at = models.DateTimeField(null=True, blank=True)
    current_predicted = models.FloatField(null=True, blank=True)
    hints_shown = models.PositiveSmallIntegerField(default=0)
    worked_example_shown = models.BooleanField(default=False)

    class Meta:
        app_label = "tutor"  # the table and migrations stay the tutor app's
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["student", "course", "ended_at"], name="session_open")]

    def __str__(self) -> str:
        return f"{self.student} in {self.course} from {self.started_at:%Y-%m-%d %H:%M}"
