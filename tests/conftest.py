"""Shared fixtures: the real reference backend, started in a subprocess on loopback.

`live_server` is one demo server per test session (per xdist worker) and engine;
`server_factory` starts independent servers a test may kill -9 and restart. Prefer the shared
ones (`live_server` to read the demo as seeded, `backend`/`workday_server` to change things in
tickets the test creates itself); a fresh server only to kill it, to change what every test sees
(clock-sensitive pictures, settings, presence), or to start from an empty database.

Starting one is cheap but not free (~0.1 s of CPU): the process is forked from a zygote that has
imported the server (server_zygote.py; SUPPORTDESK_TEST_SERVER_START=exec for a fresh
interpreter), and a demo database is a copy of one seeded once per pytest process.

Engines: tests under tests/server and tests/api that use a server run on SQLite AND on
PostgreSQL (a throwaway cluster of this session, see supportdesk_tui/devtools/pg_cluster.py);
elsewhere on SQLite.
SUPPORTDESK_TEST_ENGINE=sqlite|postgresql narrows that. Where PostgreSQL can't start, its runs
are skipped with the reason, except on CI (env CI set), where that is a failure.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import os
import shutil
import signal
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _pytest.unraisableexception as unraisableexception
import httpx
import httpx._transports.default as httpx_transports
import pytest
import textual.constants

from keyboard import install_press_keys_once_handled
from server_zygote import ForkedProcess, Zygote
from supportdesk_tui.devtools.pg_cluster import TEMPLATE, PgCluster, PostgresUnavailable
from supportdesk_tui.server.cli import parse_when
from supportdesk_tui.server.serving import LISTENING_PREFIX, seed_as_asked
from supportdesk_tui.server.token_admin import create_token

DEMO_NOW = "2026-11-26T09:00:00Z"
STARTUP_TIMEOUT = 60.0
STANDARD_LOGINS = ("anna", "boris", "kate", "dmitry", "lena", "intake")
ENGINES = ("sqlite", "postgresql")
ENGINE_ENV = "SUPPORTDESK_TEST_ENGINE"
TESTS_DIR = Path(__file__).parent
BOTH_ENGINE_DIRS = (TESTS_DIR / "server", TESTS_DIR / "api")
# "fork" (default): servers are forked from a process that has imported them (server_zygote.py);
# "exec": each one starts in a fresh interpreter, as `python -m supportdesk_tui.server serve`.
SERVER_START_ENV = "SUPPORTDESK_TEST_SERVER_START"
_zygote = Zygote()


def _share_the_default_tls_context() -> None:
    """httpx builds a TLS context for every client it makes, loading the CA certificates (~25 ms
    of CPU), even for http://127.0.0.1; the tests make thousands of clients. Those that verify the
    default way share one context per certificate location (a context is meant to be shared); any
    other `verify` or `cert` still gets its own, built by httpx."""
    build = httpx_transports.create_ssl_context
    shared: dict[tuple[bool, str | None, str | None], ssl.SSLContext] = {}

    def create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> ssl.SSLContext:
        if verify is not True or cert is not None:
            return build(verify=verify, cert=cert, trust_env=trust_env)
        where = (trust_env, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        if where not in shared:
            shared[where] = build(verify=True, cert=None, trust_env=trust_env)
        return shared[where]

    httpx_transports.create_ssl_context = create_ssl_context


def _no_animations_in_apps_under_test() -> None:
    """Apps the tests run in process start with animations off (TEXTUAL_ANIMATIONS=none, read by
    Textual at import): a scroll or a fade then ends at once, and the tests check where it ends,
    not the frames on the way (keyboard.animations_done). An app a test starts as a process keeps
    the environment's level."""
    textual.constants.TEXTUAL_ANIMATIONS = "none"  # type: ignore[misc]


_share_the_default_tls_context()
install_press_keys_once_handled()
_no_animations_in_apps_under_test()


