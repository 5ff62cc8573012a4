"""Forms of the classroom pages: parse and check what a teacher or a student typed; the
services in ``students.services`` do the writes."""

from __future__ import annotations

from django import forms

from content import selectors as content_selectors


class ClassroomCreateForm(forms.Form):
    name = forms.CharField(max_length=200, strip=True)
    courses = forms.ModelMultipleChoiceField(
        queryset=content_selectors.published_courses(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one course."},
    )


class UsernamesForm(forms.Form):
    """One or more usernames, separated by commas, spaces or new lines."""

    usernames = forms.CharField(max_length=4000, label="Usernames")

    def clean_usernames(self) -> list[str]:
        names = self.cleaned_data["usernames"].replace(",", " ").split()
        if not names:
            raise forms.ValidationError("Give at least one username.")
        return names


class UsernameForm(forms.Form):
    username = forms.CharField(max_length=150, strip=True)


class JoinForm(forms.Form):
    code = forms.CharField(max_length=16, strip=True, label="Join code")
