"""Which instance of a deployment the client talks to, and when it moves to another.

A deployment is one or more base URLs of `supportdesk serve` processes on one database (or one
load-balancer URL). The client stays on one instance while it answers, so the event stream and
the requests see the same server; an instance that fails at the transport level (refused, reset,
timed out) cools down for a few seconds and the client moves to the next one. A cooled-down
instance is tried again later, so a restarted server is used again without restarting the app.

Pure logic with an injectable clock: no I/O, no httpx, so the policy is tested on its own.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

DEFAULT_COOLDOWN = 10.0
_URL_RE = re.compile(r"^https?://[^\s/,]+")
_API_PATH = "/api/v1"  # the client's API_PREFIX (api/client.py imports this module)


def base_url(url: str) -> str:
    """`url` as a base URL: without trailing slashes, nor a trailing /api/v1 (an address copied
    from the API documentation or a browser names the API, not the server)."""
    url = url.strip().rstrip("/")
    if url.endswith(_API_PATH) and _URL_RE.match(url[: -len(_API_PATH)]):
        url = url[: -len(_API_PATH)].rstrip("/")
    return url


class ServerListError(ValueError):
    """A server address that cannot be used; the message says what to do."""


def check_server_url(url: str) -> str | None:
    """Why `url` cannot be a base URL, or None when it can."""
    if not _URL_RE.match(url):
        return f"the server address {url!r} must start with http:// or https://"
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        return f"the server address {url!r} must not carry a ?query or #fragment"
    return None


def parse_server_list(values: str | Iterable[str]) -> tuple[str, ...]:
    """Base URLs from `"http://a,http://b"` or several such strings (repeated `--server`).

    Blank entries are skipped, each is made a `base_url` (trailing slashes and /api/v1 dropped),
    duplicates kept once (first place); an empty result or an invalid URL raises `ServerListError`.
    """
    raw = [values] if isinstance(values, str) else list(values)
    urls: list[str] = []
    for value in raw:
        for part in value.split(","):
            url = base_url(part)
            if not url:
                continue
            problem = check_server_url(url)
            if problem:
                raise ServerListError(
                    problem + ". Separate several instances of one deployment with commas: "
                    "--server http://desk-a:8765,http://desk-b:8765")
            if url not in urls:
                urls.append(url)
    if not urls:
        raise ServerListError("no server address given; pass --server URL (several: URL1,URL2)")
    return tuple(urls)


def same_deployment(first: Iterable[str], second: Iterable[str]) -> bool:
    """Whether two server lists name the same deployment: they share an instance."""
    return bool({base_url(url) for url in first} & {base_url(url) for url in second})


class Instances:
    """The instances of one deployment, the one in use, and which are cooling down."""

    def __init__(self, urls: Iterable[str], *, cooldown: float = DEFAULT_COOLDOWN,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.urls: tuple[str, ...] = tuple(base_url(url) for url in urls)
        if not self.urls:
            raise ServerListError("no server address given")
        self.cooldown = cooldown
        self._clock = clock
        self._current = 0
        self._down_until: dict[str, float] = {}

    @property
    def current(self) -> str:
        return self.urls[self._current]

    @property
    def identity(self) -> str:
        """The deployment's name for local state (drafts, outbox, stored login): its first URL."""
        return self.urls[0]

    @property
    def several(self) -> bool:
        return len(self.urls) > 1

    def cooling(self, url: str) -> bool:
        until = self._down_until.get(url)
        if until is None:
            return False
        if self._clock() >= until:
            del self._down_until[url]  # cooled down: worth another try
            return False
        return True

    def failed(self, url: str) -> str:
        """`url` did not answer: cool it down and, if it was in use, move on. Returns the
        instance now in use (the same one when there is no other)."""
        self._down_until[url] = self._clock() + self.cooldown
        if url == self.current and self.several:
            self._current = self.urls.index(self._pick_after(url))
        return self.current

    def succeeded(self, url: str) -> None:
        self._down_until.pop(url, None)

    def alternative(self, tried: Iterable[str]) -> str | None:
        """The instance to resend to after a failure: the one in use if not yet tried, else a
        healthy untried one; None when every other instance was tried or is cooling down."""
        done = set(tried)
        if self.current not in done and not self.cooling(self.current):
            return self.current
        for url in self._ring_after(self.current):
            if url not in done and not self.cooling(url):
                self._current = self.urls.index(url)
                return url
        return None

    def _ring_after(self, url: str) -> list[str]:
        start = self.urls.index(url)
        return [self.urls[(start + step) % len(self.urls)] for step in range(1, len(self.urls))]

    def _pick_after(self, url: str) -> str:
        others = self._ring_after(url)
        for candidate in others:
            if not self.cooling(candidate):
                return candidate
        # Every other instance is cooling down too: the one back soonest is the best bet.
        return min(others, key=lambda candidate: self._down_until.get(candidate, 0.0))
