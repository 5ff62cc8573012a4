"""Teachers' view of their students' conversations, under /teach/conversations/."""

from django.urls import path

from tutor.assistant import views

app_name = "assistant_teach"
urlpatterns = [
    path("", views.teacher_conversations, name="list"),
    path("<int:pk>/", views.teacher_conversation, name="conversation"),
    path("<int:pk>/reply/", views.teacher_reply, name="reply"),
]
