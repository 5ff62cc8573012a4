"""Homework over REST: teachers list and set homework for their classrooms, release grades,
work through the review queue and read the gradebook; students list their homework, read
one, answer its items and submit. Everything is scoped: an object outside the caller's
classrooms answers 404, whatever its id."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from content import api as content_api
from students import api as students_api
from tutor.errors import ErrorSerializer
from tutor.homework import gradebook as gradebook_selectors
from tutor.homework import selectors, services
from tutor.homework.models import AssignmentMode, ReleaseRule
from tutor.pagination import bounded_int

TEACHERS = frozenset({students_api.Role.TEACHER, students_api.Role.ADMIN})
STUDENTS = frozenset({students_api.Role.STUDENT})


# --- serializers -------------------------------------------------------------------------------
class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    classroom = serializers.IntegerField(source="classroom_id")
    title = serializers.CharField()
    mode = serializers.ChoiceField(choices=AssignmentMode.choices)
    concept = serializers.IntegerField(source="concept_id", allow_null=True)
    opens_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField(allow_null=True)
    release_rule = serializers.ChoiceField(choices=ReleaseRule.choices)
    release_at = serializers.DateTimeField(allow_null=True)
    released_at = serializers.DateTimeField(allow_null=True)
    exercises = serializers.SerializerMethodField()

    def get_exercises(self, obj) -> list[int]:
        return [i.exercise_id for i in obj.items.all()]


class AssignmentCreateSerializer(serializers.Serializer):
    classroom = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    mode = serializers.ChoiceField(choices=AssignmentMode.choices, default=AssignmentMode.ITEMS)
    exercises = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    concept = serializers.IntegerField(required=False, allow_null=True, default=None)
    opens_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    release_rule = serializers.ChoiceField(choices=ReleaseRule.choices, default=ReleaseRule.AFTER_REVIEW)
    release_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class HomeworkRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    classroom = serializers.CharField()
    opens_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField()
    late = serializers.BooleanField()
    n_items = serializers.IntegerField()
    n_answered = serializers.IntegerField()
    grades_released = serializers.BooleanField()


class HomeworkGradeSerializer(serializers.Serializer):
    exercise = serializers.IntegerField()
    attempt = serializers.IntegerField()
    status = serializers.CharField()
    verdict = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    label = serializers.CharField(allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    by_teacher = serializers.BooleanField()


class HomeworkItemSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    exercise = serializers.IntegerField(source="exercise_id")
    title = serializers.CharField()
    kind = serializers.CharField()
    answered = serializers.BooleanField()
    grade = HomeworkGradeSerializer(allow_null=True, help_text="Only once the grades are released.")


class HomeworkOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class HomeworkStudentExerciseSerializer(serializers.Serializer):
    """The item to answer, as a student may see it: no correct option, value or reference."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    prompt = serializers.CharField()
    options = HomeworkOptionSerializer(many=True)
    select_all_that_apply = serializers.BooleanField()
    unit = serializers.CharField(allow_blank=True)


class HomeworkDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_at = serializers.DateTimeField()
    status = serializers.CharField()
    late = serializers.BooleanField()
    grades_released = serializers.BooleanField()
    items = HomeworkItemSerializer(many=True)
    current = HomeworkStudentExerciseSerializer(allow_null=True)


class HomeworkAnswerInSerializer(serializers.Serializer):
    exercise = serializers.IntegerField()
    choices = serializers.ListField(child=serializers.IntegerField(), required=False)
    value = serializers.CharField(required=False, max_length=64)
    text = serializers.CharField(required=False, max_length=services.MAX_TEXT_ANSWER, allow_blank=True)
    elapsed = serializers.FloatField(required=False)


class HomeworkAnswerOutSerializer(serializers.Serializer):
    attempt = serializers.IntegerField(source="attempt_id")
    status = serializers.CharField()
    late = serializers.BooleanField()
    grade_visible = serializers.BooleanField()
    score = serializers.FloatField(allow_null=True, help_text="Only when the rule releases grades at once.")
    correct = serializers.BooleanField(allow_null=True)


class HomeworkSubmissionSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(source="assignment_id")
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()


