"""Users and roles, classrooms. The attempt log and knowledge-state tables join them
as the practice loop lands."""

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
