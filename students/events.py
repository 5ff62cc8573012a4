"""Real-time events to a user's open pages: the one module that sends them.

A service that changes state calls ``event_send`` inside its transaction; the event leaves
only once the transaction commits (a rolled-back change sends nothing), over the channel
layer to the group of every page the user has open (``user_group``). A page that is not
open misses nothing: it reads the state from the database when it opens. Consumers join
their user's group with ``user_group`` and forward events whose ``type`` they handle.
"""

from __future__ import annotations

import asyncio
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

# The event loop of this process's ASGI server, where its consumers wait. The in-memory
# channel layer (the embedded default) keeps its queues on that loop; an event sent from a
# thread of the server's own (a grade computed in the background) must be handed to that
# loop, not to a loop of its own. Bound by the consumers when a page connects.
_server_loop: asyncio.AbstractEventLoop | None = None
_server_loop_lock = threading.Lock()


def user_group(user_id: int) -> str:
    """The channel-layer group of every open page of one user."""
    return f"user-{int(user_id)}"


def event_send(user_id: int, event: dict) -> None:
    """Send ``event`` (a dict with a ``type`` such as ``grade.ready``) to every open page of
    the user once the current transaction commits (at once outside a transaction)."""
    if "type" not in event:
        raise ValueError("A real-time event needs a 'type'.")
    # robust: a channel layer that is down must not undo the committed change; the page
    # reads the state when it next loads.
    transaction.on_commit(lambda: _send_now(user_id, event), robust=True)


def server_loop_bind() -> None:
    """Remember the running event loop as the server's (a consumer calls it on connect)."""
    global _server_loop
    with _server_loop_lock:
        _server_loop = asyncio.get_running_loop()


def _send_now(user_id: int, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    group = user_group(user_id)
    loop = _server_loop
    if loop is not None and loop.is_running() and not _runs_on(loop):
        asyncio.run_coroutine_threadsafe(layer.group_send(group, event), loop).result(timeout=10)
        return
    async_to_sync(layer.group_send)(group, event)


def _runs_on(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
