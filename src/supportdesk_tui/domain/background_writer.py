"""One thread that writes small files (drafts, the outbox) off the UI loop, in a safe order.

Each job writes one file, named by a key. A job handed over for a key whose last job has not
started yet replaces it: only a file's latest content matters. One write at a time, by the thread
or by a caller writing directly (`direct`), so a write never overtakes another of the same file.

Jobs handed over with `first=True` (the outbox) go before all others, and a direct write runs the
waiting ones before its own: a draft deleted or overwritten after a send never reaches the disk
before the outbox entry that holds the sent text (a kill in between leaves one or the other).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["WRITER_IDLE_SECONDS", "BackgroundWriter"]

WRITER_IDLE_SECONDS = 10.0  # the thread ends after this long with nothing to write

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Job:
    value: object  # what the file will hold: readable back (`waiting`) before it is written
    write: Callable[[], None]  # handles its own OSError: the thread has nobody to tell
    first: bool


class BackgroundWriter:
    def __init__(self, name: str = "disk-writer") -> None:
        self._name = name
        # Held for each write, by the thread and by direct writes alike.
        self._io = threading.Lock()
        # Guards `_pending` and `_writing`; the thread waits on it for work.
        self._state = threading.Condition()
        self._pending: dict[Hashable, _Job] = {}
        self._writing: set[Hashable] = set()
        self._thread: threading.Thread | None = None

    def submit(self, key: Hashable, value: object, write: Callable[[], None], *,
               first: bool = False) -> None:
        """Have the thread run `write` (which writes `value` to the file `key` names) soon."""
        with self._state:
            self._pending[key] = _Job(value, write, first)
            if self._thread is None:
                # A daemon: a write in progress never keeps a quitting app alive; `flush` (the
                # session's close) is what waits for the last one.
                self._thread = threading.Thread(target=self._run_pending, name=self._name, daemon=True)
                self._thread.start()
            self._state.notify_all()

    def waiting(self, key: Hashable) -> object | None:
        """The value handed over for `key` and not written yet (None if there is none)."""
        with self._state:
            job = self._pending.get(key)
        return None if job is None else job.value

    @contextmanager
    def direct(self, key: Hashable) -> Iterator[None]:
        """For a write of `key` on the caller's thread, now: the job waiting for `key` is dropped
        (the caller's content is newer), the `first` jobs waiting are written before it."""
        with self._io:
            with self._state:
                self._pending.pop(key, None)
                firsts = [(k, job) for k, job in self._pending.items() if job.first]
                for k, _job in firsts:
                    del self._pending[k]
                self._writing.update([key, *(k for k, _job in firsts)])
            for k, job in firsts:
                self._write(k, job)
            try:
                yield
            finally:
                with self._state:
                    self._writing.discard(key)
                    self._state.notify_all()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """No write in progress meanwhile (a reader sees whole files anyway; this keeps the order)."""
        with self._io:
            yield

    def flush(self) -> None:
        """Return once every job handed over before this call is written (or failed)."""
        with self._state:
            while self._pending or self._writing:
                self._state.wait()

    def wait(self, key: Hashable) -> None:
        """Return once nothing for `key` waits or is being written."""
        with self._state:
            while key in self._pending or key in self._writing:
                self._state.wait()

    def _write(self, key: Hashable, job: _Job) -> None:
        """Under `_io`, with `key` already counted in `_writing` (so no waiter misses it)."""
        try:
            job.write()
        except Exception:  # a job's own failures are its to report; this is a bug, not the disk
            _log.exception("background write of %r failed", key)
        finally:
            with self._state:
                self._writing.discard(key)
                self._state.notify_all()

    def _next(self) -> tuple[Hashable, _Job] | None:
        """Under `_state`: the first `first` job, else the oldest."""
        key = next((k for k, job in self._pending.items() if job.first), None)
        if key is None:
            key = next(iter(self._pending), None)
        if key is None:
            return None
        return key, self._pending.pop(key)

    def _run_pending(self) -> None:
        while True:
            with self._state:
                while not self._pending:
                    # Gone when idle: a session is not kept alive by its thread for good.
                    if not self._state.wait(WRITER_IDLE_SECONDS) and not self._pending:
                        self._thread = None
                        return
            with self._io:
                with self._state:
                    picked = self._next()  # None: taken back by a direct write meanwhile
                    if picked is not None:
                        self._writing.add(picked[0])
                if picked is not None:
                    self._write(*picked)
