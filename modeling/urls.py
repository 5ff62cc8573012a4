from django.urls import path

from modeling import views

app_name = "models"
urlpatterns = [path("grader/", views.grader_page, name="grader")]
