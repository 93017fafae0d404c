"""`supportdesk web` in a real browser: headless Chromium (Debian's package) driven by Playwright.

The agent signs in on the app's sign-in screen, opens a ticket, sends a reply; the reply is read
back from the server. Every request the page makes must stay on this machine (no fonts or
scripts from a CDN). The terminal's text is read from the websocket frames the app sends.
"""

from __future__ import annotations

import codecs
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from e2e_helpers import create_customer_ticket, server_messages

from supportdesk_tui.web.serve import LISTENING_PREFIX
from waiting import poll_until

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# A screenshot for the README when asked for:
# SUPPORTDESK_BROWSER_SCREENSHOT=docs/screenshots/browser.png.
SCREENSHOT_ENV = "SUPPORTDESK_BROWSER_SCREENSHOT"
START_TIMEOUT = 60.0
# Escape sequences of the terminal stream: CSI (cursor moves, colours), OSC, and two-byte ones.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing on CI: `make test` installs Debian's chromium package")
    pytest.skip(f"{CHROMIUM} not installed (Debian's chromium package; `make test` installs it as root)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class WebDesk:
    url: str
    home: Path  # SUPPORTDESK_HOME of the server and of every browser session it starts


@pytest.fixture
def web_desk(workday_server: Any, tmp_path: Path) -> Iterator[WebDesk]:
    """`supportdesk web` on a free loopback port, pointed at the workday server."""
    _chromium_or_skip()
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUPPORTDESK_")}
    # SUPPORTDESK_TOKEN is set on purpose: a browser session must not sign in with it.
    env.update(SUPPORTDESK_HOME=str(tmp_path / "home"), SUPPORTDESK_NO_KEYRING="1", PYTHONUNBUFFERED="1",
               SUPPORTDESK_TOKEN=workday_server.token("boris"))
    log_path = tmp_path / "web.log"
    log = log_path.open("w")
    # Output to a file, not a pipe nobody reads after the first line: textual-serve passes each
    # session's stderr on to its own stdout, and a full pipe would stop the server.
    process = subprocess.Popen(
        [sys.executable, "-m", "supportdesk_tui", "web", "--port", str(port), "--server", workday_server.url,
         "--lang", "en"],
        stdout=log, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)

    def listening() -> str:
        return next((line for line in log_path.read_text().splitlines()
                     if line.startswith(LISTENING_PREFIX)), "")

    try:
        assert poll_until(lambda: bool(listening()) or process.poll() is not None, timeout=START_TIMEOUT)
        assert listening(), log_path.read_text()
        yield WebDesk(url=listening().split()[4], home=tmp_path / "home")
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class TerminalText:
    """What the app drew in the browser, as text: the websocket's frames without escape sequences."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._raw = ""
        self.websockets = 0
        self.closed = 0

    def watch(self, websocket: Any) -> None:
        self.websockets += 1
        websocket.on("framereceived", self._received)
        websocket.on("close", lambda _ws: setattr(self, "closed", self.closed + 1))

    def _received(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            self._raw += self._decoder.decode(payload)

    @property
    def text(self) -> str:
        return _ESCAPES.sub("", self._raw)

    def mark(self) -> int:
        return len(self.text)


def wait_for(page: Any, condition: Callable[[], object], what: str, screen: TerminalText,
             timeout: float = 30.0) -> None:
    """Poll `condition` while Playwright keeps delivering the page's events."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; the screen ends: {screen.text[-800:]!r}")
        page.wait_for_timeout(50)


def test_agent_signs_in_from_a_browser_and_replies_to_a_ticket(workday_server: Any,
                                                                web_desk: WebDesk) -> None:
    from playwright.sync_api import sync_playwright  # lazy: the test is skipped without chromium

    ticket = create_customer_ticket(workday_server, language="en", category="access",
                                    subject=f"Cannot log in {uuid.uuid4().hex[:6]}", body="Help please")
    reply = f"Reset link sent {uuid.uuid4().hex[:8]}"
    outside: list[str] = []
    screen = TerminalText()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 900})

            def only_loopback(route: Any) -> None:
                host = urlsplit(route.request.url).hostname or ""
                if host in LOOPBACK:
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", only_loopback)
            page.on("websocket", screen.watch)
            page.goto(web_desk.url)

            wait_for(page, lambda: "Sign in to SupportDesk" in screen.text, "the sign-in screen", screen)
            assert workday_server.url in screen.text  # the address is filled in; the token is not
            page.locator("#terminal").click()
            page.keyboard.type(workday_server.token("anna"))
            page.keyboard.press("Enter")
            wait_for(page, lambda: "Next for me" in screen.text, "the queue", screen)

            mark = screen.mark()
            page.keyboard.press("Control+p")
            page.keyboard.type(f"#{ticket['id']}")
            command = f"ticket: open #{ticket['id']}"
            wait_for(page, lambda: command in screen.text[mark:], "the palette's command", screen)
            page.keyboard.press("Enter")
            wait_for(page, lambda: f"#{ticket['id']} {ticket['subject']}" in screen.text[mark:]
                     and "Help please" in screen.text[mark:], "the ticket", screen)

            mark = screen.mark()
            page.keyboard.press("r")
            # The browser's keys for "send + solved" and "reply/note" (^r, ^t) are the web keymap's.
            wait_for(page, lambda: "alt+s send+solved" in screen.text[mark:], "the composer", screen)
            mark = screen.mark()
            page.keyboard.press("Alt+t")
            wait_for(page, lambda: "Internal note" in screen.text[mark:], "the note composer (alt+t)", screen)
            mark = screen.mark()
            page.keyboard.press("Alt+t")
            wait_for(page, lambda: "Reply to customer" in screen.text[mark:], "the reply composer", screen)
            page.keyboard.type(reply)
            mark = screen.mark()
            page.keyboard.press("Control+s")
            wait_for(page, lambda: any(message["body"] == reply
                                       for message in server_messages(workday_server, ticket["id"])),
                     "the reply on the server", screen)
            wait_for(page, lambda: "Reply sent" in screen.text[mark:], "the reply in the thread", screen)

            if os.environ.get(SCREENSHOT_ENV):
                page.screenshot(path=os.environ[SCREENSHOT_ENV])

            # Another language in place: the same connection, the same app, now in Russian.
            mark = screen.mark()
            page.keyboard.press("Control+p")
            page.keyboard.type("Русский")
            wait_for(page, lambda: "language: Русский" in screen.text[mark:], "the language command", screen)
            page.keyboard.press("Enter")
            wait_for(page, lambda: "Ответ клиенту" in screen.text[mark:], "the app in Russian", screen)
            assert screen.websockets == 1

            assert screen.closed == 0
        finally:
            browser.close()
    assert not outside, f"the page asked hosts other than this machine: {outside}"
    sent = next(message for message in server_messages(workday_server, ticket["id"])
                if message["body"] == reply)
    assert sent["author"]["name"] == "Anna Petrova"  # the token typed in the browser, not the server's own
    # The token typed in the browser stayed in that session's memory: no file of the home holds it.
    token = workday_server.token("anna").encode()
    assert not [path for path in web_desk.home.rglob("*") if path.is_file() and token in path.read_bytes()]


def test_a_taken_port_is_one_sentence_not_a_traceback(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUPPORTDESK_")}
    env.update(SUPPORTDESK_HOME=str(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = subprocess.run([sys.executable, "-m", "supportdesk_tui", "web", "--port",
                                 str(taken.getsockname()[1])], capture_output=True, text=True, env=env,
                                timeout=60)
    assert result.returncode == 2
    assert "cannot listen on 127.0.0.1:" in result.stderr and "Traceback" not in result.stderr
    assert "SupportDesk in a browser" not in result.stdout
