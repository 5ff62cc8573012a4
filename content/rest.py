"""REST API of the domain model: courses, concepts and exercises, by role.

Students receive only published courses and exercises and never the answers (correct
options, numeric values, reference answers, worked examples); teachers and admins also
receive drafts and the answer key. What a role may see is decided by the selectors.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, serializers

from content import selectors
from content.models import Choice, Concept, Course, Exercise, Hint, ReferenceAnswer


def _is_student(request) -> bool:
    # ``is_student`` is the user's own property (students.access decides roles; the domain
    # model sits below the student model and cannot import it).
    return getattr(request.user, "is_student", False) is True


class CourseSerializer(serializers.ModelSerializer):
    n_concepts = serializers.IntegerField(read_only=True)
    n_exercises = serializers.IntegerField(read_only=True)

    class Meta:
        model = Course
        fields = ["slug", "title", "description", "source", "status", "version", "n_concepts", "n_exercises"]


class PassageSerializer(serializers.Serializer):
    title = serializers.CharField()
    body = serializers.CharField()


class ConceptSerializer(serializers.ModelSerializer):
    prerequisites = serializers.SerializerMethodField()
    passages = PassageSerializer(many=True, read_only=True)

    class Meta:
        model = Concept
        fields = ["slug", "name", "description", "order", "prerequisites", "passages"]

    def get_prerequisites(self, obj: Concept) -> list[str]:
        return [p.slug for p in obj.prerequisites.all() if not p.archived]


class StudentOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "text"]


class StudentExerciseSerializer(serializers.ModelSerializer):
    """What a student may know of an exercise before answering it."""

    # Nothing beyond these fields, ever: documented as such, so a staff exercise (with its
    # answer key) cannot pass for a student's in the schema's oneOf (tutor/errors.py).
    schema_closed = True

    concepts = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    options = StudentOptionSerializer(source="choices", many=True, read_only=True)
    select_all_that_apply = serializers.SerializerMethodField()
    n_hints = serializers.SerializerMethodField()

    class Meta:
        model = Exercise
        fields = [
            "id",
            "slug",
            "kind",
            "title",
            "prompt",
            "concepts",
            "expected_seconds",
            "options",
            "select_all_that_apply",
            "unit",
            "n_hints",
        ]

    def get_select_all_that_apply(self, obj: Exercise) -> bool:
        return sum(c.is_correct for c in obj.choices.all()) > 1

    def get_n_hints(self, obj: Exercise) -> int:
        return len(obj.hints.all())


class StaffOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "text", "is_correct", "feedback"]


class ReferenceAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferenceAnswer
        fields = ["text", "category"]


class HintSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hint
        fields = ["order", "text"]


class StaffExerciseSerializer(StudentExerciseSerializer):
    """The whole exercise with its answer key, for teachers and admins."""

    options = StaffOptionSerializer(source="choices", many=True, read_only=True)
    reference_answers = ReferenceAnswerSerializer(many=True, read_only=True)
    hints = HintSerializer(many=True, read_only=True)

    class Meta(StudentExerciseSerializer.Meta):
        fields = StudentExerciseSerializer.Meta.fields + [
            "status",
            "difficulty",
            "numeric_value",
            "numeric_tolerance",
            "reference_answers",
            "hints",
            "worked_example",
            "source",
        ]


EXERCISE_BY_ROLE = PolymorphicProxySerializer(
    component_name="ExerciseByRole",
    serializers=[StudentExerciseSerializer, StaffExerciseSerializer],
    resource_type_field_name=None,
)


class CourseList(generics.ListAPIView):
    """Courses the caller may see: published ones for students, drafts too for staff."""

    serializer_class = CourseSerializer

    def get_queryset(self):
        return selectors.visible_courses(self.request.user).order_by("title")


class CourseDetail(generics.RetrieveAPIView):
    serializer_class = CourseSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.visible_courses(self.request.user)


class _CourseChild(generics.ListAPIView):
    def course(self) -> Course:
        course = selectors.visible_courses(self.request.user).filter(slug=self.kwargs["slug"]).first()
        if course is None:
            raise Http404("No such course.")
        return course


class ConceptList(_CourseChild):
    serializer_class = ConceptSerializer

    def get_queryset(self):
        return selectors.course_concepts(self.course())


@extend_schema(responses={200: EXERCISE_BY_ROLE})
class ExerciseList(_CourseChild):
    """A course's exercises; students get published ones without answers."""

    def get_serializer_class(self):
        return StudentExerciseSerializer if _is_student(self.request) else StaffExerciseSerializer

    def get_queryset(self):
        return selectors.visible_exercises(self.request.user, self.course())


@extend_schema(
    responses={200: EXERCISE_BY_ROLE, 404: OpenApiResponse(description="Not found or not visible.")}
)
class ExerciseDetail(generics.RetrieveAPIView):
    def get_serializer_class(self):
        return StudentExerciseSerializer if _is_student(self.request) else StaffExerciseSerializer

    def get_queryset(self):
        return selectors.exercises_visible_to(self.request.user)


# Included by the project under /api/ (``tutor/api_urls.py``).
urlpatterns = [
    path("courses/", CourseList.as_view(), name="api-courses"),
    path("courses/<slug:slug>/", CourseDetail.as_view(), name="api-course"),
    path("courses/<slug:slug>/concepts/", ConceptList.as_view(), name="api-concepts"),
    path("courses/<slug:slug>/exercises/", ExerciseList.as_view(), name="api-exercises"),
    path("exercises/<int:pk>/", ExerciseDetail.as_view(), name="api-exercise"),
]
