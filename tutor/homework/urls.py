"""Homework pages, in the teacher's area (/teach/) and the student's (/learn/homework/).
Included by the project at the root, before the students app's /teach/ pages, so that
the teacher's home (/teach/) is this app's."""

from django.urls import path

from tutor.homework import views

app_name = "homework"
urlpatterns = [
    path("teach/", views.teacher_home, name="home"),
    path("teach/homework/", views.assignment_list, name="assignments"),
    path("teach/homework/new/", views.assignment_create, name="assignment_create"),
    path("teach/homework/<int:pk>/", views.assignment_detail, name="assignment"),
    path("teach/homework/<int:pk>/release/", views.assignment_release, name="release"),
    path("teach/review/", views.review_queue, name="review"),
    path("teach/review/bulk-accept/", views.review_bulk_accept, name="bulk_accept"),
    path("teach/review/<int:attempt_id>/", views.review_submit, name="review_submit"),
    path("teach/review/<int:attempt_id>/lock/", views.review_lock, name="review_lock"),
    path("teach/classrooms/<int:pk>/gradebook/", views.gradebook, name="gradebook"),
    path("teach/classrooms/<int:pk>/gradebook.csv", views.gradebook_csv, name="gradebook_csv"),
    path("teach/classrooms/<int:pk>/attempts.csv", views.attempts_csv, name="attempts_csv"),
    path("learn/homework/", views.student_list, name="student_list"),
    path("learn/homework/<int:pk>/", views.student_detail, name="student_detail"),
    path("learn/homework/<int:pk>/answer/", views.student_answer, name="answer"),
    path("learn/homework/<int:pk>/submit/", views.student_submit, name="submit"),
]
