"""`supportdesk serve` as a newcomer meets it: a start that can't work says what to do in one
sentence and exits 2 having written nothing; a start that works says where the server is, on
which data, and how to get a token, with nothing else on the screen."""

from __future__ import annotations

import os
import queue
import re
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from pg_server import PgCluster
from supportdesk_tui.server.serving import LISTENING_PREFIX
from supportdesk_tui.server.token_admin import create_token

DEMO_NOW = "2026-11-26T09:00:00Z"


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        # --exit-with-stdin: a server that starts after all stops at once (stdin is empty).
        [sys.executable, "-m", "supportdesk_tui", "serve", "--exit-with-stdin", *args],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")},
    )


def assert_refused(result: subprocess.CompletedProcess[str], sentence: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"supportdesk serve: {sentence}"), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr  # one line, no traceback
    assert result.stdout == ""


@contextmanager
def port_in_use() -> Iterator[int]:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    try:
        yield holder.getsockname()[1]
    finally:
        holder.close()


def test_a_taken_port_is_refused_before_any_demo_data_is_written(tmp_path: Path) -> None:
    with port_in_use() as port:
        result = serve("--port", str(port), "--db", str(tmp_path / "desk.db"), "--demo")
    assert_refused(result, f"port {port} on 127.0.0.1 is already in use")
    assert "--port" in result.stderr  # what to do: another port
    assert list(tmp_path.iterdir()) == []


def test_a_port_out_of_range_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    result = serve("--port", "99999", "--db", str(tmp_path / "desk.db"), "--demo")
    assert_refused(result, "port 99999 is out of range: choose one from 1 to 65535")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_given_as_the_database_is_refused_and_stays_empty(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    result = serve("--port", "0", "--db", str(folder), "--demo")
    assert_refused(result, f"{folder} is a folder: name a database file inside it")
    assert list(folder.iterdir()) == []


def test_a_file_that_is_not_a_database_is_refused_and_left_byte_for_byte(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"meeting notes, not a database\n")
    notes.chmod(0o644)
    result = serve("--port", "0", "--db", str(notes), "--demo")
    assert_refused(result, f"{notes} is not a SupportDesk database")
    assert notes.read_bytes() == b"meeting notes, not a database\n"
    assert stat.S_IMODE(notes.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_database_in_a_missing_folder_needs_create(tmp_path: Path) -> None:
    wanted = tmp_path / "new" / "place" / "desk.db"
    result = serve("--port", "0", "--db", str(wanted))
    assert_refused(result, f"the folder {wanted.parent} does not exist")
    assert "--create" in result.stderr
    assert list(tmp_path.iterdir()) == []

    with running_server("--db", str(wanted), "--create", "--machine-readable") as server:
        assert server.line().startswith(LISTENING_PREFIX)
        assert wanted.is_file()


class RunningServer:
    """`supportdesk serve` in a child process, its output read as it comes."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "supportdesk_tui", "serve", "--port", "0", "--exit-with-stdin", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")},
                 "PYTHONUNBUFFERED": "1"},
        )
        self._lines: queue.Queue[str] = queue.Queue()
        self._errors: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        threading.Thread(target=self._pump, args=(self.process.stdout, self._lines.put), daemon=True).start()
        self._error_reader = threading.Thread(
            target=self._pump, args=(self.process.stderr, self._errors.append), daemon=True)
        self._error_reader.start()

    @staticmethod
    def _pump(stream: IO[str], keep: Callable[[str], object]) -> None:
        for line in stream:
            keep(line)

    def line(self, timeout: float = 60) -> str:
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            stderr = "".join(self._errors)
            raise AssertionError(f"no line of output within {timeout} s; stderr: {stderr}") from None

    def stop(self) -> str:
        """Close its standard input (it stops then, as --exit-with-stdin asks); returns its stderr."""
        if self.process.returncode is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._error_reader.join(10)
        return "".join(self._errors)


@contextmanager
def running_server(*args: str) -> Iterator[RunningServer]:
    server = RunningServer(*args)
    try:
        yield server
    finally:
        server.stop()


def url_in(line: str) -> str:
    found = re.search(r"http://[0-9.]+:\d+", line)
    assert found, line
    return found.group(0)


def test_the_server_greets_a_person_with_address_data_and_how_to_get_a_token(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    with running_server("--db", str(db), "--demo", "--demo-now", DEMO_NOW) as server:
        first_line = server.line()
        url = url_in(first_line)
        assert first_line.startswith(f"SupportDesk server on {url}, ")
        assert f"database {db} (SQLite, " in first_line and re.search(r"\b\d+ tickets\b", first_line)
        second_line = server.line(timeout=5)
        assert f"supportdesk token create --agent LOGIN --db {db}" in second_line
        assert LISTENING_PREFIX not in first_line + second_line


def test_serving_requests_with_bodies_prints_no_warnings(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    with running_server("--db", str(db), "--demo", "--demo-now", DEMO_NOW) as server:
        token = create_token(db, "anna", None, None)
        with httpx.Client(base_url=url_in(server.line()), timeout=30,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            # The document describes every request body, so each body's validator is built.
            assert http.get("/api/v1/openapi.json").status_code == 200
            ticket = http.get("/api/v1/tickets").json()["data"][0]
            answer = http.put(f"/api/v1/tickets/{ticket['id']}/presence", json={"state": "viewing"})
            assert answer.status_code < 300, answer.text
        errors = server.stop()
    assert "Warning" not in errors, errors


def test_the_greeting_shows_a_postgres_url_without_its_password(pg_cluster: PgCluster) -> None:
    url = pg_cluster.create_database().replace("postgresql://postgres@", "postgresql://postgres:s3cret-pw@")
    subprocess.run([sys.executable, "-m", "supportdesk_tui", "db", "upgrade", "--db", url],
                   check=True, capture_output=True, timeout=60)
    with running_server("--db", url) as server:
        first_line, second_line = server.line(), server.line(timeout=5)
    assert "postgresql://postgres:***@127.0.0.1:" in first_line and "(PostgreSQL, 0 tickets)" in first_line
    assert "s3cret-pw" not in first_line + second_line