@dataclass
class ServerHandle:
    """A reference server running in its own process."""

    db_path: Path | str  # a SQLite file, or a postgresql:// URL
    log_path: Path
    options: dict[str, Any]
    url: str = ""
    port: int = 0
    process: subprocess.Popen[str] | ForkedProcess | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def engine(self) -> str:
        return "postgresql" if str(self.db_path).startswith("postgresql://") else "sqlite"

    # --- tokens ---------------------------------------------------------------
    def token(self, login: str) -> str:
        if login not in self.tokens:
            self.tokens[login] = create_token(self.db_path, login, None, None)
        return self.tokens[login]

    def new_token(self, login: str, role: str, queues: list[str], name: str | None = None) -> str:
        token = create_token(self.db_path, login, role, queues, name=name)
        self.tokens[login] = token
        return token

    def headers(self, login: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(login)}", **extra}

    def client(self, login: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {} if login is None else self.headers(login)
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)

    # --- process control --------------------------------------------------------
    def command(self) -> list[str]:
        opts = self.options
        # --exit-with-stdin: if pytest dies without tearing down, the closed pipe stops the server.
        cmd = [
            sys.executable,
            "-m",
            "supportdesk_tui.server",
            "serve",
            "--host",
            "127.0.0.1",
            "--exit-with-stdin",
            "--machine-readable",
        ]
        cmd += ["--port", str(self.port), "--db", str(self.db_path)]
        if opts.get("demo", True):
            cmd += ["--demo", "--demo-now", str(opts.get("demo_now", DEMO_NOW))]
        if opts.get("tickets"):
            cmd += ["--tickets", str(opts["tickets"])]
        if opts.get("simulate"):
            cmd += ["--simulate", str(opts["simulate"])]
        cmd += ["--rate-limit", str(opts.get("rate_limit", 0))]
        if opts.get("rate_burst") is not None:
            cmd += ["--rate-burst", str(opts["rate_burst"])]
        for option in ("auth_fail_rate", "auth_fail_burst"):
            if opts.get(option) is not None:
                cmd += [f"--{option.replace('_', '-')}", str(opts[option])]
        if opts.get("keepalive") is not None:
            cmd += ["--keepalive", str(opts["keepalive"])]
        if opts.get("idempotency_lease") is not None:
            cmd += ["--idempotency-lease", str(opts["idempotency_lease"])]
        if opts.get("log_format") is not None:
            cmd += ["--log-format", str(opts["log_format"])]
        return cmd

    def start(self) -> ServerHandle:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("a", encoding="utf-8") as log:
            if os.environ.get(SERVER_START_ENV, "fork") == "exec":
                self.process = subprocess.Popen(
                    self.command(),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    env=env,
                    start_new_session=True,
                )
            else:
                self.process = _zygote.spawn(self.command(), stderr=log, env=env)
        line = _read_line_with_timeout(self.process, STARTUP_TIMEOUT)
        if not line.startswith(LISTENING_PREFIX):
            self.stop()
            raise RuntimeError(f"server did not start: {line!r}; log:\n{self.log_path.read_text()[-4000:]}")
        self.url = line.split()[1].rstrip("/")
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown hooks run."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self._close_pipe()

    def terminate(self) -> None:
        """SIGTERM without waiting: stopping several servers then overlaps their shutdowns."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait(timeout=10)
        self._close_pipe()

    def restart(self) -> ServerHandle:
        """Start again on the same database and port."""
        self.stop()
        return self.start()

    def _close_pipe(self) -> None:
        if self.process is None:
            return
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


def _read_line_with_timeout(process: subprocess.Popen[str], timeout: float) -> str:
    result: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        result.append(process.stdout.readline())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0].strip() if result else ""


_clusters: list[PgCluster] = []  # the running one, if any: servers on it stop before it does


def _wanted_engines() -> tuple[str, ...]:
    choice = os.environ.get(ENGINE_ENV, "both").strip().lower()
    if choice in ("", "both"):
        return ENGINES
    if choice not in ENGINES:
        raise pytest.UsageError(f"{ENGINE_ENV} must be sqlite, postgresql or both, not {choice!r}")
    return (choice,)


# Automatic garbage collection in a test process: gen0 after 10,000 net allocations (Python: 700),
# so a full collection comes ~30 times less often. A pytest worker holds ~500,000 tracked objects
# (the app, Textual, the server in-process for schemathesis, every collected test), and each full
# collection walks them all: with the defaults, collections were ~40% of the CPU of the e2e tests
# (test_canned_replies: 7.1 of 17.7 s; 1.1 of 10.8 s with these). Cycles are still collected, only
# later; explicit gc.collect() is unchanged, and the app's own policy (domain/gc_policy.py) restores
# whatever thresholds it found.
TEST_GC_THRESHOLDS = (10_000, 20, 10)


# At the end of a session pytest runs full collections to surface unraisable exceptions of garbage
# finalized late: five of them (a number from Trio), each walking the ~400,000 objects a worker
# holds by then (~0.5-1.7 s apiece, at the very end of every worker's run). One finds all cyclic
# garbage there is; the other four only what the first one's finalizers left behind.
END_OF_SESSION_COLLECTIONS = 1


def pytest_configure(config: pytest.Config) -> None:
    gc.set_threshold(*TEST_GC_THRESHOLDS)
    # pytest's own knob (`pytester` sets it to 0); where a pytest version lacks it, its default stays.
    iterations = getattr(unraisableexception, "gc_collect_iterations_key", None)
    if iterations is not None:
        config.stash[iterations] = END_OF_SESSION_COLLECTIONS
    config.addinivalue_line("markers", "sqlite_only: checks SQLite's own files; runs on SQLite alone")
    config.addinivalue_line(
        "markers", "runs_long(seconds=10): takes many seconds (about how many); started first (see below)")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what collection left (the modules, Textual, the server, every collected test: most of
    a worker's tracked objects, and they live until it exits), so that no later collection walks
    them again: each gen-1 and full collection in a test, and the five full ones pytest runs at the
    end of the session to surface unraisable exceptions. Garbage made from here on is still found."""
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config: pytest.Config) -> None:
    _zygote.stop()
    _templates.remove()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long tests first, otherwise in pytest's order: each xdist worker starts on them while the
    short ones are still queued, and no long test is left running alone at the end of the run.

    Under xdist, the long tests are dealt out over the workers' first shares (see
    `_deal_long_tests_to_every_worker`), so that no one worker has to run them all."""
    long_tests = [item for item in items if item.get_closest_marker("runs_long")]
    short_tests = [item for item in items if not item.get_closest_marker("runs_long")]
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    items[:] = _deal_long_tests_to_every_worker(long_tests, short_tests, workers)


def _deal_long_tests_to_every_worker(long_tests: list[pytest.Item], short_tests: list[pytest.Item],
                                     workers: int) -> list[pytest.Item]:
    """The collection in the order that gives each of `workers` its share of the long tests.

    `--dist worksteal` first hands out the collection in contiguous slices, one per worker
    (len(pending) // workers left, in turn), and later moves only the tail of a busy worker's queue
    to an idle one: tests at the head of a slice stay where they were sent. With all long tests at
    the head of the collection, one worker got them all and ran them one after another (about
    two thirds of the run), while the others ran the short ones. So the long tests are dealt out,
    the longest first to the worker with the least so far (`runs_long(seconds=…)`, 10 s unless
    said), each slice starts with its long tests and is filled up with short ones in pytest's order."""
    if workers <= 1:
        return long_tests + short_tests
    dealt: list[list[pytest.Item]] = [[] for _ in range(workers)]
    seconds = [0.0] * workers
    for item in sorted(long_tests, key=_expected_seconds, reverse=True):
        least = seconds.index(min(seconds))
        dealt[least].append(item)
        seconds[least] += _expected_seconds(item)
    total = len(long_tests) + len(short_tests)
    ordered: list[pytest.Item] = []
    shorts = iter(short_tests)
    for worker in range(workers):
        share = (total - len(ordered)) // (workers - worker)
        ordered += dealt[worker]
        ordered += itertools.islice(shorts, max(0, share - len(dealt[worker])))
    ordered += shorts
    return ordered


def _expected_seconds(item: pytest.Item) -> float:
    """Roughly how long a `runs_long` test takes on an idle 2-core machine (only their order matters)."""
    marker = item.get_closest_marker("runs_long")
    return float(marker.kwargs.get("seconds", 10.0)) if marker is not None else 0.0


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every server-backed test of tests/server and tests/api once per engine."""
    if "engine" not in metafunc.fixturenames:
        return
    path = Path(str(metafunc.definition.path))
    if not any(folder in path.parents for folder in BOTH_ENGINE_DIRS):
        return  # the engine fixture's default: SQLite
    engines = _wanted_engines()
    if metafunc.definition.get_closest_marker("sqlite_only"):
        engines = tuple(e for e in engines if e == "sqlite")
    metafunc.parametrize("engine", engines, indirect=True, scope="session")


@pytest.fixture(scope="session")
def engine(request: pytest.FixtureRequest) -> str:
    """The database engine the servers of this test use ("sqlite" unless parametrized)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A PostgreSQL cluster of this session (per xdist worker), with a migrated template database."""
    cluster: PgCluster | None = None
    try:
        cluster = PgCluster().start()
        cluster.create_template(TEMPLATE)
    except PostgresUnavailable as exc:
        if cluster is not None:
            cluster.stop()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must run on CI, and it did not start: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL is not available here: {exc}")
    _clusters.append(cluster)
    try:
        yield cluster
    finally:
        _clusters.remove(cluster)
        cluster.stop()


def database_for(engine: str, request: pytest.FixtureRequest, directory: Path) -> Path | str:
    """A fresh, migrated database for one server: a file in `directory`, or a PostgreSQL database."""
    if engine == "postgresql":
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        return cluster.create_database(TEMPLATE)
    return directory / "server.sqlite3"


class SeededTemplates:
    """SQLite databases seeded once per pytest process, copied for each new demo server.

    Seeding the demo world costs a server ~0.2 s of CPU and a burst of writes; a copy of a file
    seeded the same way (`seed_as_asked`, as the server's own start-up, with the same anchor) is
    the same world, and the server then finds it seeded and leaves it as it is. Only a demo
    anchored at a fixed instant is templated: bulk tickets without a demo are dated from the
    real clock when the server starts.
    """

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._seeded: dict[tuple[str, int], Path] = {}

    def copy_to(self, target: Path, options: dict[str, Any]) -> None:
        """Put the seeded world the server with these options would create into `target`, if
        it is templated and `target` does not exist yet; otherwise leave seeding to the server."""
        if not options.get("demo", True) or target.exists():
            return
        key = (str(options.get("demo_now", DEMO_NOW)), int(options.get("tickets") or 0))
        if key not in self._seeded:
            template = self._template_folder() / f"template{len(self._seeded)}.sqlite3"
            self._seeded[key] = self._seed(key, template)
        shutil.copyfile(self._seeded[key], target)
        os.chmod(target, 0o600)  # as the server makes its database: it holds customers' data

    def _template_folder(self) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="supportdesk-templates-"))
        return self._folder

    @staticmethod
    def _seed(key: tuple[str, int], path: Path) -> Path:
        from supportdesk_tui.server.store import open_store  # the server's code, loaded when first used

        demo_now, tickets = key
        store = open_store(path)
        try:
            seed_as_asked(store, demo=True, tickets=tickets, now=parse_when(demo_now))
        finally:
            store.close()
        with contextlib.closing(sqlite3.connect(path)) as db:
            # Each server makes its own secret for signing cursors, as on a database it seeded.
            db.execute("DELETE FROM meta WHERE key = 'cursor_secret'")
            db.commit()
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the one file we copy
        return path

    def remove(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self._seeded.clear()


_templates = SeededTemplates()


def _new_server(
    directory: Path,
    tokens: tuple[str, ...] = STANDARD_LOGINS,
    database: Path | str | None = None,
    **options: Any,
) -> ServerHandle:
    directory.mkdir(parents=True, exist_ok=True)
    handle = ServerHandle(
        db_path=database or directory / "server.sqlite3", log_path=directory / "server.log", options=options
    )
    if handle.engine == "sqlite":
        _templates.copy_to(Path(handle.db_path), options)
    for login in tokens:
        handle.token(login)
    handle.start()
    if handle.engine == "postgresql" and _clusters:
        _clusters[-1].servers.append(handle)
    return handle


@pytest.fixture(scope="session")
def _shared_servers() -> Iterator[dict[tuple[str, str], ServerHandle]]:
    """Session servers by (role, engine): they outlive the switches between engine parameters."""
    servers: dict[tuple[str, str], ServerHandle] = {}
    try:
        yield servers
    finally:
        for handle in servers.values():
            handle.terminate()
        for handle in servers.values():
            handle.stop()


def _shared(
    name: str,
    engine: str,
    request: pytest.FixtureRequest,
    factory: pytest.TempPathFactory,
    servers: dict[tuple[str, str], ServerHandle],
    **options: Any,
) -> ServerHandle:
    if (name, engine) not in servers:
        directory = factory.mktemp(f"{name}-{engine}")
        servers[(name, engine)] = _new_server(
            directory, database=database_for(engine, request, directory), **options
        )
    return servers[(name, engine)]


@pytest.fixture(scope="session")
def live_server(
    engine: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _shared_servers: dict[tuple[str, str], ServerHandle],
) -> ServerHandle:
    """The demo server (clock anchored at DEMO_NOW), shared by the session; don't kill it."""
    return _shared("live_server", engine, request, tmp_path_factory, _shared_servers)


@pytest.fixture(scope="session")
def workday_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """A demo server the app's end-to-end tests work in (they create tickets, escalate, reply).

    Kept apart from `live_server`, which stays exactly as seeded.
    """
    handle = _new_server(tmp_path_factory.mktemp("workday"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="session")
def backend(
    engine: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _shared_servers: dict[tuple[str, str], ServerHandle],
) -> ServerHandle:
    """Another demo server for the backend's own tests, which change the world they run in.

    `live_server` then stays as seeded for tests that compare against the demo data.
    """
    return _shared("backend", engine, request, tmp_path_factory, _shared_servers)


@pytest.fixture(scope="session")
def backlog_server(
    engine: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _shared_servers: dict[tuple[str, str], ServerHandle],
) -> ServerHandle:
    """10,000 bulk tickets and nothing else, shared by the session: read it, don't change it."""
    return _shared("backlog", engine, request, tmp_path_factory, _shared_servers, demo=False, tickets=10_000)


ServerFactory = Callable[..., ServerHandle]


@pytest.fixture
def server_factory(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerFactory]:
    """Start independent servers: `server_factory(tickets=10000, rate_limit=5, keepalive=0.5, demo=False)`."""
    started: list[ServerHandle] = []

    def start(**options: Any) -> ServerHandle:
        directory = tmp_path / f"server{len(started)}"
        directory.mkdir(parents=True, exist_ok=True)
        handle = _new_server(directory, database=database_for(engine, request, directory), **options)
        started.append(handle)
        return handle

    try:
        yield start
    finally:
        for handle in started:
            handle.stop()
