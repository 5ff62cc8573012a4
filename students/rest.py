"""The student model over REST: the signed-in user; classrooms (a teacher's list, create,
members, join code, co-teachers; a student's join with a code) and the teacher's
dashboards (heatmap, stuck students, one student, item analysis). Scoped like the pages:
a classroom that the teacher neither owns nor co-teaches, or a student not in it, answers
404; students reach only their own classrooms and the join."""

from __future__ import annotations

from dataclasses import asdict

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from content import selectors as content_selectors
from students import selectors, services
from students.access import HasAreaRole
from students.models import Role, User


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role"]


class Me(generics.RetrieveAPIView):
    """The signed-in user and their role."""

    serializer_class = MeSerializer

    def get_object(self) -> User:
        return self.request.user


# --- serializers of the classroom endpoints ---------------------------------------------------
class ClassroomSerializer(serializers.Serializer):
    pk = serializers.IntegerField()
    name = serializers.CharField()
    join_code = serializers.CharField()
    n_students = serializers.IntegerField()
    course_titles = serializers.ListField(child=serializers.CharField())


class ClassroomCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    courses = serializers.ListField(
        child=serializers.SlugField(), min_length=1, help_text="Slugs of published courses."
    )


class MemberSerializer(serializers.Serializer):
    pk = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()


class RosterSerializer(serializers.Serializer):
    pk = serializers.IntegerField()
    name = serializers.CharField()
    join_code = serializers.CharField()
    owner = MemberSerializer()
    courses = serializers.ListField(child=serializers.CharField())
    students = MemberSerializer(many=True)
    co_teachers = MemberSerializer(many=True)


class UsernamesSerializer(serializers.Serializer):
    usernames = serializers.ListField(
        child=serializers.CharField(max_length=150), min_length=1, max_length=500
    )


class UsernameSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class JoinCodeSerializer(serializers.Serializer):
    join_code = serializers.CharField()


class JoinSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16)


class JoinedClassroomSerializer(serializers.Serializer):
    pk = serializers.IntegerField()
    name = serializers.CharField()
    teacher_name = serializers.CharField()
    course_titles = serializers.ListField(child=serializers.CharField())


class JoinResultSerializer(serializers.Serializer):
    classroom = JoinedClassroomSerializer()
    joined = serializers.BooleanField(help_text="False when the student was in the classroom already.")


# --- serializers of the dashboards --------------------------------------------------------------
class ConceptColumnSerializer(serializers.Serializer):
    concept_id = serializers.IntegerField()
    name = serializers.CharField()
    course_title = serializers.CharField()


class HeatmapRowSerializer(serializers.Serializer):
    student_id = serializers.IntegerField()
    name = serializers.CharField()
    n_attempts = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True)
    last_active = serializers.DateTimeField(allow_null=True)
    pending = serializers.IntegerField()
    mastery = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        help_text="One per concept column; null: never practised.",
    )


class HeatmapSerializer(serializers.Serializer):
    pk = serializers.IntegerField()
    name = serializers.CharField()
    courses = serializers.ListField(child=serializers.CharField())
    concepts = ConceptColumnSerializer(many=True)
    rows = HeatmapRowSerializer(many=True)


class StuckReasonSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=["many_items", "errors", "inactive"])
    concept_id = serializers.IntegerField(allow_null=True)
    concept_name = serializers.CharField(allow_blank=True)
    why = serializers.CharField()
    action = serializers.ChoiceField(choices=["worked_example", "prerequisite", "talk"])
    action_text = serializers.CharField()
    action_concept_id = serializers.IntegerField(allow_null=True)


class StuckStudentSerializer(serializers.Serializer):
    classroom_id = serializers.IntegerField()
    classroom_name = serializers.CharField()
    student_id = serializers.IntegerField()
    name = serializers.CharField()
    last_active = serializers.DateTimeField(allow_null=True)
    reasons = StuckReasonSerializer(many=True)


class ConceptStateSerializer(serializers.Serializer):
    concept_id = serializers.IntegerField()
    name = serializers.CharField()
    mastery = serializers.FloatField(allow_null=True)
    mastered = serializers.BooleanField()
    n_attempts = serializers.IntegerField()
    last_practiced_at = serializers.DateTimeField(allow_null=True)


class AttemptLineSerializer(serializers.Serializer):
    attempt_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    exercise_title = serializers.CharField()
    kind = serializers.CharField()
    answer = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    correct = serializers.BooleanField(allow_null=True)
    label = serializers.CharField(allow_blank=True)
    grade_source = serializers.CharField(allow_blank=True)
    hints_used = serializers.IntegerField()
    seconds = serializers.FloatField(allow_null=True)
    context = serializers.CharField(allow_blank=True)


