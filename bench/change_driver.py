"""Commit changes at a steady rate through the real HTTP API, or read the event stream plainly.

Runs in its own process so its requests don't share the measured app's event loop. Every
time is `time.monotonic()` (CLOCK_MONOTONIC, system-wide on Linux), so it can be compared
with times taken in other processes on this machine.

`python -m bench.change_driver drive --url URL --token LEAD --rate R --seconds S --kind KIND
 [--tickets 1,2,3] --out FILE`
  Prepares (reads the tickets' versions, warms the connection), prints `READY`, then starts
  change i at `start + i / R` (a steady schedule, not bursts), a few in flight at most.
  - `assign`: PATCH `assignee_id` of the given tickets in turn, toggling between the caller
    (a lead may assign anyone in any queue) and nobody; `If-Match` from the driver's own
    last answer (it is the only writer). Assigning never moves a row in the default sort.
  - `create`: POST `/tickets` (a new open, unassigned ticket in the `access` queue).
  At the end writes one JSON object per change to FILE: `seq`, `ticket`, `version`,
  `status` (HTTP), `scheduled`, `sent` (just before the request), `answered` (the
  response is in), and prints `DONE`.

`python -m bench.change_driver listen --url URL --token TOKEN --out FILE`
  The baseline: a bare SSE reader (no models, no UI). Prints `READY` once subscribed, records
  `received` per event (`id`, `type`, `ticket`, `version`) until its stdin closes, then
  writes FILE and prints `DONE`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

API = "/api/v1"
MAX_IN_FLIGHT = 8


@dataclass
class Commit:
    seq: int
    ticket: int
    version: int
    status: int
    scheduled: float
    sent: float
    answered: float


def _client(url: str, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {token}"},
                             timeout=httpx.Timeout(30.0),
                             limits=httpx.Limits(max_connections=MAX_IN_FLIGHT,
                                                 max_keepalive_connections=MAX_IN_FLIGHT))


class Assigner:
    """Toggles the assignee of a fixed set of tickets, one request per ticket at a time."""

    def __init__(self, client: httpx.AsyncClient, tickets: list[int]) -> None:
        self.client = client
        self.tickets = tickets
        self.me = 0
        self.versions: dict[int, int] = {}
        self.assigned: dict[int, bool] = {}
        self.locks = {ticket: asyncio.Lock() for ticket in tickets}

    async def prepare(self) -> None:
        me = await self.client.get(f"{API}/me")
        me.raise_for_status()
        self.me = int(me.json()["id"])
        for ticket in self.tickets:
            response = await self.client.get(f"{API}/tickets/{ticket}")
            response.raise_for_status()
            self._remember(response.json())

    def _remember(self, body: dict[str, Any]) -> None:
        self.versions[int(body["id"])] = int(body["version"])
        self.assigned[int(body["id"])] = body.get("assignee") is not None

    async def change(self, seq: int, scheduled: float) -> Commit:
        ticket = self.tickets[seq % len(self.tickets)]
        async with self.locks[ticket]:  # an earlier change to it still in flight would make a 412
            body = {"assignee_id": 0 if self.assigned[ticket] else self.me}
            headers = {"If-Match": f'"{self.versions[ticket]}"'}
            sent = time.monotonic()
            response = await self.client.patch(f"{API}/tickets/{ticket}", json=body, headers=headers)
            answered = time.monotonic()
            data = response.json()
            if response.status_code == 412:
                data = data["error"]["details"]["current"]
            if "id" in data:
                self._remember(data)
            version = int(data.get("version", 0)) if response.status_code == 200 else 0
            return Commit(seq, ticket, version, response.status_code, scheduled, sent, answered)


class Creator:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.run = f"{time.time_ns():x}"

    async def prepare(self) -> None:
        (await self.client.get(f"{API}/me")).raise_for_status()

    async def change(self, seq: int, scheduled: float) -> Commit:
        body = {
            "subject": f"Live latency probe {seq}", "category": "password", "language": "en",
            "requester": {"account_id": f"bench-{self.run}-{seq}", "name": "Bench Customer",
                          "language": "en"},
            "body": "I cannot sign in (benchmark ticket).",
        }
        headers = {"Idempotency-Key": f"bench-live-{self.run}-{seq}"}
        sent = time.monotonic()
        response = await self.client.post(f"{API}/tickets", json=body, headers=headers)
        answered = time.monotonic()
        data = response.json()
        ok = response.status_code == 201
        return Commit(seq, int(data["id"]) if ok else 0, int(data["version"]) if ok else 0,
                      response.status_code, scheduled, sent, answered)


async def drive(args: argparse.Namespace) -> list[Commit]:
    async with _client(args.url, args.token) as client:
        changer: Assigner | Creator
        if args.kind == "assign":
            tickets = [int(t) for t in args.tickets.split(",") if t]
            if not tickets:
                raise SystemExit("--kind assign needs --tickets")
            changer = Assigner(client, tickets)
        else:
            changer = Creator(client)
        await changer.prepare()
        print("READY", flush=True)
        total = max(1, round(args.rate * args.seconds))
        gate = asyncio.Semaphore(MAX_IN_FLIGHT)
        tasks: list[asyncio.Task[Commit]] = []

        async def one(seq: int, scheduled: float) -> Commit:
            async with gate:
                return await changer.change(seq, scheduled)

        start = time.monotonic() + 0.05
        for seq in range(total):
            scheduled = start + seq / args.rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(seq, scheduled)))
        return list(await asyncio.gather(*tasks))


def _stdin_closed(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    sys.stdin.read()
    loop.call_soon_threadsafe(stop.set)


async def listen(args: argparse.Namespace) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    stop = asyncio.Event()
    threading.Thread(target=_stdin_closed, args=(asyncio.get_running_loop(), stop), daemon=True).start()

    async def read() -> None:
        timeout = httpx.Timeout(10.0, read=None)
        async with _client(args.url, args.token) as client, client.stream(
                "GET", f"{API}/events", headers={"Accept": "text/event-stream"}, timeout=timeout) as response:
            response.raise_for_status()
            event: dict[str, Any] = {}
            async for line in response.aiter_lines():
                now = time.monotonic()
                if line.startswith(": connected"):
                    print("READY", flush=True)
                elif line.startswith("id:"):
                    event = {"id": int(line[3:].strip()), "received": now}
                elif line.startswith("event:"):
                    event["type"] = line[6:].strip()
                elif line.startswith("data:") and event:
                    data = json.loads(line[5:])
                    if event.get("type", "").startswith("ticket."):
                        event["ticket"], event["version"] = int(data["id"]), int(data["version"])
                    received.append(event)
                    event = {}

    reader = asyncio.create_task(read())
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({reader, stopped}, return_when=asyncio.FIRST_COMPLETED)
    reader.cancel()
    stopped.cancel()
    return received


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.change_driver")
    commands = parser.add_subparsers(dest="command", required=True)
    driving = commands.add_parser("drive")
    driving.add_argument("--kind", choices=("assign", "create"), required=True)
    driving.add_argument("--tickets", default="")
    driving.add_argument("--rate", type=float, required=True)
    driving.add_argument("--seconds", type=float, required=True)
    listening = commands.add_parser("listen")
    for sub in (driving, listening):
        sub.add_argument("--url", required=True)
        sub.add_argument("--token", required=True)
        sub.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows: list[dict[str, Any]]
    if args.command == "drive":
        rows = [asdict(commit) for commit in asyncio.run(drive(args))]
    else:
        rows = asyncio.run(listen(args))
    args.out.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
