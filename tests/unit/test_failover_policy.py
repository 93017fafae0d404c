"""Several instances of one deployment: which one the client uses, when it moves, how it is told."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from supportdesk_tui.api.failover import Instances, ServerListError, parse_server_list
from supportdesk_tui.cli import build_parser
from supportdesk_tui.config import ConfigError, load_config, parse_config, server_urls
from supportdesk_tui.credentials import save_login
from supportdesk_tui.launch import resolve_settings

A, B, C = "http://desk-a:8765", "http://desk-b:8765", "http://desk-c:8765"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_client_stays_on_the_instance_that_answers() -> None:
    instances = Instances([A, B])
    instances.succeeded(A)
    assert instances.current == A
    assert instances.alternative(tried=[]) == A


def test_a_dead_instance_is_left_for_the_next_and_tried_again_after_its_cool_down() -> None:
    clock = FakeClock()
    instances = Instances([A, B, C], cooldown=10, clock=clock)

    assert instances.failed(A) == B
    assert instances.cooling(A)
    assert instances.failed(B) == C  # A still cooling: skipped
    clock.now += 11
    assert not instances.cooling(A)
    assert instances.failed(C) == A  # cooled down: worth another try


def test_a_request_tries_each_other_healthy_instance_once_then_gives_up() -> None:
    instances = Instances([A, B, C])
    instances.failed(A)
    assert instances.alternative(tried=[A]) == B
    instances.failed(B)
    assert instances.alternative(tried=[A, B]) == C
    instances.failed(C)
    assert instances.alternative(tried=[A, B, C]) is None


def test_when_every_instance_is_down_the_one_back_soonest_is_used() -> None:
    clock = FakeClock()
    instances = Instances([A, B], cooldown=10, clock=clock)
    instances.failed(A)
    clock.now += 3
    assert instances.failed(B) == A  # A's cool-down ends 3 s before B's
    assert instances.alternative(tried=[]) is None  # nothing healthy to resend to right now


def test_a_failure_of_an_instance_not_in_use_does_not_move_the_client() -> None:
    instances = Instances([A, B])
    instances.failed(A)
    assert instances.current == B
    assert instances.failed(A) == B  # the stream still on A learns it died; requests stay on B


def test_one_load_balancer_url_never_moves() -> None:
    instances = Instances(["https://desk.example.com"])
    assert instances.failed("https://desk.example.com") == "https://desk.example.com"
    assert not instances.several


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://desk-a:8765", (A,)),
        ("http://desk-a:8765/, http://desk-b:8765", (A, B)),
        (["http://desk-a:8765", "http://desk-b:8765,http://desk-c:8765"], (A, B, C)),
        ("http://desk-a:8765,,http://desk-a:8765/,http://desk-b:8765", (A, B)),
        # An address copied from the API documentation names the API; the server is what is meant.
        ("http://desk-a:8765/api/v1, http://desk-b:8765/api/v1/", (A, B)),
    ],
)
def test_server_lists_come_from_commas_and_repeats_in_order_each_once(
        given: str | list[str], expected: tuple[str, ...]) -> None:
    assert parse_server_list(given) == expected


@pytest.mark.parametrize(
    ("given", "advice"),
    [
        ("desk-a:8765", "must start with http:// or https://"),
        ("http://desk-a:8765,desk-b", "Separate several instances of one deployment with commas"),
        (" , ", "pass --server URL"),
    ],
)
def test_a_bad_server_list_says_what_to_do(given: str, advice: str) -> None:
    with pytest.raises(ServerListError, match=advice.replace("?", r"\?").replace(".", r"\.")):
        parse_server_list(given)


def test_the_command_line_takes_several_servers_comma_separated_or_repeated() -> None:
    args = build_parser().parse_args(["--server", f"{A},{B}", "--server", C])
    assert parse_server_list(args.server) == (A, B, C)


def test_the_config_file_takes_a_list_of_servers_and_the_environment_commas(tmp_path: Path) -> None:
    config = parse_config(f'[server]\nurl = ["{A}", "{B}/"]\n')
    assert server_urls(config) == (A, B)
    path = tmp_path / "config.toml"
    path.write_text(f'[server]\nurl = "{A}"\n', encoding="utf-8")
    from_env = load_config(path, env={"SUPPORTDESK_SERVER": f"{B}, {C}"})
    assert server_urls(from_env) == (B, C)
    with pytest.raises(ConfigError, match=r"server\.url.*http:// or https://"):
        parse_config(f'[server]\nurl = ["{A}", "desk-b"]\n')
    with pytest.raises(ConfigError, match="array of strings"):
        parse_config(f'[server]\nurl = ["{A}", 8765]\n')


def test_a_stored_login_serves_every_list_that_shares_an_instance_with_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTDESK_HOME", str(tmp_path))
    monkeypatch.setenv("SUPPORTDESK_NO_KEYRING", "1")
    for name in ("SUPPORTDESK_TOKEN", "SUPPORTDESK_SERVER", "SUPPORTDESK_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    save_login(f"{A},{B}", "stored-token")

    def settings_for(server: list[str] | None) -> object:
        return resolve_settings(argparse.Namespace(server=server, lang="en", theme=None, insecure=False))

    stored = settings_for(None)
    assert not isinstance(stored, str)
    assert stored.instances == (A, B) and stored.server_url == A and stored.token == "stored-token"
    reordered = settings_for([B, C])
    assert not isinstance(reordered, str)
    assert reordered.instances == (B, C) and reordered.token == "stored-token"
    other = settings_for(["http://elsewhere:1"])
    # Another deployment's token is never sent: the app opens on its sign-in screen instead.
    assert not isinstance(other, str) and other.token is None
