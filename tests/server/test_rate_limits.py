"""The limiter protects the server: agents are limited by who they are, guessed tokens by where
they come from, and no traffic grows its memory without bound."""

from __future__ import annotations

import secrets

import httpx
from server_helpers import error_code

from conftest import ServerFactory
from supportdesk_tui.server.ratelimit import RateLimit, RateLimiter
from supportdesk_tui.server.token_admin import create_token


def _from(url: str, address: str, headers: dict[str, str]) -> httpx.Client:
    """A client whose connections leave from `address` (any 127.x.y.z reaches a loopback server)."""
    return httpx.Client(
        base_url=url, headers=headers, timeout=30, transport=httpx.HTTPTransport(local_address=address)
    )


def _random_bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer sdt_{secrets.token_urlsafe(32)}"}


def test_a_flood_of_made_up_tokens_is_slowed_by_address_while_agents_work_on(
    server_factory: ServerFactory,
) -> None:
    server = server_factory(demo=False, rate_limit=50, rate_burst=200, auth_fail_rate=0.01, auth_fail_burst=5)
    with _from(server.url, "127.0.0.1", {}) as guesser:
        answers = [guesser.get("/api/v1/me", headers=_random_bearer()) for _ in range(30)]
        statuses = [r.status_code for r in answers]
        assert statuses[:5] == [401] * 5 and statuses[5:] == [429] * 25, statuses
        limited = answers[-1]
        assert error_code(limited) == "rate_limited"
        assert limited.headers["Retry-After"].isdigit() and int(limited.headers["Retry-After"]) >= 1
        retry_after = limited.json()["error"]["details"]["retry_after"]
        assert isinstance(retry_after, int) and retry_after == int(limited.headers["Retry-After"])
        # Leaving the token out changes nothing: the address has used its guesses.
        assert guesser.get("/api/v1/me").status_code == 429
    # An agent with a valid token is never held back by its address's failures ...
    with _from(server.url, "127.0.0.1", server.headers("anna")) as anna:
        assert anna.get("/api/v1/me").status_code == 200
    # ... and another address still gets its own few tries.
    with _from(server.url, "127.0.0.2", _random_bearer()) as neighbour:
        assert neighbour.get("/api/v1/me").status_code == 401
    with _from(server.url, "127.0.0.2", server.headers("kate")) as kate:
        assert kate.get("/api/v1/tickets").status_code == 200


def test_an_agent_s_tokens_share_one_budget(server_factory: ServerFactory) -> None:
    server = server_factory(demo=False, rate_limit=0.01, rate_burst=3)
    first = server.token("anna")
    second = create_token(server.db_path, "anna", None, None)  # a second token of the same agent
    assert first != second
    with httpx.Client(base_url=server.url, timeout=30) as client:
        used = [client.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"}) for _ in range(3)]
        assert [r.status_code for r in used] == [200, 200, 200]
        other_token = client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"})
        someone_else = client.get("/api/v1/me", headers=server.headers("kate"))
    assert other_token.status_code == 429 and error_code(other_token) == "rate_limited"
    assert isinstance(other_token.json()["error"]["details"]["retry_after"], int)
    assert someone_else.status_code == 200


def test_24000_new_keys_never_grow_the_buckets_past_the_cap() -> None:
    now = [0.0]
    limiter = RateLimiter(RateLimit(rate=1.0, burst=2), monotonic=lambda: now[0], max_buckets=1000)
    for _ in range(24_000):
        now[0] += 0.0001
        assert limiter.acquire(secrets.token_hex(16)) == 0.0
        assert len(limiter) <= 1000
    # The buckets that are kept still limit: the cap only drops the least recently used.
    assert limiter.acquire("steady") == limiter.acquire("steady") == 0.0
    assert limiter.acquire("steady") > 0
