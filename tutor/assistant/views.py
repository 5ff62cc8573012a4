"""Pages of the assistant: the student's chat page (/learn/assistant/) and the teachers'
conversations (/teach/conversations/). Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from content import selectors as content_selectors
from tutor.assistant import selectors, services


def assistant_page(request: HttpRequest) -> HttpResponse:
    """The chat on a page of its own, about the chosen course (the last practised one by
    default)."""
    courses = list(content_selectors.published_courses())
    slug = request.GET.get("course") or selectors.last_course_slug(request.user)
    course = next((c for c in courses if c.slug == slug), courses[0] if courses else None)
    return render(request, "assistant/page.html", {"course": course, "courses": courses})


def teacher_conversations(request: HttpRequest) -> HttpResponse:
    conversations = selectors.conversations_for_teacher(request.user)[:200]
    return render(request, "assistant/teacher_list.html", {"conversations": conversations})


def teacher_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.conversation_for_teacher(request.user, pk)
    if conversation is None:
        raise Http404("No such conversation in your classrooms.")
    return render(
        request,
        "assistant/teacher_detail.html",
        {"conversation": conversation, "messages_": selectors.conversation_messages(conversation)},
    )


@require_POST
def teacher_reply(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        message = services.teacher_reply(request.user, pk, request.POST.get("text", ""))
    except services.AssistantRefusal as refusal:
        messages.error(request, refusal.detail)
        return redirect("assistant_teach:conversation", pk)
    if message is None:
        raise Http404("No such conversation in your classrooms.")
    messages.success(request, "Your reply was sent.")
    return redirect("assistant_teach:conversation", pk)