class HomeworkReviewRowSerializer(serializers.Serializer):
    attempt = serializers.IntegerField(source="attempt_id")
    student = serializers.IntegerField(source="student_id")
    student_name = serializers.CharField()
    exercise = serializers.IntegerField(source="exercise_id")
    exercise_title = serializers.CharField()
    question = serializers.CharField()
    reference_answers = serializers.ListField(child=serializers.CharField())
    answer = serializers.CharField(allow_blank=True)
    context = serializers.CharField()
    status = serializers.CharField()
    label = serializers.CharField(allow_blank=True)
    score = serializers.FloatField(allow_null=True)
    grade_source = serializers.CharField(allow_blank=True)
    model_label = serializers.CharField(allow_blank=True)
    model_score = serializers.FloatField(allow_null=True)
    confidence = serializers.FloatField(allow_null=True)
    model_version = serializers.CharField(allow_blank=True)
    feedback = serializers.DictField()
    reviewed = serializers.BooleanField()
    comment = serializers.CharField(allow_blank=True)
    answered_at = serializers.DateTimeField()


class HomeworkReviewQueueSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = HomeworkReviewRowSerializer(many=True)


class HomeworkReviewInSerializer(serializers.Serializer):
    accept = serializers.BooleanField(default=False, help_text="Keep the grader's grade.")
    label = serializers.ChoiceField(choices=list(selectors.LABEL_NAMES), required=False, allow_blank=True)
    score = serializers.FloatField(required=False, allow_null=True, min_value=0.0, max_value=1.0)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class HomeworkReviewOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    attempt = serializers.IntegerField(source="attempt_id")
    label = serializers.CharField(allow_blank=True)
    score = serializers.FloatField()
    accepted = serializers.BooleanField()
    comment = serializers.CharField(allow_blank=True)
    model_label = serializers.CharField(allow_blank=True)
    model_score = serializers.FloatField(allow_null=True)
    model_confidence = serializers.FloatField(allow_null=True)
    model_version = serializers.CharField(allow_blank=True)


class HomeworkLockSerializer(serializers.Serializer):
    attempt = serializers.IntegerField(source="attempt_id")
    expires_at = serializers.DateTimeField()


class HomeworkBulkInSerializer(serializers.Serializer):
    min_confidence = serializers.FloatField(min_value=0.0, max_value=1.0)
    homework = serializers.IntegerField(required=False, allow_null=True)
    exercise = serializers.IntegerField(required=False, allow_null=True)
    preview = serializers.BooleanField(default=False, help_text="Count only; accept nothing.")


class HomeworkBulkOutSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Answers accepted (or, with preview, that would be).")
    preview = serializers.BooleanField()


class GradebookCellSerializer(serializers.Serializer):
    assignment = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    status = serializers.CharField()
    late = serializers.BooleanField()
    n_answered = serializers.IntegerField()
    n_pending = serializers.IntegerField()


class GradebookRowSerializer(serializers.Serializer):
    student = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    cells = GradebookCellSerializer(many=True)


class GradebookSerializer(serializers.Serializer):
    classroom = serializers.IntegerField()
    assignments = serializers.ListField(child=serializers.DictField())
    rows = GradebookRowSerializer(many=True)


# --- views -------------------------------------------------------------------------------------
class _Scoped(APIView):
    permission_classes = [students_api.HasAreaRole]


class _Teachers(_Scoped):
    allowed_roles = TEACHERS


class _Students(_Scoped):
    allowed_roles = STUDENTS


def _not_found(error: Exception):
    raise Http404(str(error)) from error


def _bad(error: Exception) -> Response:
    return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)


class AssignmentList(_Teachers):
    @extend_schema(
        parameters=[
            OpenApiParameter("classroom", OpenApiTypes.INT, description="Only this classroom's homework.")
        ],
        responses={200: AssignmentSerializer(many=True)},
    )
    def get(self, request):
        assignments = selectors.assignments_for_teacher(
            request.user, classroom_id=request.query_params.get("classroom")
        )
        return Response(AssignmentSerializer(assignments, many=True).data)

    @extend_schema(request=AssignmentCreateSerializer, responses={201: AssignmentSerializer})
    def post(self, request):
        data = AssignmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            assignment = services.assignment_create(
                request.user,
                classroom_id=d["classroom"],
                title=d["title"],
                mode=d["mode"],
                exercise_ids=d["exercises"],
                concept_id=d["concept"],
                opens_at=d["opens_at"],
                due_at=d["due_at"],
                closes_at=d["closes_at"],
                release_rule=d["release_rule"],
                release_at=d["release_at"],
            )
        except services.HomeworkNotFound as error:
            _not_found(error)
        except services.HomeworkError as error:
            return _bad(error)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentRelease(_Teachers):
    @extend_schema(request=None, responses={200: AssignmentSerializer})
    def post(self, request, pk: int):
        try:
            assignment = services.assignment_release(request.user, pk)
        except services.HomeworkNotFound as error:
            _not_found(error)
        return Response(AssignmentSerializer(assignment).data)


