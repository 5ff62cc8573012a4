from django.apps import AppConfig


class AssistantConfig(AppConfig):
    """Conversations with the teaching assistant and the teachers who join them."""

    name = "tutor.assistant"
    label = "assistant"
    verbose_name = "Teaching assistant"
