from django.urls import path

from tutor.practice import views

app_name = "learn"
urlpatterns = [
    path("", views.learn_home, name="home"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("courses/<slug:slug>/practice/", views.practice, name="practice"),
    path("courses/<slug:slug>/practice/answer/", views.practice_answer, name="answer"),
    path("courses/<slug:slug>/practice/hint/", views.practice_hint, name="hint"),
    path(
        "courses/<slug:slug>/practice/worked-example/", views.practice_worked_example, name="worked_example"
    ),
    path("courses/<slug:slug>/practice/answers/<int:attempt_id>/", views.practice_feedback, name="feedback"),
    path("courses/<slug:slug>/progress/", views.progress, name="progress"),
]
