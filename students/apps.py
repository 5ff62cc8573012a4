from django.apps import AppConfig


class StudentsConfig(AppConfig):
    """The student model: users and roles, classrooms, attempts and knowledge state."""

    name = "students"
    verbose_name = "Students (student model)"
