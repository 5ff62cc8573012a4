"""The practice loop over REST: start a session, get the next item with its reason,
submit an answer, ask for a hint. Students only; a session id that is not the caller's
answers 404; a session that has ended (its course or the exercise on screen withdrawn, or
idle too long) answers 409 with the reason, and nothing is recorded."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from content import api as content_api
from content import selectors as content_selectors
from students import api as students_api
from tutor.errors import ErrorSerializer
from tutor.practice import services
from tutor.practice.models import PracticeSession


class DecisionSerializer(serializers.Serializer):
    rule = serializers.CharField()
    reason = serializers.DictField()
    message = serializers.CharField()
    worked_example = serializers.ChoiceField(choices=["show", "offer", "none"])
    break_suggestion = serializers.CharField(allow_null=True)
    slow_down = serializers.CharField(allow_null=True)
    done = serializers.BooleanField()


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class PracticeExerciseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    prompt = serializers.CharField()
    options = OptionSerializer(many=True)
    select_all_that_apply = serializers.BooleanField()
    unit = serializers.CharField()
    n_hints = serializers.IntegerField()
    concepts = serializers.ListField(child=serializers.CharField())
    expected_seconds = serializers.IntegerField()


class MasterySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    mastery = serializers.FloatField()
    mastered = serializers.BooleanField()


class SessionSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = PracticeSession
        fields = ["id", "course", "started_at", "last_activity_at"]


class SessionStartSerializer(serializers.Serializer):
    course = serializers.SlugField(help_text="Slug of a published course.")


class NextItemSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    exercise = PracticeExerciseSerializer(allow_null=True)
    decision = DecisionSerializer()
    mastery = MasterySerializer(many=True)
    worked_example = serializers.CharField(allow_blank=True, help_text="Present when the tutor shows it.")


class AnswerInSerializer(serializers.Serializer):
    exercise = serializers.IntegerField(help_text="The id of the exercise on screen.")
    choices = serializers.ListField(child=serializers.IntegerField(), required=False)
    value = serializers.CharField(required=False, max_length=64)
    text = serializers.CharField(required=False, max_length=2000, allow_blank=True)
    elapsed = serializers.FloatField(required=False, help_text="Seconds the student spent on the item.")


class ChangeSerializer(serializers.Serializer):
    name = serializers.CharField()
    before = serializers.FloatField()
    after = serializers.FloatField()
    mastered = serializers.BooleanField()


class AnswerOutSerializer(serializers.Serializer):
    attempt = serializers.IntegerField()
    status = serializers.CharField()
    correct = serializers.BooleanField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    message = serializers.CharField()
    expected = serializers.CharField(allow_blank=True)
    option_feedback = serializers.ListField(child=serializers.DictField())
    changes = ChangeSerializer(many=True)


class HintInSerializer(serializers.Serializer):
    exercise = serializers.IntegerField()


class HintOutSerializer(serializers.Serializer):
    text = serializers.CharField()
    number = serializers.IntegerField()
    total = serializers.IntegerField()


class SessionEnded(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This practice session has ended; start a new one."
    default_code = "session_ended"


class _StudentOnly(APIView):
    permission_classes = [students_api.HasAreaRole]
    allowed_roles = frozenset({students_api.Role.STUDENT})

    def own_session(self, pk: int) -> PracticeSession:
        """The caller's session if it may go on: 404 if it is not theirs, 409 if it ended."""
        session = PracticeSession.objects.filter(pk=pk, student=self.request.user).first()
        if session is None:
            raise Http404("No such practice session of yours.")
        try:
            return services.practice_session_check(session)
        except services.SessionClosed as error:
            raise SessionEnded(str(error)) from error


class SessionStart(_StudentOnly):
    @extend_schema(
        request=SessionStartSerializer,
        responses={201: SessionSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request):
        data = SessionStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = content_selectors.published_courses().filter(slug=data.validated_data["course"]).first()
        if course is None:
            raise Http404("No such published course.")
        session = services.practice_start(request.user, course)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class NextItem(_StudentOnly):
    @extend_schema(responses={200: NextItemSerializer, 404: ErrorSerializer, 409: ErrorSerializer})
    def get(self, request, pk: int):
        session = self.own_session(pk)
        try:
            served = services.practice_next(session)
        except services.SessionClosed as error:
            raise SessionEnded(str(error)) from error
        session = served.session
        body = {
            "session": session.pk,
            "exercise": served.exercise.__dict__ | {"options": [o.__dict__ for o in served.exercise.options]}
            if served.exercise
            else None,
            "decision": served.decision.as_dict(),
            "mastery": [m.__dict__ for m in served.mastery],
            "worked_example": session.current_exercise.worked_example
            if served.exercise and session.worked_example_shown
            else "",
        }
        return Response(NextItemSerializer(body).data)


class Answer(_StudentOnly):
    @extend_schema(
        request=AnswerInSerializer,
        responses={
            200: AnswerOutSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request, pk: int):
        session = self.own_session(pk)
        data = AnswerInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = data.validated_data
        try:
            outcome = services.practice_answer(
                session,
                answer["exercise"],
                choices=answer.get("choices"),
                value=answer.get("value"),
                text=answer.get("text"),
                response_seconds=answer.get("elapsed"),
            )
        except services.SessionClosed as error:
            raise SessionEnded(str(error)) from error
        except (services.PracticeError, content_api.AnswerError) as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        attempt, check = outcome.attempt, outcome.check
        body = {
            "attempt": attempt.pk,
            "status": attempt.status,
            "correct": attempt.is_correct,
            "score": attempt.score,
            "message": check.message if check else "Your answer is being graded.",
            "expected": check.expected if check else "",
            "option_feedback": [o.__dict__ for o in check.options] if check else [],
            "changes": [c.__dict__ for c in outcome.changes],
        }
        return Response(AnswerOutSerializer(body).data)


class HintReveal(_StudentOnly):
    @extend_schema(
        request=HintInSerializer,
        responses={200: HintOutSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, pk: int):
        session = self.own_session(pk)
        data = HintInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            text, number, total = services.practice_hint(session, data.validated_data["exercise"])
        except services.SessionClosed as error:
            raise SessionEnded(str(error)) from error
        except services.PracticeError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(HintOutSerializer({"text": text, "number": number, "total": total}).data)


# Included by the project under /api/ (``tutor/api_urls.py``).
urlpatterns = [
    path("practice/sessions/", SessionStart.as_view(), name="api-practice-start"),
    path("practice/sessions/<int:pk>/next/", NextItem.as_view(), name="api-practice-next"),
    path("practice/sessions/<int:pk>/answer/", Answer.as_view(), name="api-practice-answer"),
    path("practice/sessions/<int:pk>/hint/", HintReveal.as_view(), name="api-practice-hint"),
]