class StudentPageSerializer(serializers.Serializer):
    classroom_id = serializers.IntegerField()
    classroom_name = serializers.CharField()
    student_id = serializers.IntegerField()
    name = serializers.CharField()
    username = serializers.CharField()
    concept_id = serializers.IntegerField(allow_null=True)
    concept_name = serializers.CharField(allow_blank=True)
    concepts = ConceptStateSerializer(many=True)
    trajectories = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField()),
        help_text='Concept name -> {"x": ISO times, "y": mastery after each update}.',
    )
    attempts = AttemptLineSerializer(many=True)
    n_attempts = serializers.IntegerField()
    seconds_total = serializers.FloatField()
    seconds_by_day = serializers.ListField(
        child=serializers.ListField(), help_text="[ISO date, seconds] pairs."
    )


class WrongAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField()


class ItemStatsSerializer(serializers.Serializer):
    exercise_id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    n_attempts = serializers.IntegerField()
    n_students = serializers.IntegerField()
    share_correct = serializers.FloatField(allow_null=True)
    discrimination = serializers.FloatField(
        allow_null=True, help_text="Item-rest correlation (point-biserial for right/wrong items)."
    )
    median_seconds = serializers.FloatField(allow_null=True)
    wrong_answers = WrongAnswerSerializer(many=True)
    n_reviews = serializers.IntegerField()
    n_overridden = serializers.IntegerField()


class ItemAnalysisSerializer(serializers.Serializer):
    classroom_id = serializers.IntegerField()
    classroom_name = serializers.CharField()
    items = ItemStatsSerializer(many=True)


# --- views ----------------------------------------------------------------------------------
class _TeacherOnly(APIView):
    permission_classes = [HasAreaRole]
    allowed_roles = frozenset({Role.TEACHER, Role.ADMIN})

    def classroom(self, pk: int):
        room = selectors.classroom_for_teacher(self.request.user, pk)
        if room is None:
            raise Http404("No such classroom of yours.")
        return room


class _StudentOnly(APIView):
    permission_classes = [HasAreaRole]
    allowed_roles = frozenset({Role.STUDENT})


def _bad(error: Exception) -> Response:
    return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)


def _roster(user: User, pk: int) -> Response:
    roster = selectors.classroom_roster(user, pk)
    if roster is None:
        raise Http404("No such classroom of yours.")
    return Response(RosterSerializer(asdict(roster)).data)


