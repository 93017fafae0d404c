"""The token stays out of the representations that crash reports and logs print."""

from __future__ import annotations

from pathlib import Path

from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.credentials import StoredLogin
from supportdesk_tui.settings import AppSettings

TOKEN = "sdt_very_secret_token_value"


def test_settings_repr_hides_the_token() -> None:
    settings = AppSettings(server_url="http://127.0.0.1:1", token=TOKEN, data_dir=Path("/tmp"))
    assert TOKEN not in repr(settings)


def test_stored_login_repr_hides_the_token() -> None:
    assert TOKEN not in repr(StoredLogin("http://x", TOKEN, "keyring"))


async def test_client_repr_hides_the_token() -> None:
    async with SupportDeskClient("http://127.0.0.1:1", TOKEN) as client:
        assert TOKEN not in repr(client) and TOKEN not in repr(client.http)
