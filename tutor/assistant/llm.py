"""Optional generation: an OpenAI-compatible chat-completions endpoint may reword a
retrieved teaching reply. Off unless ``TA_LLM_URL`` is set; the product is complete
without it. Whatever it returns goes through the same leak filter (``services``), and any
failure (down, slow, malformed) falls back to the retrieved reply."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

from tutor.assistant.config import setting

logger = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are a patient teaching assistant for students aged 12 to 15. Reword the reply below so it reads "
    "naturally and kindly. Keep every fact, keep the quoted course sentences' meaning, keep the closing "
    "question. Never add an answer to any exercise, a number, or anything the reply does not say."
)


def enabled() -> bool:
    return bool(setting("LLM_URL"))


def rephrase(text: str) -> str | None:
    """The endpoint's rewording of ``text``, or None if it is off or fails."""
    url = setting("LLM_URL")
    if not url:
        return None
    body = {
        "model": setting("LLM_MODEL") or "default",
        "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}],
        "temperature": 0.2,
    }
    headers = {"Content-Type": "application/json"}
    if setting("LLM_KEY"):
        headers["Authorization"] = f"Bearer {setting('LLM_KEY')}"
    request = urllib.request.Request(
        url.rstrip("/") + ("" if url.rstrip("/").endswith("/chat/completions") else "/chat/completions"),
        data=json.dumps(body).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=float(setting("LLM_TIMEOUT_SECONDS"))) as response:
            data = json.loads(response.read().decode())
        content = data["choices"][0]["message"]["content"]
    except (urllib.error.URLError, TimeoutError, ValueError, KeyError, IndexError, TypeError) as error:
        logger.warning("the generation backend failed, the retrieved reply is sent: %s", error)
        return None
    return content.strip() if isinstance(content, str) and content.strip() else None
