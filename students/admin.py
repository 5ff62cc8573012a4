from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from students.models import Classroom, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = DjangoUserAdmin.fieldsets + (("Role", {"fields": ("role",)}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("Role", {"fields": ("role",)}),)


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ("name", "teacher", "join_code", "created_at")
    list_filter = ("teacher",)
    search_fields = ("name", "teacher__username", "join_code")
    filter_horizontal = ("students", "courses")
    readonly_fields = ("created_at",)
