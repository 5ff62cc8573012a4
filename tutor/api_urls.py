"""The REST API under /api/: each app's REST module brings its own routes (``rest.py``),
included by name so the project depends on no app's internals."""

from django.urls import include, path

urlpatterns = [
    path("", include("students.rest")),
    path("", include("content.rest")),
    path("", include("tutor.practice.rest")),
    path("", include("tutor.homework.rest")),
    path("", include("tutor.assistant.rest")),
]
