"""Forms of the homework pages: parse and check the input, nothing more; the services decide."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from tutor.homework.models import ReleaseRule
from tutor.homework.selectors import LABEL_NAMES

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
HOW_CHOICES = [
    ("hand", "Exercises I pick from the list"),
    ("concept", "Every exercise of a concept"),
    ("mastery", "Practise a concept until mastered"),
]


class AssignmentForm(forms.Form):
    title = forms.CharField(max_length=200)
    how = forms.ChoiceField(
        choices=HOW_CHOICES, widget=forms.RadioSelect, initial="hand", label="What to practise"
    )
    exercises = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    concept = forms.ChoiceField(required=False)
    opens_at = forms.DateTimeField(widget=DATETIME_WIDGET, label="Opens")
    due_at = forms.DateTimeField(widget=DATETIME_WIDGET, label="Due")
    closes_at = forms.DateTimeField(
        widget=DATETIME_WIDGET,
        required=False,
        label="Closes (late answers are taken until then; empty: never closes)",
    )
    release_rule = forms.ChoiceField(
        choices=ReleaseRule.choices, initial=ReleaseRule.AFTER_REVIEW, label="Grades"
    )
    release_at = forms.DateTimeField(widget=DATETIME_WIDGET, required=False, label="Release on (for a date)")

    def __init__(self, *args, exercises=(), concepts=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exercises"].choices = [(str(e.pk), e.title or e.slug) for e in exercises]
        self.fields["concept"].choices = [("", "-")] + [(str(c.pk), c.name) for c in concepts]
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("opens_at", now)
            self.initial.setdefault("due_at", now + timedelta(days=7))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        how = data["how"]
        concept = int(data["concept"]) if data.get("concept") else None
        return {
            "title": data["title"],
            "mode": "mastery" if how == "mastery" else "items",
            "exercise_ids": [int(e) for e in data["exercises"]] if how == "hand" else [],
            "concept_id": concept if how in ("concept", "mastery") else None,
            "opens_at": data["opens_at"],
            "due_at": data["due_at"],
            "closes_at": data.get("closes_at"),
            "release_rule": data["release_rule"],
            "release_at": data.get("release_at"),
        }


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", "Accept"), ("override", "Override")])
    label = forms.ChoiceField(choices=[("", "-"), *LABEL_NAMES.items()], required=False)
    score = forms.FloatField(min_value=0.0, max_value=1.0, required=False)
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("action") == "override" and not data.get("label") and data.get("score") is None:
            raise forms.ValidationError("To override, give a label or a score.")
        return data


class BulkAcceptForm(forms.Form):
    min_confidence = forms.FloatField(min_value=0.0, max_value=1.0, label="Confidence at least")
