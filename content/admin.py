"""Admin curation of the domain model.

Every content model is editable with its children inline; prerequisite edits are checked
for cycles before they are saved; courses have a read-only picture of their prerequisite
graph, an upload page for course packages and a download of their package; exercises have
a preview that renders them exactly as the student will see them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from content import selectors, services
from content.graph import find_cycle
from content.models import (
    Choice,
    Concept,
    Course,
    Exercise,
    ExerciseKind,
    Hint,
    Passage,
    Prerequisite,
    ReferenceAnswer,
    Status,
)
from content.package import CoursePackageError


def _live_forms(formset) -> list:
    return [
        f
        for f in formset.forms
        if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE", False)
    ]


class CourseContentAdmin(admin.ModelAdmin):
    """A concept or an exercise saved or deleted here marks its course's content changed
    (``services.course_content_changed``), in the transaction of the admin's write, so the
    tutor's cached course graph is rebuilt for the next selection."""

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # the course it was moved from, if it was, and the one it is in now
        services.course_content_changed(course_ids=[form.initial.get("course"), form.instance.course_id])

    def delete_model(self, request, obj) -> None:
        course_id = obj.course_id
        super().delete_model(request, obj)
        services.course_content_changed(course_ids=[course_id])

    def delete_queryset(self, request, queryset) -> None:
        course_ids = set(queryset.values_list("course_id", flat=True))
        super().delete_queryset(request, queryset)
        services.course_content_changed(course_ids=course_ids)


# --- courses -------------------------------------------------------------------------
class ConceptInline(admin.TabularInline):
    model = Concept
    fields = ("order", "slug", "name", "archived")
    extra = 0
    show_change_link = True


