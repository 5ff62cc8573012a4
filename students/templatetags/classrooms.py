from django import template
from django.utils.safestring import mark_safe

from students import selectors
from students.templatetags.mastery import mastery_class, percent

register = template.Library()


@register.simple_tag(takes_context=True)
def my_classrooms(context) -> list:
    """The signed-in student's classrooms, for the join form on their home page."""
    user = context["request"].user
    return selectors.classrooms_of_student(user) if user.is_authenticated else []


@register.filter
def minutes(seconds) -> str:
    """Seconds as a teacher reads time on task: "42 min", "2 h 5 min"."""
    total = round((seconds or 0) / 60)
    return f"{total // 60} h {total % 60} min" if total >= 60 else f"{total} min"


@register.filter
def words(code: str) -> str:
    """A stored code as words: "partially_correct_incomplete" -> "partially correct incomplete"."""
    return str(code or "").replace("_", " ")


@register.simple_tag
def heatmap_cells(row, concept_ids) -> str:
    """The table cells of one student's heatmap row, each linking (relative to the classroom
    page) to the student's history on that concept. Built here, not in the template: a class
    of 200 x 80 has 16,000 cells, which the template language renders some 20 times slower.
    Every part is an integer or a fixed word, so nothing needs escaping."""
    sid = int(row.student_id)
    return mark_safe(  # integers and fixed class names only
        "".join(
            f'<td class="cell {mastery_class(m)}"><a href="students/{sid}/?concept={int(c)}">{percent(m)}</a></td>'
            for m, c in zip(row.mastery, concept_ids, strict=True)
        )
    )
