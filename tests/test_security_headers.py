"""Content-Security-Policy and Permissions-Policy on every response, in both modes; and no
page template that the policy would break (inline scripts, event-handler attributes, style
blocks)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db

TEMPLATE_ROOTS = [
    Path(django_settings.BASE_DIR) / "templates",
    *Path(django_settings.BASE_DIR).glob("*/templates"),
]
TEMPLATE_ROOTS += list(Path(django_settings.BASE_DIR).glob("tutor/*/templates"))
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:json|ld\+json)\")[^>]*>", re.I
)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_BLOCK = re.compile(r"<style\b", re.I)
JS_URL = re.compile(r"href\s*=\s*[\"']\s*javascript:", re.I)


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("url", ["/accounts/login/", "/api/schema/", "/no-such-page/"])
def test_every_response_carries_the_policies_in_both_modes(client, settings, debug, url):
    settings.DEBUG = debug

    response = client.get(url)

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_pages_of_each_role_carry_the_policy(student_client):
    response = student_client.get("/learn/")

    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_api_docs_page_has_no_inline_script(client):
    response = client.get("/api/docs/")

    page = response.content.decode()
    assert "<script" in page
    assert not INLINE_SCRIPT.search(page)
    # Swagger UI's own inline <style> is allowed there, and only on the API's HTML pages.
    assert "style-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]
    assert "script-src 'self';" in response["Content-Security-Policy"]


def test_site_pages_allow_no_inline_style_block(client):
    csp = client.get("/accounts/login/")["Content-Security-Policy"]

    assert "'unsafe-inline'" not in csp.split("style-src ")[1].split(";")[0]


def _templates() -> list[Path]:
    return sorted({p for root in TEMPLATE_ROOTS if root.is_dir() for p in root.rglob("*.html")})


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(django_settings.BASE_DIR)))
def test_no_template_holds_what_the_policy_forbids(template):
    text = template.read_text(encoding="utf-8")

    problems = [
        name
        for name, pattern in (
            ("an inline <script>", INLINE_SCRIPT),
            ("an event-handler attribute", EVENT_HANDLER),
            ("a <style> block", STYLE_BLOCK),
            ("a javascript: link", JS_URL),
        )
        if pattern.search(text)
    ]

    assert not problems, f"{template}: {', '.join(problems)}: move it to a file under static/"
