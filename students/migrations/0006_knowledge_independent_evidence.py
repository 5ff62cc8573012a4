from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0005_classroom_co_teachers_grade_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="knowledgestate",
            name="independent_correct",
            field=models.PositiveIntegerField(
                default=0, help_text="Right answers given on the student's own, one per exercise."
            ),
        ),
        migrations.AddField(
            model_name="knowledgestate",
            name="credited_exercises",
            field=models.JSONField(
                blank=True, default=list, help_text="Ids of the exercises counted in independent_correct."
            ),
        ),
    ]
