"""Health and readiness endpoints: JSON, no login, a failing service named in a 503."""

from __future__ import annotations

import json
import logging

import pytest

from tutor import health
from tutor.logging import JsonFormatter

pytestmark = pytest.mark.django_db


def test_healthz_says_the_process_is_alive_without_a_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_the_database_the_channel_layer_and_the_broker(client):
    response = client.get("/readyz")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "channel_layer", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_answers_503_naming_the_service_that_does_not_answer(client, monkeypatch):
    def broker_down() -> str:
        raise ConnectionRefusedError("redis://:secret@10.0.0.9:6379/0 refused")

    monkeypatch.setitem(health.CHECKS, "broker", broker_down)

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["broker"] == {"ok": False, "detail": "ConnectionRefusedError"}
    assert "secret" not in response.content.decode()
    assert body["checks"]["database"]["ok"]


def test_readyz_refuses_a_write(client):
    assert client.post("/readyz").status_code == 405


def test_production_logs_are_one_json_object_per_line():
    record = logging.LogRecord("modeling.tasks", logging.WARNING, __file__, 1, "swept %d", (3,), None)
    record.stale = 3

    line = JsonFormatter().format(record)

    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "modeling.tasks"
    assert entry["message"] == "swept 3" and entry["stale"] == 3
    assert "\n" not in line
