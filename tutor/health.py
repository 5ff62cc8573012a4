"""Health and readiness, for a load balancer or an orchestrator; JSON, no login.

``/healthz``: the process answers (liveness: restart it if not). ``/readyz``: the process can
serve, i.e. the database, the channel layer (Redis when REDIS_URL is set) and the Celery
broker answer (readiness: send it traffic only then). A failing check names the exception
class, never its message: a message may hold a connection URL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tutor.celery import app as celery_app

# Seconds a check may take before the service counts as not answering.
CHECK_TIMEOUT = 2.0


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


async def _channel_round_trip() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel("readyz.")
    await layer.send(channel, {"type": "readyz.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=CHECK_TIMEOUT)
    if message.get("type") != "readyz.ping":
        raise RuntimeError("the channel layer returned another message")


def check_channel_layer() -> str:
    async_to_sync(_channel_round_trip)()
    return type(get_channel_layer()).__name__


def check_broker() -> str:
    if celery_app.conf.task_always_eager:
        return "eager (tasks run in-process)"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT)
        return conn.transport.driver_type


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict] = {}
    for name, check in CHECKS.items():
        # Any failure means "not ready", said in the answer; the probe itself never fails.
        try:
            checks[name] = {"ok": True, "detail": check()}
        except Exception as exc:
            checks[name] = {"ok": False, "detail": type(exc).__name__}
    ready = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )
