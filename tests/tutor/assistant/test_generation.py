"""The optional generation backend against a local fake OpenAI-compatible server: used
when it rewords safely, ignored when it leaks or fails."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tutor.assistant import services
from tutor.practice.models import PracticeSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_llm():
    """A chat-completions endpoint on 127.0.0.1 that answers ``state["reply"]``."""
    state = {"reply": "", "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server hook
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state["requests"].append({"body": body, "auth": self.headers.get("Authorization")})
            data = json.dumps(
                {"choices": [{"message": {"role": "assistant", "content": state["reply"]}}]}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_port}/v1"
    yield state
    server.shutdown()


def test_off_by_default_the_retrieved_reply_is_sent(mini, student):
    reply = services.turn_ask(student, mini.course, "what is a short circuit").reply

    assert "llm" not in reply.meta


def test_a_safe_rewording_is_sent(mini, student, settings, fake_llm):
    settings.ASSISTANT = {"LLM_URL": fake_llm["url"], "LLM_MODEL": "tiny", "LLM_KEY": "k"}
    fake_llm["reply"] = "A short circuit is a path from the battery with no bulb in it. Can you spot one?"

    reply = services.turn_ask(student, mini.course, "what is a short circuit").reply

    assert reply.text == fake_llm["reply"] and reply.meta["llm"] is True
    assert fake_llm["requests"][0]["body"]["model"] == "tiny"
    assert fake_llm["requests"][0]["auth"] == "Bearer k"


def test_a_rewording_that_leaks_an_answer_is_not_sent(mini, student, settings, fake_llm):
    settings.ASSISTANT = {"LLM_URL": fake_llm["url"]}
    PracticeSession.objects.create(student=student, course=mini.course, current_exercise=mini.two_cells)
    fake_llm["reply"] = "Voltage adds up: two cells give 3 V."

    reply = services.turn_ask(student, mini.course, "what is voltage").reply

    assert "3 V" not in reply.text and "llm" not in reply.meta


def test_a_backend_that_is_down_falls_back_to_the_retrieved_reply(mini, student, settings):
    settings.ASSISTANT = {"LLM_URL": "http://127.0.0.1:9/v1", "LLM_TIMEOUT_SECONDS": 2}

    reply = services.turn_ask(student, mini.course, "what is voltage").reply

    assert reply.kind == "answer" and "llm" not in reply.meta