class CourseImportForm(forms.Form):
    package = forms.FileField(
        help_text="A course package (.yaml, .yml or .json) in the format of "
        "content/schema/course-package.schema.json."
    )


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "status", "version", "n_concepts", "n_exercises", "graph_link")
    list_filter = ("status",)
    search_fields = ("title", "slug", "description")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("version", "created_at", "updated_at", "graph_picture")
    inlines = [ConceptInline]
    actions = ["publish", "unpublish"]
    change_list_template = "admin/content/course/change_list.html"
    change_form_template = "admin/content/course/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _n_concepts=Count("concepts", distinct=True), _n_exercises=Count("exercises", distinct=True)
            )
        )

    @admin.display(description="concepts", ordering="_n_concepts")
    def n_concepts(self, obj: Course) -> int:
        return obj._n_concepts

    @admin.display(description="exercises", ordering="_n_exercises")
    def n_exercises(self, obj: Course) -> int:
        return obj._n_exercises

    @admin.display(description="graph")
    def graph_link(self, obj: Course) -> str:
        url = reverse("admin:content_course_graph", args=[obj.pk])
        return format_html('<a href="{}">prerequisite graph</a>', url)

    @admin.display(description="prerequisite graph")
    def graph_picture(self, obj: Course) -> str:
        if obj.pk is None:
            return "-"
        return mark_safe(selectors.course_graph_svg(obj))  # built from escaped parts

    @admin.action(description="Publish the selected courses and their draft exercises")
    def publish(self, request: HttpRequest, queryset) -> None:
        for course in queryset:
            services.course_publish(course)
        self.message_user(request, f"Published {queryset.count()} course(s).", messages.SUCCESS)

    @admin.action(description="Unpublish the selected courses (back to draft)")
    def unpublish(self, request: HttpRequest, queryset) -> None:
        updated = queryset.update(status=Status.DRAFT)
        self.message_user(request, f"{updated} course(s) set to draft.", messages.SUCCESS)

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="content_course_import",
            ),
            path(
                "<int:course_id>/graph/",
                self.admin_site.admin_view(self.graph_view),
                name="content_course_graph",
            ),
            path(
                "<int:course_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="content_course_export",
            ),
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied("You may not import courses.")
        form = CourseImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["package"]
            try:
                result = services.course_import(upload.read(), filename=upload.name)
            except CoursePackageError as error:
                form.add_error("package", str(error))
            else:
                verb = "Imported" if result.created else "Updated"
                self.message_user(
                    request,
                    f"{verb} course “{result.course.title}” version {result.course.version}: "
                    f"{result.concepts} concepts, {result.exercises} exercises "
                    f"(status: {result.course.get_status_display().lower()}).",
                    messages.SUCCESS,
                )
                return redirect("admin:content_course_change", result.course.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a course package",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/content/course/import.html", context)

    def graph_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = get_object_or_404(Course, pk=course_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Prerequisite graph of {course.title}",
            "course": course,
            "svg": mark_safe(selectors.course_graph_svg(course, link_concepts=True)),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/content/course/graph.html", context)

    def export_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = get_object_or_404(Course, pk=course_id)
        text = services.course_export_text(course, "yaml")
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{course.slug}-v{course.version}.yaml"'
        return response


# --- concepts --------------------------------------------------------------------------
class PrerequisiteInlineFormSet(forms.BaseInlineFormSet):
    """The prerequisite graph stays a DAG inside one course."""

    def clean(self) -> None:
        super().clean()
        concept: Concept = self.instance
        if concept.pk is None or concept.course_id is None:
            return
        chosen = []
        for form in _live_forms(self):
            requires = form.cleaned_data.get("requires")
            if requires is None:
                continue
            if requires.course_id != concept.course_id:
                raise ValidationError(f"“{requires}” belongs to another course.")
            chosen.append(requires)
        others = Prerequisite.objects.filter(concept__course_id=concept.course_id).exclude(concept=concept)
        edges = [(p.requires.slug, p.concept.slug) for p in others.select_related("concept", "requires")]
        edges += [(r.slug, concept.slug) for r in chosen]
        cycle = find_cycle([], edges)
        if cycle:
            raise ValidationError(
                "These prerequisites would make a cycle (each is a prerequisite of the next): "
                + " -> ".join(cycle)
                + "."
            )


class PrerequisiteInline(admin.TabularInline):
    model = Prerequisite
    fk_name = "concept"
    formset = PrerequisiteInlineFormSet
    extra = 1
    verbose_name = "prerequisite"
    verbose_name_plural = "prerequisites (concepts to master first)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "requires":
            object_id = request.resolver_match.kwargs.get("object_id")
            concept = Concept.objects.filter(pk=object_id).first() if object_id else None
            if concept is not None:
                kwargs["queryset"] = Concept.objects.filter(course_id=concept.course_id).exclude(
                    pk=concept.pk
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PassageInline(admin.StackedInline):
    model = Passage
    extra = 0


@admin.register(Concept)
class ConceptAdmin(CourseContentAdmin):
    list_display = ("name", "slug", "course", "order", "prerequisite_list", "n_exercises", "archived")
    list_filter = ("course", "archived")
    search_fields = ("name", "slug", "description", "passages__body")
    list_select_related = ("course",)
    inlines = [PrerequisiteInline, PassageInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("prerequisites")
            .annotate(_n_exercises=Count("exercises", distinct=True))
        )

    @admin.display(description="prerequisites")
    def prerequisite_list(self, obj: Concept) -> str:
        return ", ".join(p.name for p in obj.prerequisites.all()) or "-"

    @admin.display(description="exercises", ordering="_n_exercises")
    def n_exercises(self, obj: Concept) -> int:
        return obj._n_exercises


# --- exercises -------------------------------------------------------------------------
class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if self.instance.kind != ExerciseKind.MULTIPLE_CHOICE:
            if _live_forms(self):
                raise ValidationError("Only multiple-choice exercises have options.")
            return
        live = _live_forms(self)
        if len(live) < 2:
            raise ValidationError("A multiple-choice exercise needs at least two options.")
        if not any(f.cleaned_data.get("is_correct") for f in live):
            raise ValidationError("A multiple-choice exercise needs at least one correct option.")


class ReferenceAnswerInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if self.instance.kind == ExerciseKind.FREE_TEXT and not _live_forms(self):
            raise ValidationError("A free-text exercise needs at least one reference answer.")


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    extra = 0
    fields = ("order", "text", "is_correct", "feedback")


class HintInline(admin.TabularInline):
    model = Hint
    extra = 0
    fields = ("order", "text")


class ReferenceAnswerInline(admin.TabularInline):
    model = ReferenceAnswer
    formset = ReferenceAnswerInlineFormSet
    extra = 0
    fields = ("order", "text", "category")


class ExerciseAdminForm(forms.ModelForm):
    class Meta:
        model = Exercise
        fields = [
            "course",
            "slug",
            "title",
            "kind",
            "status",
            "prompt",
            "concepts",
            "difficulty",
            "expected_seconds",
            "order",
            "numeric_value",
            "numeric_tolerance",
            "unit",
            "worked_example",
            "source",
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ExerciseKind.NUMERIC and data.get("numeric_value") is None:
            self.add_error("numeric_value", "A numeric exercise needs a value.")
        course, concepts = data.get("course"), data.get("concepts")
        if course and concepts:
            foreign = [c.name for c in concepts if c.course_id != course.pk]
            if foreign:
                self.add_error("concepts", f"Not concepts of {course}: {', '.join(foreign)}.")
        return data


@admin.register(Exercise)
class ExerciseAdmin(CourseContentAdmin):
    form = ExerciseAdminForm
    list_display = ("__str__", "kind", "status", "difficulty", "expected_seconds", "course", "preview_link")
    list_filter = ("kind", "status", "course", "concepts")
    search_fields = ("slug", "title", "prompt", "reference_answers__text")
    list_select_related = ("course",)
    filter_horizontal = ("concepts",)
    inlines = [ChoiceInline, ReferenceAnswerInline, HintInline]
    actions = ["publish", "unpublish"]
    fieldsets = (
        (None, {"fields": ("course", "slug", "title", "kind", "status", "prompt", "concepts")}),
        ("Difficulty and time", {"fields": ("difficulty", "expected_seconds", "order")}),
        ("Numeric answer", {"fields": ("numeric_value", "numeric_tolerance", "unit")}),
        ("Worked example and source", {"fields": ("worked_example", "source")}),
    )

    @admin.display(description="preview")
    def preview_link(self, obj: Exercise) -> str:
        url = reverse("admin:content_exercise_preview", args=[obj.pk])
        return format_html('<a href="{}">preview</a>', url)

    @admin.action(description="Publish the selected exercises")
    def publish(self, request: HttpRequest, queryset) -> None:
        with transaction.atomic():
            updated = queryset.exclude(status=Status.ARCHIVED).update(status=Status.PUBLISHED)
            services.course_content_changed(course_ids=set(queryset.values_list("course_id", flat=True)))
        self.message_user(request, f"Published {updated} exercise(s).", messages.SUCCESS)

    @admin.action(description="Unpublish the selected exercises (back to draft)")
    def unpublish(self, request: HttpRequest, queryset) -> None:
        with transaction.atomic():
            updated = queryset.update(status=Status.DRAFT)
            services.course_content_changed(course_ids=set(queryset.values_list("course_id", flat=True)))
        self.message_user(request, f"{updated} exercise(s) set to draft.", messages.SUCCESS)

    def get_urls(self):
        own = [
            path(
                "<int:exercise_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="content_exercise_preview",
            )
        ]
        return own + super().get_urls()

    def preview_view(self, request: HttpRequest, exercise_id: int) -> HttpResponse:
        exercise = get_object_or_404(Exercise.objects.select_related("course"), pk=exercise_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: {exercise}",
            "exercise": selectors.exercise_for_student(exercise),
            "original": exercise,
            "preview": True,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/content/exercise/preview.html", context)


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    list_display = ("title", "concept", "order")
    list_filter = ("concept__course",)
    search_fields = ("title", "body")
    list_select_related = ("concept",)
