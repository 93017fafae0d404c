"""One load-generator process of the team benchmark: many simulated agents on one asyncio loop.

`python -m bench.team_agent CONFIG.json` loads its agents, prints `ready`, reads one schedule
line (JSON, absolute `time.monotonic()` instants) from stdin and runs. When every agent has
finished acting it prints `idle` and reads a second line, `{"stop_at": t}`: the event streams stay
open until then, so writes still in flight in other processes reach them. Then it prints one JSON
line of raw results as the last stdout line. `bench/team_load.py` starts several of these and
merges them.

Each agent is what one support agent's app does to the server: one event stream held open
(`GET /api/v1/events`, reconnecting with Last-Event-ID if dropped) and one keep-alive request
connection, acting at a human pace. Times are `time.monotonic()`: CLOCK_MONOTONIC is one clock
for the whole Linux system, so a POST answered in one process and the event seen in another
can be subtracted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from bench.raw_http import Connection, HttpError, Response

API = "/api/v1"
ACTIONS = ("browse", "open", "reply")
REPLY_TEXTS = (
    "Здравствуйте! Проверили ваш аккаунт, доступ восстановлен. Если что-то ещё не так — напишите нам.",
    "Hello! We checked your account and access is restored. Write back if anything still looks wrong.",
)
NOTE_TEXTS = (
    "Внутренняя заметка: клиент подтвердил почту, жду ответа по второму фактору.",
    "Internal note: customer confirmed the e-mail, waiting on the second factor.",
)


@dataclass(frozen=True)
class AgentSpec:
    index: int
    token: str
    queues: tuple[str, ...]
    login_offset: float  # seconds after the ramp starts


@dataclass(frozen=True)
class Plan:
    url: str
    mode: str  # "team" (human pace) or "baseline" (one agent, back to back)
    agents: tuple[AgentSpec, ...]
    think: tuple[float, float]
    mix: tuple[float, float, float]  # browse, open, reply
    note_share: float  # of the writes, how many are internal notes rather than replies
    next_page_share: float  # of the browses, how many follow `links.next` of the last one
    page_size: int
    timeout: float
    seed: int
    baseline_rounds: int
    baseline_gap: float

    @staticmethod
    def load(data: dict[str, Any]) -> Plan:
        agents = tuple(AgentSpec(a["index"], a["token"], tuple(a["queues"]), a["login_offset"])
                       for a in data["agents"])
        think, mix = data["think"], data["mix"]
        return Plan(data["url"], data["mode"], agents, (think[0], think[1]), (mix[0], mix[1], mix[2]),
                    data["note_share"], data["next_page_share"], data["page_size"], data["timeout"],
                    data["seed"], data["baseline_rounds"], data["baseline_gap"])


@dataclass(frozen=True)
class Schedule:
    ramp_start: float
    window_start: float
    window_end: float


@dataclass
class Results:
    """Raw samples; team_load merges the processes and summarizes."""

    latency: dict[str, list[float]] = field(default_factory=dict)  # kind -> seconds (2xx only)
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> outcome -> count
    login: list[float] = field(default_factory=list)  # stream + first page, during the ramp
    posts: list[tuple[int, str, float, float]] = field(default_factory=list)  # msg id, queue, sent, answered
    streams: list[dict[str, Any]] = field(default_factory=list)
    reconnects: int = 0  # request connections opened again (the server closes one idle for 5 s)

    def count(self, kind: str, outcome: str) -> None:
        per_kind = self.outcomes.setdefault(kind, {})
        per_kind[outcome] = per_kind.get(outcome, 0) + 1

    def sample(self, kind: str, seconds: float) -> None:
        self.latency.setdefault(kind, []).append(seconds)


class Stream:
    """One agent's event stream: the first-arrival time of every `message.created` it carries."""

    def __init__(self, conn: Connection, token: str) -> None:
        self.conn = conn
        self.token = token
        self.connected_at: float | None = None
        self.connected = asyncio.Event()
        self.received: dict[int, float] = {}
        self.drops = 0
        self.errors: dict[str, int] = {}
        self.last_id: str | None = None

    async def run(self) -> None:
        while True:  # until cancelled
            headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
            if self.last_id is not None:
                headers["Last-Event-ID"] = self.last_id
            try:
                status, chunks = await self.conn.stream(f"{API}/events", headers)
                if status != 200:
                    self._error(f"http_{status}")
                else:
                    await self._consume(chunks)
                    self._error("ended_by_server")
            except (OSError, HttpError, asyncio.IncompleteReadError, ValueError) as exc:
                self._error(type(exc).__name__)
            self.drops += 1
            await asyncio.sleep(0.5)  # then resume from Last-Event-ID, as the app does

    async def _consume(self, chunks: AsyncIterator[bytes]) -> None:
        buffer = b""
        async for chunk in chunks:
            now = time.monotonic()
            buffer += chunk
            *blocks, buffer = buffer.split(b"\n\n")
            for block in blocks:
                self._event(block, now)

    def _event(self, block: bytes, now: float) -> None:
        # A fresh stream's first block may carry its starting `id:` before the comment.
        if self.connected_at is None and b": connected" in block.split(b"\n"):
            self.connected_at = now
            self.connected.set()
        if block.startswith(b":"):
            return
        kind = b""
        data = b""
        for line in block.split(b"\n"):
            name, _, value = line.partition(b":")
            value = value[1:] if value.startswith(b" ") else value
            if name == b"id":
                self.last_id = value.decode("ascii")
            elif name == b"event":
                kind = value
            elif name == b"data":
                data = value
        if kind == b"message.created":
            message_id = int(json.loads(data)["message"]["id"])
            self.received.setdefault(message_id, now)

    def _error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def report(self, spec: AgentSpec) -> dict[str, Any]:
        return {"index": spec.index, "queues": list(spec.queues), "connected_at": self.connected_at,
                "drops": self.drops, "errors": self.errors,
                "received": [[k, v] for k, v in self.received.items()]}


