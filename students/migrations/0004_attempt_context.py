"""The attempt log no longer points at the tutor's practice session (the student model
knows nothing of how items are served): the session becomes an opaque context label."""

from django.db import migrations, models


def session_to_context(apps, schema_editor):
    Attempt = apps.get_model("students", "Attempt")
    for pk, session_id in Attempt.objects.filter(session__isnull=False).values_list("pk", "session_id").iterator():
        Attempt.objects.filter(pk=pk).update(context=f"practice:{session_id}")


def context_to_session(apps, schema_editor):
    Attempt = apps.get_model("students", "Attempt")
    for pk, context in Attempt.objects.filter(context__startswith="practice:").values_list("pk", "context").iterator():
        Attempt.objects.filter(pk=pk).update(session_id=int(context.split(":", 1)[1]))


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0003_attempt_session_attempt_student_and_more"),
        ("tutor", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="context",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.RunPython(session_to_context, context_to_session),
        migrations.RemoveField(model_name="attempt", name="session"),
    ]