class MyHomework(_Students):
    @extend_schema(responses={200: HomeworkRowSerializer(many=True)})
    def get(self, request):
        return Response(HomeworkRowSerializer(selectors.homework_for_student(request.user), many=True).data)


def _own(request, pk: int):
    assignment = selectors.assignment_for_student(request.user, pk)
    if assignment is None:
        raise Http404("No such homework of yours.")
    return assignment


class MyHomeworkDetail(_Students):
    @extend_schema(responses={200: HomeworkDetailSerializer})
    def get(self, request, pk: int):
        assignment = _own(request, pk)
        detail = selectors.homework_detail(request.user, assignment)
        body = {
            "id": assignment.pk,
            "title": assignment.title,
            "due_at": assignment.due_at,
            "status": detail.status,
            "late": detail.late,
            "grades_released": detail.grades_released,
            "items": detail.items,
            "current": detail.current,
        }
        return Response(HomeworkDetailSerializer(body).data)


class MyHomeworkAnswer(_Students):
    @extend_schema(request=HomeworkAnswerInSerializer, responses={200: HomeworkAnswerOutSerializer})
    def post(self, request, pk: int):
        _own(request, pk)
        data = HomeworkAnswerInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            outcome = services.homework_answer(
                request.user,
                pk,
                d["exercise"],
                choices=d.get("choices"),
                value=d.get("value"),
                text=d.get("text"),
                response_seconds=d.get("elapsed"),
            )
        except services.HomeworkNotFound as error:
            _not_found(error)
        except (services.HomeworkError, content_api.AnswerError) as error:
            return _bad(error)
        return Response(HomeworkAnswerOutSerializer(outcome).data)


class MyHomeworkSubmit(_Students):
    @extend_schema(request=None, responses={200: HomeworkSubmissionSerializer})
    def post(self, request, pk: int):
        _own(request, pk)
        try:
            submission = services.homework_submit(request.user, pk)
        except services.HomeworkNotFound as error:
            _not_found(error)
        except services.HomeworkError as error:
            return _bad(error)
        return Response(HomeworkSubmissionSerializer(submission).data)


def _filters(params) -> selectors.ReviewFilters:
    def as_int(name):
        raw = params.get(name)
        return None if raw in (None, "") else bounded_int(str(raw), name, 1, 2**31 - 1)

    reviewed = params.get("reviewed", "")
    return selectors.ReviewFilters(
        assignment_id=as_int("homework"),
        exercise_id=as_int("exercise"),
        label=params.get("label", "") or "",
        reviewed={"no": False, "yes": True, "false": False, "true": True}.get(str(reviewed).lower()),
    )


class ReviewQueue(_Teachers):
    @extend_schema(
        parameters=[
            OpenApiParameter("homework", OpenApiTypes.INT, description="Only this homework's answers."),
            OpenApiParameter("exercise", OpenApiTypes.INT),
            OpenApiParameter("label", OpenApiTypes.STR, description="A 5-way label, or 'pending'."),
            OpenApiParameter("reviewed", OpenApiTypes.STR, enum=["yes", "no"]),
            OpenApiParameter("limit", OpenApiTypes.INT),
            OpenApiParameter("offset", OpenApiTypes.INT),
        ],
        responses={200: HomeworkReviewQueueSerializer},
    )
    def get(self, request):
        params = request.query_params
        limit = bounded_int(params.get("limit", str(selectors.REVIEW_PAGE_SIZE)), "limit", 1, 500)
        offset = bounded_int(params.get("offset", "0"), "offset", 0, 1_000_000)
        queue = selectors.review_queue(request.user, _filters(params), limit=limit, offset=offset)
        return Response(HomeworkReviewQueueSerializer({"count": queue.total, "results": queue.rows}).data)


