"""WebSocket consumers of the practice loop. Thin: authenticate, check size, forward."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from students import api as students_api

MAX_MESSAGE_BYTES = 4096


class StudentEventsConsumer(AsyncJsonWebsocketConsumer):
    """Pushes events for the signed-in student (a grade that arrived later) to their pages.
    The socket is server-to-client: anything the client sends is ignored."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not students_api.role_may_enter(user.role, "/learn/"):
            await self.close(code=4403)
            return
        students_api.server_loop_bind()
        self.group = students_api.user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        size = len(text_data or "") + len(bytes_data or b"")
        if size > MAX_MESSAGE_BYTES:
            await self.close(code=4413)

    async def grade_ready(self, event: dict) -> None:
        # A homework answer's grade reaches the student only when released (homework.released).
        if not str(event.get("context", "")).startswith("homework:"):
            await self.send_json(event)

    async def homework_released(self, event: dict) -> None:
        await self.send_json(event)

    async def practice_closed(self, event: dict) -> None:
        """A practice session of the student ended (course or exercise withdrawn, idle too
        long): the page learns it, with the reason, before it sends an answer."""
        await self.send_json(event)
