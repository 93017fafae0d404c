"""A slow link on loopback: a TCP proxy that holds every chunk for a while in each direction.

`python -m bench.slow_link --target http://127.0.0.1:PORT [--one-way 0.15]` prints
`listening on http://127.0.0.1:PORT2` and forwards until killed. Every chunk read from one side
reaches the other `one_way` seconds later, in order, so a round trip costs twice that (300 ms
by default) while a streamed response (the SSE event stream) keeps flowing: chunks are delayed,
never batched or held back for one another. The delay is added per direction from the moment a
chunk was read, as a long cable would (bandwidth is not limited).

Only stdlib asyncio, one process of its own, so it takes nothing from the measured app's loop.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

LISTENING_PREFIX = "listening on "
CHUNK = 65536


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, one_way: float) -> None:
    """Copy reader → writer, each chunk `one_way` seconds after it was read, keeping order."""
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await chunks.get()
            if not data:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        # The other side closed: pass the end on, after the same delay as its last bytes.
        wait = due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        with contextlib.suppress(OSError):
            if writer.can_write_eof():
                writer.write_eof()

    delivering = asyncio.create_task(deliver())
    try:
        while True:
            data = await reader.read(CHUNK)
            chunks.put_nowait((loop.time() + one_way, data))
            if not data:
                break
        await delivering
    except (ConnectionError, OSError):
        pass
    finally:
        delivering.cancel()


async def _connection(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter,
                      host: str, port: int, one_way: float) -> None:
    try:
        # Opening the connection costs a round trip too, as on a real link.
        await asyncio.sleep(2 * one_way)
        server_reader, server_writer = await asyncio.open_connection(host, port)
    except OSError:
        client_writer.close()
        return
    try:
        await asyncio.gather(_pipe(client_reader, server_writer, one_way),
                             _pipe(server_reader, client_writer, one_way))
    finally:
        for writer in (client_writer, server_writer):
            with contextlib.suppress(OSError):
                writer.close()


def _announce(url: str) -> None:
    print(f"{LISTENING_PREFIX}{url}", flush=True)


async def serve(target: str, one_way: float, port: int = 0, *,
                listening: Callable[[str], None] = _announce) -> None:
    """Forward 127.0.0.1:`port` (0: any free one) to `target` until cancelled; `listening` gets
    the proxy's URL once it accepts connections."""
    parts = urlsplit(target)
    host, target_port = parts.hostname or "127.0.0.1", parts.port or 80

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _connection(reader, writer, host, target_port, one_way)

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    bound = server.sockets[0].getsockname()[1]
    listening(f"http://127.0.0.1:{bound}")
    async with server:
        await server.serve_forever()


class SlowLinkProcess:
    """The proxy as a child process: `start()` returns the URL to use instead of `target`."""

    def __init__(self, target: str, one_way: float = 0.15) -> None:
        self.target = target
        self.one_way = one_way
        self.url = ""
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> str:
        repo = Path(__file__).resolve().parent.parent
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.slow_link", "--target", self.target,
             "--one-way", str(self.one_way)],
            cwd=repo, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith(LISTENING_PREFIX):
            self.stop()
            raise RuntimeError(f"the slow link did not start: {line!r}")
        self.url = line[len(LISTENING_PREFIX):]
        return self.url

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.slow_link", description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="the backend's URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--one-way", type=float, default=0.15, help="seconds added in each direction")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.target, args.one_way, args.port))
    sys.exit(0)


if __name__ == "__main__":
    main()
