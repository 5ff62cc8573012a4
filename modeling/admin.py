"""Admin: the grader registry, read-only (versions come from training; activation from the command)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from modeling.models import GraderVersion


@admin.register(GraderVersion)
class GraderVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "is_active", "val_macro_f1_3way", "created_at", "data_fingerprint_short")
    list_filter = ("is_active",)
    search_fields = ("version", "data_fingerprint")
    ordering = ("-created_at",)
    readonly_fields = [field.name for field in GraderVersion._meta.fields]

    @admin.display(description="data fingerprint")
    def data_fingerprint_short(self, obj: GraderVersion) -> str:
        return obj.data_fingerprint[:12]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: GraderVersion | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: GraderVersion | None = None) -> bool:
        return False
