"""WebSocket routes."""

from django.urls import path

from tutor.consumers import StudentEventsConsumer

websocket_urlpatterns = [
    path("ws/student/", StudentEventsConsumer.as_asgi()),
]
