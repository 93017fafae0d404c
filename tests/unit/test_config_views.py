"""Saved views in the config file: written with tomlkit, the user's comments and layout kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportdesk_tui.config import ConfigError, load_config
from supportdesk_tui.config_file import save_views
from supportdesk_tui.domain.query import parse_query
from supportdesk_tui.domain.saved_views import SavedView, moved, view_filter, with_view

USER_FILE = """\
# Anna's desk — do not lose this line
[ui]
theme = "supportdesk-light"  # easier on the eyes

[views]
# shared with the night shift
"Spam wave" = "tag:spam-wave"  # the demo's spam tag
Mine = "assignee:me status:open"

[queue]
page_size = 50
"""


def test_views_round_trip_keeps_the_users_comments_and_order(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    assert list(load_config(path).views.items()) == [("Spam wave", "tag:spam-wave"),
                                                      ("Mine", "assignee:me status:open")]
    views = [SavedView(name, query) for name, query in load_config(path).views.items()]
    views = with_view(views, SavedView("Urgent EN", "priority:urgent lang:en"))
    views = moved(views, 2, -2)
    save_views([(v.name, v.query) for v in views], path)
    text = path.read_text(encoding="utf-8")
    for kept in ("# Anna's desk — do not lose this line", "# easier on the eyes",
                 "# shared with the night shift", "page_size = 50"):
        assert kept in text
    config = load_config(path)
    assert list(config.views) == ["Urgent EN", "Spam wave", "Mine"]
    assert config.ui.theme == "supportdesk-light" and config.queue.page_size == 50


def test_saving_views_into_a_file_without_them_adds_the_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# only a comment\n[ui]\nlanguage = \"ru\"\n", encoding="utf-8")
    save_views([("Спам", "tag:spam-wave")], path)
    assert path.read_text(encoding="utf-8").startswith("# only a comment\n[ui]\nlanguage = \"ru\"\n")
    assert dict(load_config(path).views) == {"Спам": "tag:spam-wave"}
    with pytest.raises(ConfigError):
        save_views([("a", "x"), ("a", "y")], path)


def test_a_views_filter_is_what_the_ticket_list_sends() -> None:
    query = parse_query("status:open,pending lang:ru tag:spam-wave assignee:none queue:payments refund")
    view = view_filter(query)
    assert view.model_dump(exclude_defaults=True, mode="json") == {
        "queue": "payments", "status": ["open", "pending"], "language": "ru", "assignee": "none",
        "tag": "spam-wave", "q": "refund"}
