"""The sign-in requests, sent at launch from a thread while the app is still importing.

A start waits for the sign-in's answers after Textual has loaded: who am I and my queues. The
server can answer them while the app imports (another process, another core), so
`SignInPrefetch` sends the same GETs from a thread with the standard library's
plain HTTP client as soon as the server and token are known, and keeps the raw answers — status,
headers, body — for the API client. The client takes an answer in place of sending that request,
then reads it exactly as it reads its own (`SupportDeskClient._send_once`): same status handling,
same contract validation, same errors.

What keeps this honest:
- Only for the server and token it was sent with: a client for any other URL list or token never
  sees the answers (`answers_for`).
- Only plain `http://`: an `https://` server is never asked this way, so certificate checks stay
  the API client's alone.
- Each answer is used once, and only while fresh (`FRESH_FOR_SECONDS`); a request that failed on
  the way (refused, timed out) leaves no answer, and the client sends that request itself.
- Standard library only, no Textual, no httpx: it runs before either is imported.

A first start (nothing cached to paint) also reads the queue's first rows this way, but only for
the pre-paint (`first_page`, first_start.py): that answer is never handed to the client, so the
app's queue still reads its own page once the event stream is up.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import http.client
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

# Must match the API client's (api/client.py): the server sees the same request either way.
API_PREFIX = "/api/v1"
USER_AGENT = "supportdesk-tui/0.1"
REQUEST_ID_HEADER = "X-Request-Id"
# An answer older than this is not shown as the sign-in's: the client asks again.
FRESH_FOR_SECONDS = 10.0
_SWITCH_INTERVAL_WHILE_FETCHING = 0.0005
# What the fetch gives back when it is done: the interpreter's own, not whatever another fetch
# (the start's, first_start.py, still on its way) has lowered it to.
_SWITCH_INTERVAL = sys.getswitchinterval()
# The pre-paint's rows are a screenful of tickets (≈ 1 KiB each); a bigger answer is not painted.
MAX_FIRST_PAGE_BYTES = 512 * 1024

RequestKey = tuple[str, str, frozenset[tuple[str, str]]]


def request_key(instance: str, path: str, params: Mapping[str, str] | None) -> RequestKey:
    """A GET as the client would send it: instance, path below the API prefix, query parameters."""
    return instance.rstrip("/"), path, frozenset((params or {}).items())


@dataclass(frozen=True)
class PrefetchedAnswer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    received_at: float  # time.monotonic()
    request_id: str  # as the server logged it


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class SignInPrefetch:
    """GETs sent at launch; `answers_for` hands their answers to the client of the same sign-in."""

    instances: tuple[str, ...]
    token_digest: str = field(repr=False)
    clock: Callable[[], float] = time.monotonic
    _answers: dict[RequestKey, concurrent.futures.Future[PrefetchedAnswer | None]] = field(
        default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _taken: set[str] = field(default_factory=set, repr=False)
    # The pre-paint's rows (never one of `_answers`: the client does not take them).
    _first_page: concurrent.futures.Future[PrefetchedAnswer | None] | None = field(default=None, repr=False)

    @classmethod
    def start(cls, instances: Sequence[str], token: str, *, timeout: float = 10.0,
              clock: Callable[[], float] = time.monotonic,
              first_page: Mapping[str, str] | None = None) -> SignInPrefetch | None:
        """Send `/me` and `/queues` from a thread; None when this sign-in is not prefetched.

        Not the queue's first page for the app: read before the event stream starts, it could miss
        a change made in between, and reading it again once the stream is live would show the
        agent a second load a moment after the first (the page waits for the stream, as it always
        has). `first_page`: the query of the rows a first start paints before Textual loads
        (`first_page_answer`), read between the two, for that paint only."""
        if not instances or not token or not instances[0].startswith("http://"):
            return None
        prefetch = cls(tuple(url.rstrip("/") for url in instances), _token_digest(token), clock)
        instance = prefetch.instances[0]
        for path in ("/me", "/queues"):
            prefetch._answers[request_key(instance, path, None)] = concurrent.futures.Future()
        if first_page is not None:
            prefetch._first_page = concurrent.futures.Future()
        thread = threading.Thread(target=prefetch._fetch, name="sign-in-prefetch", daemon=True,
                                  args=(instance, token, timeout, _SWITCH_INTERVAL,
                                        dict(first_page or {})))
        # The main thread imports all the while, holding the interpreter lock; this thread needs
        # it back after every wait on the network, and by default waits 5 ms for it each time.
        sys.setswitchinterval(_SWITCH_INTERVAL_WHILE_FETCHING)
        thread.start()
        return prefetch

    def answers_for(self, instances: Sequence[str], token: str | None) -> SignInPrefetch | None:
        """This prefetch, if it was sent for exactly this deployment and token; else None."""
        if token is None or tuple(url.rstrip("/") for url in instances) != self.instances:
            return None
        return self if _token_digest(token) == self.token_digest else None

    async def take(self, instance: str, path: str, params: Mapping[str, str] | None,
                   wait: float) -> PrefetchedAnswer | None:
        """The answer to this GET, once; waits (at most `wait` s) if it is still on its way."""
        import asyncio  # lazy: this module loads before the event loop's machinery is needed

        with self._lock:
            future = self._answers.pop(request_key(instance, path, params), None)
        if future is None:
            return None
        if future.done():
            answer = future.result()  # at once: no turn of the event loop for an answer already here
        else:
            try:
                answer = await asyncio.wait_for(asyncio.wrap_future(future), wait)
            except TimeoutError:
                return None
        if answer is None or self.clock() - answer.received_at > FRESH_FOR_SECONDS:
            return None
        with self._lock:
            self._taken.add(path)
        return answer

    def peek(self, path: str, wait: float) -> PrefetchedAnswer | None:
        """The answer to `/me` or `/queues` without taking it (the client still will); waits at
        most `wait` s. For the first start's pre-paint, which runs before any event loop."""
        with self._lock:
            future = self._answers.get(request_key(self.instances[0], path, None))
        return _result_within(future, wait)

    def first_page_answer(self, wait: float) -> PrefetchedAnswer | None:
        """The pre-paint's rows (`start(first_page=…)`), waiting at most `wait` s; None if not asked,
        failed, too big, or not here in time."""
        return _result_within(self._first_page, wait)

    def on_first_page(self, callback: Callable[[PrefetchedAnswer | None], None]) -> None:
        """Call `callback` with the pre-paint's rows (None: failed, too big) once they are read: at
        once if they are, else from the launch thread. Never called if the rows were not asked for."""
        if self._first_page is not None:
            self._first_page.add_done_callback(lambda future: callback(future.result()))

    def settle(self) -> None:
        """The live stream is up: answers nobody took are dropped (they predate it)."""
        with self._lock:
            self._answers.clear()

    @classmethod
    def answered(cls, instances: Sequence[str], token: str,
                 answers: Mapping[tuple[str, frozenset[tuple[str, str]]], PrefetchedAnswer], *,
                 clock: Callable[[], float] = time.monotonic,
                 first_page: PrefetchedAnswer | None = None) -> SignInPrefetch:
        """Answers as if sent at launch, keyed by (path, params), and the pre-paint's rows: for
        tests of what the client and the pre-paint make of them."""
        prefetch = cls(tuple(url.rstrip("/") for url in instances), _token_digest(token), clock=clock)
        for (path, params), answer in answers.items():
            future: concurrent.futures.Future[PrefetchedAnswer | None] = concurrent.futures.Future()
            future.set_result(answer)
            prefetch._answers[request_key(prefetch.instances[0], path, dict(params))] = future
        if first_page is not None:
            prefetch._first_page = concurrent.futures.Future()
            prefetch._first_page.set_result(first_page)
        return prefetch

    @property
    def used(self) -> set[str]:
        """The paths whose answers stood in for the client's request."""
        with self._lock:
            return set(self._taken)

    def untaken(self) -> list[RequestKey]:
        """The requests whose answers nobody took (yet)."""
        with self._lock:
            return list(self._answers)

    def _fetch(self, instance: str, token: str, timeout: float, switch_interval: float,
               first_page: Mapping[str, str]) -> None:
        parts = urlsplit(instance)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=timeout)
        base_path = parts.path.rstrip("/")
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT, "Authorization": f"Bearer {token}"}
        with self._lock:
            # `/me` and `/queues` take no query. The pre-paint's rows go after `/me` (the paint
            # needs both) and before `/queues` (the app needs it only once it has imported).
            wanted = [(path, "", future) for (_, path, _no_params), future in self._answers.items()]
        if self._first_page is not None:
            wanted.insert(1, ("/tickets", "?" + urlencode(first_page), self._first_page))
        try:
            for path, query, future in wanted:
                request_id = uuid.uuid4().hex
                limit = MAX_FIRST_PAGE_BYTES if future is self._first_page else None
                try:
                    connection.request("GET", base_path + API_PREFIX + path + query,
                                       headers={**headers, REQUEST_ID_HEADER: request_id})
                    response = connection.getresponse()
                    body = response.read() if limit is None else response.read(limit + 1)
                    answer = PrefetchedAnswer(response.status, tuple(response.getheaders()), body,
                                              self.clock(), request_id)
                except (OSError, http.client.HTTPException):
                    future.set_result(None)  # the client sends it itself, and meets the failure itself
                    connection.close()
                    continue
                if limit is not None and len(body) > limit:
                    future.set_result(None)
                    connection.close()  # the rest of that answer is still on the way: a new connection
                    continue
                future.set_result(answer)
        finally:
            sys.setswitchinterval(switch_interval)
            connection.close()
            for _, _, future in wanted:
                if not future.done():
                    future.set_result(None)


def _result_within(future: concurrent.futures.Future[PrefetchedAnswer | None] | None,
                   wait: float) -> PrefetchedAnswer | None:
    if future is None:
        return None
    try:
        return future.result(timeout=max(0.0, wait))
    except concurrent.futures.TimeoutError:
        return None
