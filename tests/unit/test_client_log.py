"""The log's second line of defence: whatever reaches it, the token and exception messages don't."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from supportdesk_tui import client_log
from supportdesk_tui.cli import build_parser

TOKEN = "sdt_4f1c2a9b8e7d6c5b4a39281706f5e4d3"
CUSTOMER_WORDS = f"the customer's password is hunter2 {TOKEN}"


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("supportdesk.test", logging.WARNING, __file__, 1, message, args, exc_info)


def test_the_token_and_anything_after_bearer_are_masked_wherever_they_appear() -> None:
    formatter = client_log.MaskingFormatter([TOKEN, ""])

    line = formatter.format(_record("sent %s and Authorization: Bearer other-secret", TOKEN))

    assert TOKEN not in line and "other-secret" not in line
    assert line.endswith("sent *** and Authorization: Bearer ***")


def _fail_quoting(words: str) -> None:
    try:
        raise KeyError(words)
    except KeyError as inner:
        raise ValueError(f"input_value={words!r}") from inner


def test_an_exception_is_logged_by_type_and_stack_without_its_message() -> None:
    formatter = client_log.MaskingFormatter([TOKEN])
    try:
        _fail_quoting(CUSTOMER_WORDS)  # a stack shows source lines: the words stay out of this one
    except ValueError as exc:
        line = formatter.format(_record("unexpected failure", exc=exc))

    assert "Traceback (most recent call last):" in line and "test_client_log.py" in line
    assert "builtins.ValueError (message not logged)" in line and "while handling builtins.KeyError" in line
    assert "hunter2" not in line and "customer" not in line and TOKEN not in line


def test_the_log_is_private_rotates_and_leaves_the_logging_setup_as_it_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUPPORTDESK_HOME", str(tmp_path))
    monkeypatch.setattr(client_log, "MAX_BYTES", 2000)
    handlers_before = list(logging.getLogger().handlers)

    with client_log.client_log(secrets=[TOKEN]) as path:
        assert path == client_log.active_log() == tmp_path / "state" / "supportdesk.log"
        for number in range(100):
            logging.getLogger("supportdesk.test").info("line %d with %s", number, TOKEN)
        logging.getLogger("supportdesk.test").debug("not without --debug")
        logging.getLogger("httpx").info("HTTP Request: GET /api/v1/tickets?q=customer+words")

    assert client_log.active_log() is None and logging.getLogger().handlers == handlers_before
    files = sorted(path.parent.iterdir())
    assert [file.name for file in files] == ["supportdesk.log", *(f"supportdesk.log.{n}" for n in (1, 2, 3))]
    assert all(stat.S_IMODE(file.stat().st_mode) == 0o600 for file in files)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = "".join(file.read_text(encoding="utf-8") for file in files)
    assert "line 99 with ***" in text and TOKEN not in text
    assert "not without --debug" not in text and "customer" not in text


@pytest.mark.parametrize("argv", [["--debug"], ["demo", "--debug"], ["--debug", "dashboard"],
                                  ["dashboard", "--debug"]])
def test_debug_is_taken_before_or_after_the_command(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).debug is True


def test_debug_is_off_unless_asked_for() -> None:
    assert build_parser().parse_args(["demo"]).debug is False