class Classrooms(_TeacherOnly):
    @extend_schema(responses={200: ClassroomSerializer(many=True)})
    def get(self, request):
        """The classrooms the teacher owns or co-teaches (an admin: all)."""
        rooms = selectors.classrooms_for_teacher(request.user)
        return Response(ClassroomSerializer([asdict(r) for r in rooms], many=True).data)

    @extend_schema(request=ClassroomCreateSerializer, responses={201: RosterSerializer})
    def post(self, request):
        """A new classroom for published courses, with its join code."""
        data = ClassroomCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slugs = data.validated_data["courses"]
        courses = list(content_selectors.published_courses().filter(slug__in=slugs))
        missing = sorted(set(slugs) - {c.slug for c in courses})
        if missing:
            return _bad(ValueError(f"No such published course: {', '.join(missing)}."))
        try:
            room = services.classroom_create(
                teacher=request.user, name=data.validated_data["name"], courses=courses
            )
        except services.ClassroomError as error:
            return _bad(error)
        response = _roster(request.user, room.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class ClassroomDetail(_TeacherOnly):
    @extend_schema(responses={200: RosterSerializer})
    def get(self, request, pk: int):
        """The classroom's owner, co-teachers, students and join code."""
        return _roster(request.user, pk)


class JoinCode(_TeacherOnly):
    @extend_schema(request=None, responses={200: JoinCodeSerializer})
    def post(self, request, pk: int):
        """A new join code; the old one stops working."""
        code = services.classroom_code_regenerate(self.classroom(pk))
        return Response({"join_code": code})


class ClassroomStudents(_TeacherOnly):
    @extend_schema(request=UsernamesSerializer, responses={200: RosterSerializer})
    def post(self, request, pk: int):
        """Add students by username: all or none."""
        room = self.classroom(pk)
        data = UsernamesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.classroom_students_add(room, data.validated_data["usernames"])
        except services.ClassroomError as error:
            return _bad(error)
        return _roster(request.user, pk)


class ClassroomStudent(_TeacherOnly):
    @extend_schema(
        parameters=[OpenApiParameter("concept", int, description="Narrow the page to one concept.")],
        responses={200: StudentPageSerializer},
    )
    def get(self, request, pk: int, student_id: int):
        """One student of the classroom: mastery, trajectories, recent answers, time on task."""
        raw = request.query_params.get("concept", "")
        if raw and not raw.isdigit():
            raise Http404("No such concept in this classroom.")
        page = selectors.student_page(request.user, pk, student_id, concept_id=int(raw) if raw else None)
        if page is None:
            raise Http404("No such student in a classroom of yours.")
        return Response(StudentPageSerializer(asdict(page)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, student_id: int):
        """Take the student out of the classroom; their answers stay theirs."""
        try:
            services.classroom_student_remove(self.classroom(pk), student_id)
        except services.ClassroomError as error:
            raise Http404(str(error)) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class CoTeachers(_TeacherOnly):
    @extend_schema(request=UsernameSerializer, responses={200: RosterSerializer})
    def post(self, request, pk: int):
        """The owner adds a co-teacher by username."""
        room = self.classroom(pk)
        data = UsernameSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.classroom_co_teacher_add(room, by=request.user, username=data.validated_data["username"])
        except services.ClassroomOwnerOnly as error:
            raise PermissionDenied(str(error)) from error
        except services.ClassroomError as error:
            return _bad(error)
        return _roster(request.user, pk)


class CoTeacher(_TeacherOnly):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, teacher_id: int):
        """The owner removes a co-teacher."""
        try:
            services.classroom_co_teacher_remove(self.classroom(pk), by=request.user, teacher_id=teacher_id)
        except services.ClassroomOwnerOnly as error:
            raise PermissionDenied(str(error)) from error
        except services.ClassroomError as error:  # not a co-teacher of this classroom: a forged id
            raise Http404(str(error)) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class Join(_StudentOnly):
    @extend_schema(request=JoinSerializer, responses={200: JoinResultSerializer})
    def post(self, request):
        """Join a classroom with its code; joining twice changes nothing."""
        data = JoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            room, joined = services.classroom_join(request.user, data.validated_data["code"])
        except services.ClassroomError as error:
            return _bad(error)
        mine = next(r for r in selectors.classrooms_of_student(request.user) if r.pk == room.pk)
        return Response(JoinResultSerializer({"classroom": asdict(mine), "joined": joined}).data)


class Joined(_StudentOnly):
    @extend_schema(responses={200: JoinedClassroomSerializer(many=True)})
    def get(self, request):
        """The classrooms the student is in."""
        rooms = selectors.classrooms_of_student(request.user)
        return Response(JoinedClassroomSerializer([asdict(r) for r in rooms], many=True).data)


class Heatmap(_TeacherOnly):
    @extend_schema(responses={200: HeatmapSerializer})
    def get(self, request, pk: int):
        """Mastery of every student on every concept of the classroom's courses."""
        heatmap = selectors.classroom_heatmap(request.user, pk)
        if heatmap is None:
            raise Http404("No such classroom of yours.")
        return Response(HeatmapSerializer(asdict(heatmap)).data)


class ClassroomStuck(_TeacherOnly):
    @extend_schema(responses={200: StuckStudentSerializer(many=True)})
    def get(self, request, pk: int):
        """The classroom's stuck students, each with why and a suggested action."""
        rows = selectors.classroom_stuck_students(request.user, pk)
        if rows is None:
            raise Http404("No such classroom of yours.")
        return Response(StuckStudentSerializer([asdict(r) for r in rows], many=True).data)


class AllStuck(_TeacherOnly):
    @extend_schema(operation_id="classrooms_stuck_all", responses={200: StuckStudentSerializer(many=True)})
    def get(self, request):
        """The stuck students of every classroom the teacher owns or co-teaches."""
        rows = selectors.stuck_students(request.user)
        return Response(StuckStudentSerializer([asdict(r) for r in rows], many=True).data)


class Items(_TeacherOnly):
    @extend_schema(responses={200: ItemAnalysisSerializer})
    def get(self, request, pk: int):
        """Item analysis per exercise answered in the classroom."""
        analysis = selectors.item_analysis(request.user, pk)
        if analysis is None:
            raise Http404("No such classroom of yours.")
        return Response(ItemAnalysisSerializer(asdict(analysis)).data)


# Included by the project under /api/ (``tutor/api_urls.py``).
urlpatterns = [
    path("me/", Me.as_view(), name="api-me"),
    path("classrooms/", Classrooms.as_view(), name="api-classrooms"),
    path("classrooms/join/", Join.as_view(), name="api-classroom-join"),
    path("classrooms/joined/", Joined.as_view(), name="api-classrooms-joined"),
    path("classrooms/stuck/", AllStuck.as_view(), name="api-classrooms-stuck"),
    path("classrooms/<int:pk>/", ClassroomDetail.as_view(), name="api-classroom"),
    path("classrooms/<int:pk>/join-code/", JoinCode.as_view(), name="api-classroom-code"),
    path("classrooms/<int:pk>/students/", ClassroomStudents.as_view(), name="api-classroom-students"),
    path(
        "classrooms/<int:pk>/students/<int:student_id>/",
        ClassroomStudent.as_view(),
        name="api-classroom-student",
    ),
    path("classrooms/<int:pk>/co-teachers/", CoTeachers.as_view(), name="api-classroom-co-teachers"),
    path(
        "classrooms/<int:pk>/co-teachers/<int:teacher_id>/",
        CoTeacher.as_view(),
        name="api-classroom-co-teacher",
    ),
    path("classrooms/<int:pk>/heatmap/", Heatmap.as_view(), name="api-classroom-heatmap"),
    path("classrooms/<int:pk>/stuck/", ClassroomStuck.as_view(), name="api-classroom-stuck"),
    path("classrooms/<int:pk>/items/", Items.as_view(), name="api-classroom-items"),
]
