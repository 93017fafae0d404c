"""The client's own words about a failure follow the agent's language; the server's words stay as sent."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from supportdesk_tui.api import errors
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.i18n import set_language
from supportdesk_tui.sending import NotSaved

# Every module that defines an ApiError of its own is imported above, so each xdist worker
# collects the same kinds.
OUTSIDE_THE_API = (NotSaved,)


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    set_language("en")


def _all_error_kinds() -> list[type[errors.ApiError]]:
    kinds: list[type[errors.ApiError]] = [errors.ApiError]
    for kind in kinds:
        kinds.extend(sub for sub in kind.__subclasses__() if sub not in kinds)
    return kinds


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("kind", _all_error_kinds(), ids=lambda kind: kind.__name__)
def test_every_kind_of_failure_has_a_russian_title(kind: type[errors.ApiError]) -> None:
    set_language("ru")
    error = kind.__new__(kind)
    assert error.title != kind.title_msgid
    assert any("а" <= letter <= "я" for letter in error.title.lower())


async def test_a_russian_agent_is_told_in_russian_that_the_server_cannot_be_reached() -> None:
    set_language("ru")
    port = _closed_port()
    async with SupportDeskClient(f"http://127.0.0.1:{port}", "token", retry_base_delay=0.001,
                                 retries=0) as client:
        with pytest.raises(errors.NetworkError) as caught:
            await client.me()
    assert caught.value.title == "Сервер недоступен"
    assert caught.value.message.startswith("Нет связи с http://127.0.0.1:")
    set_language("en")
    assert caught.value.title == "Server unreachable"  # read when shown: a language switch applies


async def test_the_servers_own_words_stay_as_sent_under_a_russian_title() -> None:
    set_language("ru")
    hostile = "[b]denied[/b] \x1b[31m"
    transport = httpx.MockTransport(lambda request: httpx.Response(
        403, json={"error": {"code": "forbidden", "message": hostile}}))
    async with SupportDeskClient("http://backend.test", "token", transport=transport) as client:
        with pytest.raises(errors.ForbiddenError) as caught:
            await client.me()
    assert caught.value.title == "Нет прав"
    assert caught.value.message == hostile  # data for the screen's sanitising, never rewritten here
