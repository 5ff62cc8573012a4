"""A grade computed on a thread of the server's own (the embedded default grades in the
background) reaches the open page through the in-memory channel layer, whose queues live on
the server's event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from students import events
from tests.factories import StudentFactory
from tutor.practice.consumers import StudentEventsConsumer


@pytest.mark.django_db(transaction=True)
def test_an_event_sent_from_a_plain_thread_reaches_the_page_on_the_servers_loop():
    student = StudentFactory()

    async def scenario():
        communicator = WebsocketCommunicator(StudentEventsConsumer.as_asgi(), "/ws/student/")
        communicator.scope["user"] = student
        connected, _ = await communicator.connect()
        assert connected
        # given a thread that is not the server's and not one of its sync_to_async threads
        sender = threading.Thread(
            target=events._send_now, args=(student.pk, {"type": "grade.ready", "attempt": 7})
        )
        sender.start()
        await asyncio.get_running_loop().run_in_executor(None, sender.join)
        heard = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return heard

    assert async_to_sync(scenario)() == {"type": "grade.ready", "attempt": 7}
