from django.urls import path

from content import api as content_api
from students import api as students_api

urlpatterns = [
    path("me/", students_api.Me.as_view(), name="api-me"),
    path("courses/", content_api.CourseList.as_view(), name="api-courses"),
    path("courses/<slug:slug>/", content_api.CourseDetail.as_view(), name="api-course"),
    path("courses/<slug:slug>/concepts/", content_api.ConceptList.as_view(), name="api-concepts"),
    path("courses/<slug:slug>/exercises/", content_api.ExerciseList.as_view(), name="api-exercises"),
    path("exercises/<int:pk>/", content_api.ExerciseDetail.as_view(), name="api-exercise"),
]
