from django import template

register = template.Library()


@register.filter
def mastery_class(value) -> str:
    """A CSS class for a mastery cell: none, low, mid, high, mastered."""
    if value is None:
        return "m-none"
    if value >= 0.95:
        return "m-mastered"
    if value >= 0.6:
        return "m-high"
    if value >= 0.3:
        return "m-mid"
    return "m-low"


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{round(value * 100)}%"
