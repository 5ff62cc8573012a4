"""WebSocket routes."""

from django.urls import path

from tutor.practice.consumers import StudentEventsConsumer

websocket_urlpatterns = [
    path("ws/student/", StudentEventsConsumer.as_asgi()),
]
