"""The assistant over REST: the same turn as the chat socket. Students only.

``GET /api/assistant/conversation/?course=SLUG`` (the conversation, to reload a page),
``POST /api/assistant/ask/`` (``{"course", "text"}``: the question and the reply; 400 for an
empty or over-long message, 429 past the rate), ``POST /api/assistant/ask-teacher/``.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from content import selectors as content_selectors
from students import api as students_api
from tutor.assistant import selectors, services
from tutor.errors import ErrorSerializer


class SourceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    conversation = serializers.IntegerField()
    author = serializers.ChoiceField(choices=["student", "assistant", "teacher"])
    text = serializers.CharField()
    kind = serializers.CharField(allow_blank=True)
    sources = SourceSerializer(many=True)
    created_at = serializers.DateTimeField()


class ConversationSerializer(serializers.Serializer):
    course = serializers.SlugField()
    messages = MessageSerializer(many=True)


class AskInSerializer(serializers.Serializer):
    course = serializers.SlugField(help_text="Slug of a published course.")
    text = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="At most 2,000 characters."
    )


class AskTeacherInSerializer(serializers.Serializer):
    course = serializers.SlugField(help_text="Slug of a published course.")
    text = serializers.CharField(
        required=False, allow_blank=True, help_text="What to ask the teacher (optional)."
    )


class TurnSerializer(serializers.Serializer):
    question = MessageSerializer()
    reply = MessageSerializer()


class _StudentOnly(APIView):
    permission_classes = [students_api.HasAreaRole]
    allowed_roles = frozenset({students_api.Role.STUDENT})

    @staticmethod
    def course(slug: str | None):
        course = content_selectors.published_courses().filter(slug=slug or "").first()
        if course is None:
            raise Http404("No such published course.")
        return course


def _refused(refusal: services.AssistantRefusal) -> Response:
    code = (
        status.HTTP_429_TOO_MANY_REQUESTS if refusal.code == "rate_limited" else status.HTTP_400_BAD_REQUEST
    )
    return Response({"detail": refusal.detail}, status=code)


def _turn(turn: services.Turn) -> Response:
    body = {
        "question": selectors.message_as_dict(turn.question),
        "reply": selectors.message_as_dict(turn.reply),
    }
    return Response(TurnSerializer(body).data)


class ConversationView(_StudentOnly):
    @extend_schema(
        parameters=[OpenApiParameter("course", str, required=True, description="Course slug.")],
        responses={200: ConversationSerializer, 404: ErrorSerializer},
    )
    def get(self, request):
        course = self.course(request.query_params.get("course"))
        conversation = selectors.conversation_of(request.user, course)
        body = {"course": course.slug, "messages": selectors.conversation_messages(conversation)}
        return Response(ConversationSerializer(body).data)


class AskView(_StudentOnly):
    @extend_schema(
        request=AskInSerializer,
        responses={200: TurnSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 429: ErrorSerializer},
    )
    def post(self, request):
        data = AskInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = self.course(data.validated_data["course"])
        try:
            return _turn(services.turn_ask(request.user, course, data.validated_data["text"]))
        except services.AssistantRefusal as refusal:
            return _refused(refusal)


class AskTeacherView(_StudentOnly):
    @extend_schema(
        request=AskTeacherInSerializer,
        responses={200: TurnSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request):
        data = AskTeacherInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = self.course(data.validated_data["course"])
        try:
            return _turn(services.teacher_ask(request.user, course, data.validated_data.get("text", "")))
        except services.AssistantRefusal as refusal:
            return _refused(refusal)


# Included by the project under /api/ (``tutor/api_urls.py``).
urlpatterns = [
    path("assistant/conversation/", ConversationView.as_view(), name="api-assistant-conversation"),
    path("assistant/ask/", AskView.as_view(), name="api-assistant-ask"),
    path("assistant/ask-teacher/", AskTeacherView.as_view(), name="api-assistant-ask-teacher"),
]
