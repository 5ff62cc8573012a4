"""The student's chat page, under /learn/assistant/."""

from django.urls import path

from tutor.assistant import views

app_name = "assistant"
urlpatterns = [
    path("", views.assistant_page, name="page"),
]
