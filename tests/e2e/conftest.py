"""A real browser: Debian's chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the live server's database
# calls happen in its own thread, and the test's own ORM calls are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip(
            "Debian's chromium is not installed (make test installs it as root: apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


# Reports every Content-Security-Policy violation of every page the test opens to the test:
# Playwright's init scripts run before the page's own and are not subject to its policy.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__reportCspViolation(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} on ${e.documentURI}` +
    (e.sourceFile ? ` (${e.sourceFile}:${e.lineNumber})` : "")
  );
});
"""


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    violations: list[str] = []
    context.expose_function("__reportCspViolation", lambda text: violations.append(text))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    # The browser also reports a refused script or style on the console.
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    if violations:
        pytest.fail("The Content-Security-Policy was violated:\n" + "\n".join(dict.fromkeys(violations)))


def login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def logout(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()


# --- the site on daphne (HTTP and WebSocket) and a tiny grader, for pages that need a push ---
@pytest.fixture(scope="session")
def tiny_grader_folder(tmp_path_factory):
    """A tiny grader trained once per session (40 answers, one epoch: seconds). It checks
    the plumbing of grading and its push, not the grades (``tests/modeling/conftest.py``)."""
    from modeling import services
    from modeling.grader.training import TrainConfig, train

    folder = tmp_path_factory.mktemp("tiny-grader") / "model"
    data = tuple(str(path) for path in services.grader_default_data_files())
    config = TrainConfig(
        data=data, max_train=40, max_val=20, epochs=1, max_length=48, batch_size=16, threads=2
    )
    train(config, folder, version="tiny", progress=False, write=lambda _: None)
    return folder


@pytest.fixture
def asgi_site(transactional_db):
    """The project's ASGI application (HTTP with static files, and the WebSocket) on daphne
    in a thread of this process, for one test: it shares the test database, the in-memory
    channel layer and the embedded default's grading thread. (One server for the whole
    session would keep its threads' database connections across tests; on SQLite's shared
    in-memory database one of them can hold a table lock the next test's grader waits on.)"""
    import threading
    import time

    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from daphne.server import Server  # installs Twisted's asyncio reactor: import it first
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.asgi import get_asgi_application
    from twisted.internet import reactor

    from tutor.routing import websocket_urlpatterns

    application = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(get_asgi_application()),
            "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
        }
    )
    server = Server(
        application=application,
        endpoints=["tcp:port=0:interface=127.0.0.1"],
        signal_handlers=False,
        verbosity=0,
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.listening_addresses:
            break
        time.sleep(0.05)
    host, port = server.listening_addresses[0]
    yield f"http://{host}:{port}"
    reactor.callFromThread(reactor.stop)
    thread.join(timeout=10)
    if thread.is_alive():  # the reactor did not stop its asyncio loop: stop the loop itself
        reactor._asyncioEventloop.call_soon_threadsafe(reactor._asyncioEventloop.stop)
        thread.join(timeout=10)
    # Twisted's reactor refuses to run twice in one process; the next browser test serves the
    # site on daphne again, so it is left as if never started.
    reactor._startedBefore = False
    reactor._started = False
    reactor._stopped = False
