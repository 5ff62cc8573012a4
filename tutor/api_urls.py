from django.urls import path

from content import rest as content_api
from students import rest as students_api
from tutor import rest as tutor_api

urlpatterns = [
    path("me/", students_api.Me.as_view(), name="api-me"),
    path("courses/", content_api.CourseList.as_view(), name="api-courses"),
    path("courses/<slug:slug>/", content_api.CourseDetail.as_view(), name="api-course"),
    path("courses/<slug:slug>/concepts/", content_api.ConceptList.as_view(), name="api-concepts"),
    path("courses/<slug:slug>/exercises/", content_api.ExerciseList.as_view(), name="api-exercises"),
    path("exercises/<int:pk>/", content_api.ExerciseDetail.as_view(), name="api-exercise"),
    path("practice/sessions/", tutor_api.SessionStart.as_view(), name="api-practice-start"),
    path("practice/sessions/<int:pk>/next/", tutor_api.NextItem.as_view(), name="api-practice-next"),
    path("practice/sessions/<int:pk>/answer/", tutor_api.Answer.as_view(), name="api-practice-answer"),
    path("practice/sessions/<int:pk>/hint/", tutor_api.HintReveal.as_view(), name="api-practice-hint"),
]