class Agent:
    def __init__(self, spec: AgentSpec, plan: Plan, schedule: Schedule, results: Results,
                 stop_at: asyncio.Future[float]) -> None:
        self.spec = spec
        self.plan = plan
        self.schedule = schedule
        self.results = results
        self.stop_at = stop_at
        self.acting = asyncio.Event()  # set when this agent has stopped acting
        self.rng = random.Random(plan.seed * 100_003 + spec.index)
        parts = urlsplit(plan.url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn = Connection(host, port)
        self.stream = Stream(Connection(host, port), spec.token)
        self.auth = {"Authorization": f"Bearer {spec.token}"}
        self.page: list[int] = []
        self.next_link: str | None = None
        self.opened: tuple[int, int | None] | None = None  # ticket id, newest message id seen

    # --- one request, timed and classified -------------------------------------------------
    async def call(self, kind: str, counted: bool, method: str, path: str,
                   headers: dict[str, str] | None = None, body: bytes = b"") -> Response | None:
        started = time.monotonic()
        outcome = "ok"
        response: Response | None = None
        try:
            async with asyncio.timeout(self.plan.timeout):
                response = await self.conn.request(method, path, {**self.auth, **(headers or {})}, body)
        except TimeoutError:
            outcome = "timeout"
            self.conn.close()
        except (OSError, HttpError, asyncio.IncompleteReadError, ValueError) as exc:
            outcome = f"connection_error:{type(exc).__name__}"
            self.conn.close()
        elapsed = time.monotonic() - started
        if response is not None and not 200 <= response.status < 300:
            # 409 new_activity is the contract's answer to a reply that raced another agent's:
            # correct behaviour, counted apart from errors.
            conflict = response.status == 409 and b"new_activity" in response.body
            outcome = "conflict_new_activity" if conflict else f"http_{response.status}"
        if counted:
            self.results.count(kind, outcome)
            if outcome == "ok":
                self.results.sample(kind, elapsed)
        else:
            self.results.count("warmup", outcome)
        return response if outcome == "ok" else None

    # --- the three things an agent does ----------------------------------------------------
    async def browse(self, counted: bool) -> None:
        if self.next_link and self.rng.random() < self.plan.next_page_share:
            path = self.next_link
        else:
            queue = self.rng.choice(self.spec.queues)
            path = f"{API}/tickets?queue={quote(queue)}&page%5Bsize%5D={self.plan.page_size}"
        response = await self.call("browse", counted, "GET", path)
        if response is not None:
            page = json.loads(response.body)
            ids = [int(t["id"]) for t in page["data"]]
            if ids:
                self.page = ids
            self.next_link = page["links"]["next"]

    async def open(self, counted: bool) -> None:
        if not self.page:
            await self.browse(counted)
            if not self.page:
                return
        ticket_id = self.rng.choice(self.page)
        started = time.monotonic()
        ticket = await self.call("open_ticket", counted, "GET", f"{API}/tickets/{ticket_id}")
        messages = await self.call("open_messages", counted, "GET",
                                   f"{API}/tickets/{ticket_id}/messages?order=desc&page%5Bsize%5D=50")
        if ticket is None or messages is None:
            return
        if counted:
            self.results.sample("open", time.monotonic() - started)
        data = json.loads(messages.body)["data"]
        self.opened = (ticket_id, int(data[0]["id"]) if data else None)

    async def reply(self, counted: bool) -> None:
        if self.opened is None:  # nothing open yet (or a failed send): open one first, as a person would
            await self.open(counted)
            if self.opened is None:
                return
        ticket_id, seen = self.opened
        kind = "note" if self.rng.random() < self.plan.note_share else "reply"
        texts = NOTE_TEXTS if kind == "note" else REPLY_TEXTS
        payload: dict[str, Any] = {"kind": kind, "body": self.rng.choice(texts)}
        if seen is not None:
            payload["seen_up_to"] = seen
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        sent = time.monotonic()
        response = await self.call("reply", counted, "POST", f"{API}/tickets/{ticket_id}/messages", headers,
                                   json.dumps(payload).encode())
        answered = time.monotonic()
        if response is None:
            self.opened = None  # reload before trying again, as the app does after a 409
            return
        posted = json.loads(response.body)
        message_id = int(posted["message"]["id"])
        if counted:
            self.results.posts.append((message_id, str(posted["ticket"]["queue"]), sent, answered))
        self.opened = (ticket_id, message_id)

    # --- a working session ----------------------------------------------------------------------
    async def log_in(self) -> bool:
        """The morning log-in: open the event stream, then the first page of the queue."""
        started = time.monotonic()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.plan.timeout):
                await self.stream.connected.wait()
        if not self.stream.connected.is_set():
            self.results.count("login", "stream_not_connected")
            return False
        await self.browse(counted=False)
        if not self.page:
            self.results.count("login", "no_first_page")
            return False
        self.results.count("login", "ok")
        self.results.login.append(time.monotonic() - started)
        return True

    async def work(self) -> None:
        """Think, act, repeat; only actions that start inside the window are counted."""
        actions: dict[str, Callable[[bool], Awaitable[None]]] = {
            "browse": self.browse, "open": self.open, "reply": self.reply}
        while True:
            think = self.rng.uniform(*self.plan.think)
            if time.monotonic() + think >= self.schedule.window_end:
                return
            await asyncio.sleep(think)
            action = self.rng.choices(ACTIONS, weights=self.plan.mix)[0]
            counted = time.monotonic() >= self.schedule.window_start
            await actions[action](counted)

    async def baseline(self) -> None:
        """An idle server: reads back to back (with a short gap), and a note every fourth round."""
        for round_number in range(self.plan.baseline_rounds):
            await self.browse(counted=True)
            await asyncio.sleep(self.plan.baseline_gap)
            await self.open(counted=True)
            await asyncio.sleep(self.plan.baseline_gap)
            if round_number % 4 == 3:
                await self.reply(counted=True)
                await asyncio.sleep(self.plan.baseline_gap)

    async def run(self) -> None:
        await _sleep_until(self.schedule.ramp_start + self.spec.login_offset)
        stream_task = asyncio.create_task(self.stream.run())
        try:
            try:
                if await self.log_in():
                    await (self.baseline() if self.plan.mode == "baseline" else self.work())
            finally:
                self.acting.set()
            await _sleep_until(await self.stop_at)
        finally:
            stream_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stream_task
            self.conn.close()
            self.stream.conn.close()
            self.results.reconnects += max(0, self.conn.connects - 1)
            self.results.streams.append(self.stream.report(self.spec))


async def _sleep_until(instant: float) -> None:
    delay = instant - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


async def run(plan: Plan, schedule: Schedule) -> Results:
    results = Results()
    stop_at: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    agents = [Agent(spec, plan, schedule, results, stop_at) for spec in plan.agents]
    running = asyncio.gather(*(agent.run() for agent in agents))
    await asyncio.gather(*(agent.acting.wait() for agent in agents))
    print("idle", flush=True)
    line = await asyncio.to_thread(sys.stdin.readline)
    stop_at.set_result(float(json.loads(line)["stop_at"]) if line.strip() else time.monotonic())
    await running
    return results


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as config:
        plan = Plan.load(json.load(config))
    print("ready", flush=True)
    line = sys.stdin.readline()
    raw = json.loads(line)
    schedule = Schedule(raw["ramp_start"], raw["window_start"], raw["window_end"])
    results = asyncio.run(run(plan, schedule))
    print(json.dumps({"latency": results.latency, "outcomes": results.outcomes, "login": results.login,
                      "posts": results.posts, "streams": results.streams,
                      "reconnects": results.reconnects}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
