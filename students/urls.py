from django.urls import path

from students import views

app_name = "teach"
urlpatterns = [
    path("", views.teach_home, name="home"),
    path("classrooms/<int:pk>/", views.classroom, name="classroom"),
]
