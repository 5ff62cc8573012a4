"""WebSocket routes."""

from django.urls import path

from tutor.assistant.consumers import AssistantConsumer
from tutor.practice.consumers import StudentEventsConsumer

websocket_urlpatterns = [
    path("ws/student/", StudentEventsConsumer.as_asgi()),
    path("ws/assistant/", AssistantConsumer.as_asgi()),
]
