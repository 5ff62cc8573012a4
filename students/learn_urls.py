"""The student's side of classrooms, under /learn/ (included before the practice pages)."""

from django.urls import path

from students import views

app_name = "classrooms"
urlpatterns = [
    path("classrooms/join/", views.classroom_join, name="join"),
]