class ReviewAction(_Teachers):
    @extend_schema(
        request=HomeworkReviewInSerializer, responses={200: HomeworkReviewOutSerializer, 409: ErrorSerializer}
    )
    def post(self, request, attempt_id: int):
        data = HomeworkReviewInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            review = services.review_submit(
                request.user,
                attempt_id,
                accept=d["accept"],
                label=d.get("label") or "",
                score=d.get("score"),
                comment=d.get("comment") or "",
            )
        except services.HomeworkNotFound as error:
            _not_found(error)
        except services.HomeworkError as error:
            code = status.HTTP_409_CONFLICT if "is reviewing" in str(error) else status.HTTP_400_BAD_REQUEST
            return Response({"detail": str(error)}, status=code)
        return Response(HomeworkReviewOutSerializer(review).data)


class ReviewLockTake(_Teachers):
    @extend_schema(request=None, responses={200: HomeworkLockSerializer, 409: ErrorSerializer})
    def post(self, request, attempt_id: int):
        try:
            lock = services.review_lock_take(request.user, attempt_id)
        except services.HomeworkNotFound as error:
            _not_found(error)
        except services.HomeworkError as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(HomeworkLockSerializer(lock).data)


class ReviewBulkAccept(_Teachers):
    @extend_schema(request=HomeworkBulkInSerializer, responses={200: HomeworkBulkOutSerializer})
    def post(self, request):
        data = HomeworkBulkInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        filters = selectors.ReviewFilters(assignment_id=d.get("homework"), exercise_id=d.get("exercise"))
        if d["preview"]:
            count = len(
                selectors.bulk_accept_ids(request.user, min_confidence=d["min_confidence"], filters=filters)
            )
        else:
            count = services.review_bulk_accept(
                request.user, min_confidence=d["min_confidence"], filters=filters
            )
        return Response(HomeworkBulkOutSerializer({"count": count, "preview": d["preview"]}).data)


class Gradebook(_Teachers):
    @extend_schema(responses={200: GradebookSerializer})
    def get(self, request, pk: int):
        book = gradebook_selectors.gradebook(request.user, pk)
        if book is None:
            raise Http404("No such classroom of yours.")
        body = {
            "classroom": book.classroom_id,
            "assignments": [
                {"id": a.pk, "title": a.title, "due_at": a.due_at.isoformat()} for a in book.assignments
            ],
            "rows": [
                {
                    "student": s.pk,
                    "username": s.username,
                    "name": s.name,
                    "cells": [
                        {
                            "assignment": a.pk,
                            **{
                                k: getattr(c, k)
                                for k in ("score", "status", "late", "n_answered", "n_pending")
                            },
                        }
                        for a, c in zip(book.assignments, book.row(s.pk), strict=True)
                    ],
                }
                for s in book.students
            ],
        }
        return Response(GradebookSerializer(body).data)


# Included by the project under /api/ (``tutor/api_urls.py``).
urlpatterns = [
    path("homework/assignments/", AssignmentList.as_view(), name="api-homework-assignments"),
    path("homework/assignments/<int:pk>/release/", AssignmentRelease.as_view(), name="api-homework-release"),
    path("homework/mine/", MyHomework.as_view(), name="api-homework-mine"),
    path("homework/mine/<int:pk>/", MyHomeworkDetail.as_view(), name="api-homework-mine-detail"),
    path("homework/mine/<int:pk>/answer/", MyHomeworkAnswer.as_view(), name="api-homework-answer"),
    path("homework/mine/<int:pk>/submit/", MyHomeworkSubmit.as_view(), name="api-homework-submit"),
    path("homework/review/", ReviewQueue.as_view(), name="api-homework-review"),
    path("homework/review/bulk-accept/", ReviewBulkAccept.as_view(), name="api-homework-bulk-accept"),
    path("homework/review/<int:attempt_id>/", ReviewAction.as_view(), name="api-homework-review-action"),
    path("homework/review/<int:attempt_id>/lock/", ReviewLockTake.as_view(), name="api-homework-review-lock"),
    path("homework/classrooms/<int:pk>/gradebook/", Gradebook.as_view(), name="api-homework-gradebook"),
]
