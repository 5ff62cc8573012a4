"""The chat socket (``ws/assistant/``). Thin: who may talk, how big, how often, what
shape; then one service call. Every refusal or malformed frame is answered with a frame
on the open socket; nothing a client sends closes it or crashes it.

Client frames (JSON text): ``{"type": "ask", "course": SLUG, "text": "..."}`` and
``{"type": "ask_teacher", "course": SLUG, "text": "..."?}``. Server frames:
``{"type": "message", "message": {...}}`` (the student's, the assistant's, a teacher's),
``{"type": "refusal", "code": "too_long" | "rate_limited" | "empty", "detail": "..."}`` and
``{"type": "error", "detail": "..."}``.
"""

from __future__ import annotations

import json

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from content import selectors as content_selectors
from students import api as students_api
from tutor.assistant import selectors, services
from tutor.assistant.config import setting

# A frame bigger than this is not read at all (a message's own limit is checked after).
MAX_FRAME_BYTES = 16_384


class AssistantConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not students_api.role_may_enter(user.role, "/learn/"):
            await self.close(code=4403)
            return
        self.user = user
        self.group = services.chat_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if bytes_data is not None or text_data is None:
            await self._error("Binary frames are not understood: send JSON text.")
            return
        if len(text_data.encode()) > MAX_FRAME_BYTES:
            limit = setting("MAX_MESSAGE_CHARS")
            await self._refuse("too_long", f"That message is too long; the limit is {limit} characters.")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self._error("That frame is not JSON.")
            return
        if not isinstance(frame, dict) or frame.get("type") not in ("ask", "ask_teacher"):
            await self._error('A frame is a JSON object with "type": "ask" or "ask_teacher".')
            return
        course_slug, text = frame.get("course"), frame.get("text", "")
        if not isinstance(course_slug, str) or not isinstance(text, str):
            await self._error('"course" (a course slug) and "text" must be strings.')
            return
        try:
            # The question's vector first, off the database thread and not thread-sensitive:
            # questions of students asking at once share the encoder's batched forward passes
            # (modeling.embeddings); the turn's database work then runs where Channels runs it.
            vector = None
            if frame["type"] == "ask":
                vector = await sync_to_async(services.question_vector, thread_sensitive=False)(text)
            turn = await self._turn(frame["type"], course_slug, text, vector)
        except services.AssistantRefusal as refusal:
            if refusal.code in ("no_course",):
                await self._error(refusal.detail)
            else:
                await self._refuse(refusal.code, refusal.detail)
            return
        for message in turn:
            await self.send(text_data=json.dumps({"type": "message", "message": message}))

    @database_sync_to_async
    def _turn(self, kind: str, course_slug: str, text: str, vector) -> list[dict]:
        course = content_selectors.published_courses().filter(slug=course_slug).first()
        if course is None:
            raise services.AssistantRefusal("no_course", f"There is no published course '{course_slug}'.")
        if kind == "ask_teacher":
            turn = services.teacher_ask(self.user, course, text)
        else:
            turn = services.turn_ask(self.user, course, text, vector=vector)
        return [selectors.message_as_dict(turn.question), selectors.message_as_dict(turn.reply)]

    async def assistant_message(self, event: dict) -> None:
        """A teacher's reply in one of the student's conversations."""
        await self.send(text_data=json.dumps({"type": "message", "message": event["message"]}))

    async def _refuse(self, code: str, detail: str) -> None:
        await self.send(text_data=json.dumps({"type": "refusal", "code": code, "detail": detail}))

    async def _error(self, detail: str) -> None:
        await self.send(text_data=json.dumps({"type": "error", "detail": detail}))
