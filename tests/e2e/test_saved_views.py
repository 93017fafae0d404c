"""Saved views: a filter kept under a name, counted live by the server, in the config file."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from e2e_helpers import make_app

from keyboard import type_text
from supportdesk_tui.config import load_config
from supportdesk_tui.domain.query import parse_query
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.saved_views import SavedViewsList
from waiting import wait_until

SIZE = (160, 48)


def spam_ticket(server: Any, tag: str, language: str) -> None:
    marker = uuid.uuid4().hex[:8]
    payload = {"subject": f"WIN A PRIZE {marker}", "category": "other", "language": language,
               "priority": "low", "tags": [tag],
               "requester": {"account_id": f"id{marker}", "name": "Prize Bot", "language": language},
               "body": "Click here to claim your prize"}
    with server.client("intake") as http:
        http.post("/api/v1/tickets", json=payload, headers={"Idempotency-Key": marker}).raise_for_status()


def listed(server: Any, params: dict[str, str]) -> int:
    with server.client("lena") as http:
        response = http.get("/api/v1/tickets", params={**params, "page[size]": "200"})
        response.raise_for_status()
        return len(response.json()["data"])


async def test_agent_saves_a_view_and_its_count_follows_new_tickets_live(
        workday_server: Any, tmp_path: Path) -> None:
    tag = f"spam-{uuid.uuid4().hex[:8]}"
    for language in ("ru", "en", "en"):
        spam_ticket(workday_server, tag, language)
    config = tmp_path / "config.toml"
    config.write_text(f'# my desk\n[ui]\ntheme = "supportdesk-dark"  # keep me\n\n[views]\n'
                      f'# shared with the team\n"Spam wave" = "tag:{tag}"\n', encoding="utf-8")
    app = make_app(workday_server, "lena", tmp_path, start_mode="queue", config_path=config,
                   saved_views=tuple(load_config(config).views.items()))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        views = queue.query_one(SavedViewsList)
        await wait_until(pilot, lambda: views.counts == [3], what="the view's count")
        assert listed(workday_server, {"tag": tag}) == 3

        # `/`, a filter, ctrl+s, a name: a second view, saved in the file next to the first.
        await pilot.press("slash")
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, f"tag:{tag} lang:en")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TextPromptModal",
                         what="the name prompt")
        await type_text(pilot, "English spam")
        await pilot.press("enter")
        await wait_until(pilot, lambda: views.counts == [3, 2], what="both views counted")
        text = config.read_text(encoding="utf-8")
        assert "# my desk" in text and "# keep me" in text and "# shared with the team" in text
        assert list(load_config(config).views.items()) == [("Spam wave", f"tag:{tag}"),
                                                           ("English spam", f"lang:en tag:{tag}")]

        # A matching ticket arrives: the counts follow from the event stream.
        spam_ticket(workday_server, tag, "en")
        await wait_until(pilot, lambda: views.counts == [4, 3], what="the counts after a new ticket")
        assert [listed(workday_server, {"tag": tag}),
                listed(workday_server, {"tag": tag, "language": "en"})] == [4, 3]

        # Reordered from the sidebar; the file follows, its comments still there.
        views.options.focus()
        views.highlight(1)
        await pilot.press("shift+up")
        await wait_until(pilot, lambda: [v.name for v in queue.saved_views] == ["English spam", "Spam wave"],
                         what="the views reordered")
        assert list(load_config(config).views) == ["English spam", "Spam wave"]
        assert "# keep me" in config.read_text(encoding="utf-8")
        await wait_until(pilot, lambda: views.counts == [3, 4], what="the counts reordered")

        # `2` jumps to the second view.
        queue.table.focus()
        await pilot.press("2")
        await wait_until(pilot, lambda: queue.query_filter == parse_query(f"tag:{tag}"),
                         what="view 2 applied")
        await wait_until(pilot, lambda: queue.table.window is not None
                         and len(queue.table.window.loaded_prefix()) == 4, what="the view's four tickets")


async def test_a_view_number_with_no_view_behind_it_says_how_to_save_one(
        workday_server: Any, tmp_path: Path) -> None:
    app = make_app(workday_server, "anna", tmp_path, start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await pilot.press("3")
        await wait_until(pilot, lambda: any("saved view" in str(n.message) for n in app._notifications),
                         what="a word about it")
        (notice,) = [n for n in app._notifications if "saved view" in str(n.message)]
    assert "No saved views yet" in str(notice.message) and "ctrl+s" in str(notice.message)
