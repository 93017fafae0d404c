"""The sign-in requests sent at launch, while the app imports (issue 17: cold start; api/prefetch.py).

Against the real reference server. What the agent must be able to rely on: the answers sent early
stand in for the sign-in's own requests and read exactly the same (same models, same errors, a
refused token still ends on the same screen); they are never used for another server or token,
never twice and never stale; and the queue's first page is never read early (it would predate the
live stream), so a ticket changed meanwhile is shown as it is now.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import LOADED_MACHINE_NOT_ANSWERING_AFTER

from supportdesk_tui.api import errors
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.api.prefetch import PrefetchedAnswer, SignInPrefetch
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.connect import ConnectScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import wait_until

pytestmark = pytest.mark.e2e

async def settled(prefetch: SignInPrefetch) -> None:
    """Until the launch's thread has every answer it is going to get."""
    deadline = time.monotonic() + 30
    while not all(future.done() for future in prefetch._answers.values()):
        assert time.monotonic() < deadline, "the launch's requests never finished"
        await asyncio.sleep(0.01)


async def test_the_answers_sent_at_launch_stand_in_for_the_sign_in_requests_and_read_the_same(
        live_server: Any) -> None:
    token = live_server.token("anna")
    prefetch = SignInPrefetch.start([live_server.url], token)
    assert prefetch is not None
    async with SupportDeskClient(live_server.url, token, prefetched=prefetch) as api:
        early = (await api.me(), await api.queues())
    assert prefetch.used == {"/me", "/queues"}
    assert prefetch.untaken() == []
    async with SupportDeskClient(live_server.url, token) as api:
        me, queues = await api.me(), await api.queues()
    assert early[0] == me and early[1] == queues


async def test_the_answers_are_never_used_for_another_token_or_server(live_server: Any) -> None:
    anna = live_server.token("anna")
    prefetch = SignInPrefetch.start([live_server.url], anna)
    assert prefetch is not None
    await settled(prefetch)
    async with SupportDeskClient(live_server.url, live_server.token("lena"), prefetched=prefetch) as api:
        assert (await api.me()).login == "lena"
    assert prefetch.used == set()
    assert prefetch.answers_for([live_server.url], "sdt_someone_else") is None
    assert prefetch.answers_for(["http://127.0.0.1:9"], anna) is None
    assert prefetch.answers_for([live_server.url, "http://127.0.0.1:9"], anna) is None  # another deployment
    assert prefetch.answers_for([live_server.url + "/"], anna) is prefetch


def test_an_https_server_is_never_asked_early() -> None:
    assert SignInPrefetch.start(["https://desk.example.com"], "sdt_token") is None


async def test_a_refused_token_fails_exactly_as_without_the_early_answers(live_server: Any,
                                                                         tmp_path: Path) -> None:
    refused = "sdt_not_a_real_token_123456"
    prefetch = SignInPrefetch.start([live_server.url], refused)
    assert prefetch is not None
    await settled(prefetch)
    async with SupportDeskClient(live_server.url, refused, prefetched=prefetch) as api:
        with pytest.raises(errors.ApiError) as early:
            await api.me()
    async with SupportDeskClient(live_server.url, refused) as api:
        with pytest.raises(errors.ApiError) as direct:
            await api.me()
    assert type(early.value) is type(direct.value)
    assert (early.value.title, early.value.message, early.value.code) == (
        direct.value.title, direct.value.message, direct.value.code)
    assert prefetch.used == {"/me"}

    # And the app shows the same refusal it shows without them.
    again = SignInPrefetch.start([live_server.url], refused)
    app = SupportDeskApp(AppSettings(server_url=live_server.url, token=refused, data_dir=tmp_path,
                                     sign_in_prefetch=again))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen) and app.screen.failed,
                         what="the auth error")
        assert again is not None and "/me" in again.used
        text = " ".join(str(widget.render()) for widget in app.screen.query("Static"))
        assert "Not signed in" in text and "supportdesk login" in text


def answer(body: object, status: int = 200, *, at: float = 0.0) -> PrefetchedAnswer:
    return PrefetchedAnswer(status, (("content-type", "application/json"),), json.dumps(body).encode(), at,
                            "test")


async def test_an_early_answer_is_validated_like_the_clients_own(live_server: Any) -> None:
    token = live_server.token("anna")
    prefetch = SignInPrefetch.answered([live_server.url], token, {("/me", frozenset()): answer({"login": 7})},
                                       clock=lambda: 0.0)
    async with SupportDeskClient(live_server.url, token, prefetched=prefetch) as api:
        with pytest.raises(errors.MalformedResponse):
            await api.me()


async def test_an_early_answer_is_used_once_and_only_while_fresh(live_server: Any) -> None:
    token = live_server.token("anna")
    async with SupportDeskClient(live_server.url, token) as api:
        real = (await api.me()).model_dump(mode="json")
    from_launch = {**real, "name": "Read at launch"}
    now = [0.0]
    prefetch = SignInPrefetch.answered([live_server.url], token, {("/me", frozenset()): answer(from_launch)},
                                       clock=lambda: now[0])
    async with SupportDeskClient(live_server.url, token, prefetched=prefetch) as api:
        assert (await api.me()).name == "Read at launch"
        assert (await api.me()).name == real["name"]  # the second time it asks the server

    stale = SignInPrefetch.answered([live_server.url], token, {("/me", frozenset()): answer(from_launch)},
                                    clock=lambda: now[0])
    now[0] = 60.0  # a minute after the launch's answer came
    async with SupportDeskClient(live_server.url, token, prefetched=stale) as api:
        assert (await api.me()).name == real["name"]


async def test_a_ticket_changed_during_the_launch_shows_as_it_is_now(server_factory: Any,
                                                                     tmp_path: Path) -> None:
    """Only who-am-I and the queues are read at launch: the queue's first page is read by the queue,
    so a change made after the launch's reads is in it."""
    server = server_factory()
    token = server.token("anna")
    settings = AppSettings(server_url=server.url, token=token, data_dir=tmp_path, language="en",
                           not_answering_after=LOADED_MACHINE_NOT_ANSWERING_AFTER)
    prefetch = SignInPrefetch.start([server.url], token, clock=lambda: 0.0)  # fresh however slow
    assert prefetch is not None
    await settled(prefetch)
    assert {key[1] for key in prefetch.untaken()} == {"/me", "/queues"}
    with server.client("anna") as http:
        ticket = http.get("/api/v1/tickets", params={"sort": "sla_due"}).json()["data"][0]
    tags = [*ticket["tags"], "changed-after-launch"]
    with server.client("lena") as http:
        response = http.patch(f"/api/v1/tickets/{ticket['id']}", json={"tags": tags},
                              headers={"If-Match": f'"{ticket["version"]}"'})
        assert response.status_code == 200, response.text

    app = SupportDeskApp(replace(settings, sign_in_prefetch=prefetch))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        table = app.screen.query_one(TicketTable)

        def shown_tags() -> list[str] | None:
            window = table.window
            rows = window.loaded_prefix() if window is not None else []
            return next((list(t.tags) for t in rows if t.id == ticket["id"]), None)

        await wait_until(pilot, lambda: shown_tags() == tags, what="the ticket as it is now")
    assert prefetch.used == {"/me", "/queues"}
