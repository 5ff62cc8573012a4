from __future__ import annotations

from django.urls import path
from rest_framework import generics, serializers

from students.models import User


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role"]


class Me(generics.RetrieveAPIView):
    """The signed-in user and their role."""

    serializer_class = MeSerializer

    def get_object(self) -> User:
        return self.request.user


# Included by the project under /api/ (``tutor/api_urls.py``).
urlpatterns = [
    path("me/", Me.as_view(), name="api-me"),
]
