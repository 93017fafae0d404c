"""A compromised backend: the real reference server behind a proxy that lies about one thing.

Every request is forwarded to the real server (the event stream too, chunk by chunk), except
opening the single ticket `refused` (`GET /api/v1/tickets/<refused>`; any ticket when `None`),
which is refused with an error whose message is hostile. With `hold_events` the event stream
is accepted but stays silent, so the app keeps what it loaded (a stale version, as in a race).
The reference server never writes such a message itself; a malicious or compromised one may
(SECURITY.md's threat model), and the app must show it as inert text.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

SINGLE_TICKET = re.compile(r"^/api/v1/tickets/(\d+)$")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "content-encoding"}


def _handler(upstream: str, message: str, refused: int | None,
             hold_events: threading.Event | None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection; the body ends when it closes

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _forward(self) -> None:
            path = self.path.split("?", 1)[0]
            if hold_events is not None and path == "/api/v1/events":
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(b": held\n\n")
                self.wfile.flush()
                hold_events.wait(120)
                return
            match = SINGLE_TICKET.match(path)
            if self.command == "GET" and match and (refused is None or int(match.group(1)) == refused):
                body = json.dumps({"error": {"code": "forbidden", "message": message}}).encode()
                self.send_response(403)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            length = int(self.headers.get("Content-Length") or 0)
            content = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            with httpx.Client(base_url=upstream, timeout=httpx.Timeout(30, read=None)) as http, \
                    http.stream(self.command, self.path, headers=headers, content=content) as response:
                self.send_response(response.status_code)
                for key, value in response.headers.items():
                    if key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                self.end_headers()
                try:
                    for chunk in response.iter_bytes():
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the app went away (or reconnects): nothing to tell anyone

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

    return Handler


@contextmanager
def hostile_proxy(upstream: str, message: str, *, refused: int | None = None,
                  hold_events: bool = False) -> Iterator[str]:
    """The proxy's base URL while the block runs."""
    release = threading.Event() if hold_events else None
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(upstream, message, refused, release))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        if release is not None:
            release.set()
        server.shutdown()
        server.server_close()
