"""Limits on log-in attempts (per account, per address; the lock-out ends) and on API
requests (rates from the settings)."""

from __future__ import annotations

import itertools
import time

import pytest

from tests.factories import PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db

_addresses = itertools.count(1)


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A cache of this test's own: counts left by other tests (or a shared Redis) never meet it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"t{time.time_ns()}",
        }
    }


@pytest.fixture
def address() -> str:
    return f"10.0.0.{next(_addresses)}"


def _log_in(client, username: str, password: str, address: str):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_an_account_is_locked_after_five_failures_and_even_the_right_password_waits(client, address):
    student = StudentFactory()
    for _ in range(5):
        _log_in(client, student.username, "wrong", address)

    response = _log_in(client, student.username, PASSWORD, address)

    assert response.status_code == 429
    assert "Too many failed log-ins for this account" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_the_lock_out_ends(client, address, settings):
    settings.LOGIN_LOCKOUT_SECONDS = 1
    student = StudentFactory()
    for _ in range(5):
        _log_in(client, student.username, "wrong", address)
    assert _log_in(client, student.username, PASSWORD, address).status_code == 429

    time.sleep(1.1)  # the lock-out's own length, not a timed assertion
    response = _log_in(client, student.username, PASSWORD, address)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(student.pk)


def test_one_address_trying_many_accounts_is_locked(client, address, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    students = StudentFactory.create_batch(4)
    for student in students[:3]:
        _log_in(client, student.username, "wrong", address)

    response = _log_in(client, students[3].username, PASSWORD, address)

    assert response.status_code == 429
    assert "your network address" in response.content.decode()


def test_failures_below_the_limit_do_not_lock_and_success_clears_them(client, address):
    student = StudentFactory()
    for _ in range(4):
        _log_in(client, student.username, "wrong", address)
    assert _log_in(client, student.username, PASSWORD, address).status_code == 302
    client.logout()

    for _ in range(4):
        _log_in(client, student.username, "wrong", address)

    assert _log_in(client, student.username, PASSWORD, address).status_code == 302


def test_the_admin_log_in_is_limited_too(client, address):
    student = StudentFactory()
    for _ in range(5):
        client.post("/admin/login/", {"username": student.username, "password": "wrong"}, REMOTE_ADDR=address)

    assert client.login(username=student.username, password=PASSWORD) is False


def test_api_requests_over_the_users_rate_get_a_json_429(student_client, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "3/minute"}
    }

    statuses = [student_client.get("/api/me/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = student_client.get("/api/me/")
    assert "throttled" in response.json()["detail"].lower()
    assert int(response["Retry-After"]) > 0


def test_anonymous_api_requests_have_their_own_rate_per_address(client, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "100/minute"}
    }

    statuses = [client.get("/api/schema/", REMOTE_ADDR="10.9.9.9").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
