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

Several instances (`instances` in the plan, each agent starting on its `first`): an agent stays on
one instance, as the app does, and moves to the next when that one fails at the transport level
(refused, reset, timed out); a GET is then asked again there once, a write is sent again with the
same Idempotency-Key until it gets an answer, and the stream resumes there with Last-Event-ID.
Every write carries a marker (`[bench <Idempotency-Key>]`) at the end of its body, so the
orchestrator can count in the database how many times each one landed.
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
WRITE_DEADLINE = 60.0  # an outbox keeps a write until it gets an answer; the bench gives up after this
IN_FLIGHT_WAIT_CAP = 5.0  # at most this long between asks while another attempt holds the key
TRANSPORT_ERRORS = (OSError, HttpError, asyncio.IncompleteReadError, ValueError)
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
    first: int  # the instance this agent starts on (index into Plan.instances)


@dataclass(frozen=True)
class Plan:
    instances: tuple[str, ...]  # base URLs of the deployment's instances (one, or several)
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
        agents = tuple(AgentSpec(a["index"], a["token"], tuple(a["queues"]), a["login_offset"],
                                 int(a.get("first", 0))) for a in data["agents"])
        think, mix = data["think"], data["mix"]
        instances = tuple(data.get("instances") or [data["url"]])
        return Plan(instances, data["mode"], agents, (think[0], think[1]), (mix[0], mix[1], mix[2]),
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
    # message id, queue, sent, answered, instance that committed it (-1: unknown)
    posts: list[tuple[int, str, float, float, int]] = field(default_factory=list)
    # every write, counted or not: Idempotency-Key (its body marker), final outcome, counted, attempts
    writes: list[tuple[str, str, bool, int]] = field(default_factory=list)
    streams: list[dict[str, Any]] = field(default_factory=list)
    reconnects: int = 0  # request connections opened again (the server closes one idle for 5 s)
    moves: list[tuple[float, int]] = field(default_factory=list)  # (when, instance left) on a failure

    def count(self, kind: str, outcome: str) -> None:
        per_kind = self.outcomes.setdefault(kind, {})
        per_kind[outcome] = per_kind.get(outcome, 0) + 1

    def sample(self, kind: str, seconds: float) -> None:
        self.latency.setdefault(kind, []).append(seconds)


class Stream:
    """One agent's event stream: the first arrival (time, instance) of every `message.created` it carries."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.conn: Connection | None = None
        self.connected_at: float | None = None
        self.connected = asyncio.Event()
        self.received: dict[int, tuple[float, int]] = {}
        self.drops = 0
        self.errors: dict[str, int] = {}
        self.last_id: str | None = None
        self.top_id = -1  # the highest event id seen: a stream's ids only grow, so a lower one repeats
        self.repeats = 0
        self.connects: list[tuple[float, int]] = []  # (when ": connected" arrived, instance)
        self.drop_log: list[tuple[float, int]] = []  # (when the stream broke, instance)
        self._instance = 0
        self._fresh = False

    async def run(self) -> None:
        while True:  # until cancelled
            self._instance = instance = self.agent.instance
            self.conn = conn = Connection(*self.agent.endpoint(instance))
            headers = {"Authorization": f"Bearer {self.agent.spec.token}", "Accept": "text/event-stream"}
            if self.last_id is not None:
                headers["Last-Event-ID"] = self.last_id
            opened = False
            try:
                self._fresh = True
                status, chunks = await conn.stream(f"{API}/events", headers)
                opened = True
                if status != 200:
                    self._error(f"http_{status}")
                else:
                    await self._consume(chunks)
                    self._error("ended_by_server")
            except TRANSPORT_ERRORS as exc:
                self._error(type(exc).__name__)
            finally:
                conn.close()
            self.drops += 1
            self.drop_log.append((time.monotonic(), instance))
            if not opened:  # refused or reset before an answer: this instance is down, as the app judges
                self.agent.move(instance)
                await asyncio.sleep(0.1)
            else:
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
        if self._fresh:
            self._fresh = False
            self.connects.append((now, self._instance))
            if self.connected_at is None:
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
                with contextlib.suppress(ValueError):
                    event_id = int(self.last_id)
                    if event_id <= self.top_id:
                        self.repeats += 1
                    self.top_id = max(self.top_id, event_id)
            elif name == b"event":
                kind = value
            elif name == b"data":
                data = value
        if kind == b"message.created":
            message_id = int(json.loads(data)["message"]["id"])
            self.received.setdefault(message_id, (now, self._instance))

    def _error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def report(self, spec: AgentSpec) -> dict[str, Any]:
        return {"index": spec.index, "queues": list(spec.queues), "connected_at": self.connected_at,
                "first": spec.first, "drops": self.drops, "errors": self.errors, "repeats": self.repeats,
                "connects": self.connects, "drop_log": self.drop_log,
                "received": [[k, at, instance] for k, (at, instance) in self.received.items()]}


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
        self.instance = spec.first % len(plan.instances)
        self.conn = Connection(*self.endpoint(self.instance))
        self.connects = 0  # of request connections replaced by a move
        self.stream = Stream(self)
        self.auth = {"Authorization": f"Bearer {spec.token}"}
        self.page: list[int] = []
        self.next_link: str | None = None
        self.opened: tuple[int, int | None] | None = None  # ticket id, newest message id seen

    def endpoint(self, instance: int) -> tuple[str, int]:
        parts = urlsplit(self.plan.instances[instance])
        return parts.hostname or "127.0.0.1", parts.port or 80

    def move(self, failed: int) -> bool:
        """`failed` failed at the transport level: go to the next instance (once, whoever noticed)."""
        if len(self.plan.instances) < 2:
            return False
        if self.instance == failed:
            self.instance = (failed + 1) % len(self.plan.instances)
            self.results.moves.append((time.monotonic(), failed))
            self.connects += self.conn.connects
            self.conn.close()
            self.conn = Connection(*self.endpoint(self.instance))
        return True

    # --- one request, timed and classified -------------------------------------------------
    async def exchange(self, method: str, path: str, headers: dict[str, str] | None = None,
                       body: bytes = b"") -> tuple[Response | None, str, int]:
        """(response, outcome, instance asked); a transport failure moves the agent on."""
        instance = self.instance
        conn = self.conn
        outcome = "ok"
        response: Response | None = None
        try:
            async with asyncio.timeout(self.plan.timeout):
                response = await conn.request(method, path, {**self.auth, **(headers or {})}, body)
        except TimeoutError:
            outcome = "timeout"
            conn.close()
        except TRANSPORT_ERRORS as exc:
            outcome = f"connection_error:{type(exc).__name__}"
            conn.close()
        if response is None:
            self.move(instance)
        elif not 200 <= response.status < 300:
            # 409 new_activity is the contract's answer to a reply that raced another agent's:
            # correct behaviour, counted apart from errors.
            conflict = response.status == 409 and b"new_activity" in response.body
            outcome = "conflict_new_activity" if conflict else f"http_{response.status}"
        return response, outcome, instance

    def record(self, kind: str, counted: bool, outcome: str, elapsed: float) -> None:
        if counted:
            self.results.count(kind, outcome)
            if outcome == "ok":
                self.results.sample(kind, elapsed)
        else:
            self.results.count("warmup", outcome)

    async def call(self, kind: str, counted: bool, method: str, path: str,
                   headers: dict[str, str] | None = None, body: bytes = b"") -> Response | None:
        """A GET; after a transport failure that moved the agent, asked once more on the next instance."""
        started = time.monotonic()
        response, outcome, instance = await self.exchange(method, path, headers, body)
        if response is None and self.instance != instance:
            response, outcome, _ = await self.exchange(method, path, headers, body)
        self.record(kind, counted, outcome, time.monotonic() - started)
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

    async def send(self, path: str, payload: bytes, key: str) -> tuple[Response | None, str, int, int]:
        """One write as an outbox sends it: again with the same key, wherever the agent now is, until
        an answer that settles it (or WRITE_DEADLINE). (response, outcome, instance, attempts)."""
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        deadline = time.monotonic() + WRITE_DEADLINE
        attempts = 0
        while True:
            attempts += 1
            response, outcome, instance = await self.exchange("POST", path, headers, payload)
            if response is not None and not (response.status == 409 and b"idempotency_in_flight" in
                                             response.body):
                return response, outcome, instance, attempts
            if time.monotonic() >= deadline:
                return None, "gave_up", instance, attempts
            if response is None:
                await asyncio.sleep(min(0.1 * attempts, 1.0))
            else:  # another attempt (perhaps on a dead instance) holds the key until its lease ends
                retry_after = float(response.headers.get("retry-after", "1") or 1)
                await asyncio.sleep(min(retry_after, IN_FLIGHT_WAIT_CAP))

    async def reply(self, counted: bool) -> None:
        if self.opened is None:  # nothing open yet (or a failed send): open one first, as a person would
            await self.open(counted)
            if self.opened is None:
                return
        ticket_id, seen = self.opened
        kind = "note" if self.rng.random() < self.plan.note_share else "reply"
        texts = NOTE_TEXTS if kind == "note" else REPLY_TEXTS
        key = str(uuid.uuid4())
        payload: dict[str, Any] = {"kind": kind, "body": f"{self.rng.choice(texts)}\n\n[bench {key}]"}
        if seen is not None:
            payload["seen_up_to"] = seen
        sent = time.monotonic()
        response, outcome, instance, attempts = await self.send(
            f"{API}/tickets/{ticket_id}/messages", json.dumps(payload).encode(), key)
        answered = time.monotonic()
        self.record("reply", counted, outcome, answered - sent)
        self.results.writes.append((key, outcome, counted, attempts))
        if response is None or outcome != "ok":
            self.opened = None  # reload before trying again, as the app does after a 409
            return
        posted = json.loads(response.body)
        message_id = int(posted["message"]["id"])
        if counted:
            # Which instance committed a write asked more than once is unknown (a replay answers for another).
            committed = instance if attempts == 1 else -1
            self.results.posts.append((message_id, str(posted["ticket"]["queue"]), sent, answered, committed))
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
            if self.stream.conn is not None:
                self.stream.conn.close()
            self.results.reconnects += max(0, self.connects + self.conn.connects - 1)
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
                      "posts": results.posts, "writes": results.writes, "streams": results.streams,
                      "reconnects": results.reconnects, "moves": results.moves}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
