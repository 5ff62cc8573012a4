"""The configured services answer: the channel layer round-trips a message (Redis when
REDIS_URL is set, in memory otherwise) and the database is the configured one."""

from __future__ import annotations

import os

import pytest
from asgiref.sync import async_to_sync
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers, get_channel_layer
from django.conf import settings
from django.db import connection


def test_the_channel_layer_delivers_a_group_message():
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("test-roundtrip", channel)

    async_to_sync(layer.group_send)("test-roundtrip", {"type": "grade.ready", "attempt": 7})
    message = async_to_sync(layer.receive)(channel)

    assert message == {"type": "grade.ready", "attempt": 7}
    async_to_sync(layer.group_discard)("test-roundtrip", channel)


@pytest.mark.django_db
def test_the_database_is_the_configured_one():
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"

    assert connection.vendor == expected


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI's second run sets it)")
def test_celery_reaches_its_broker():
    from tutor.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=3)
        assert conn.connected
    assert settings.CELERY_TASK_ALWAYS_EAGER is False


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI's second run sets it)")
def test_an_idle_page_keeps_listening_past_the_redis_read_timeout():
    """An open page waits for a grade longer than redis-py's default 5 s socket timeout."""
    import asyncio

    async def scenario():
        # A layer of this test's own: channels-redis binds its receive lock to the event loop
        # of the first receive, and the process-wide layer was used by earlier tests' loops.
        layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
        channel = await layer.new_channel()
        await layer.group_add("test-idle", channel)

        async def late_send():
            await asyncio.sleep(7)
            await layer.group_send("test-idle", {"type": "grade.ready", "attempt": 1})

        sender = asyncio.create_task(late_send())
        message = await asyncio.wait_for(layer.receive(channel), timeout=20)
        await sender
        await layer.group_discard("test-idle", channel)
        return message

    assert async_to_sync(scenario)() == {"type": "grade.ready", "attempt": 1}
