from django.urls import path

from tutor import views

app_name = "learn"
urlpatterns = [
    path("", views.learn_home, name="home"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
]
