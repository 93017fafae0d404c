"""A minimal keep-alive HTTP/1.1 client on asyncio streams, for the team load generator.

One `Connection` carries one request at a time, like one agent's app. It understands
Content-Length and chunked bodies and nothing else (no TLS, no redirects, no compression):
the reference server on loopback needs no more. httpx is not used because one AsyncClient
with hundreds of concurrent tasks measures its own pool, not the server (perf-notes).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

HEAD_LIMIT = 64 * 1024


class HttpError(Exception):
    """The connection broke or the response was not HTTP/1.1 as we know it."""


class ClosedBeforeResponse(HttpError):
    """Not one response byte came back: the server had closed the kept-alive connection."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    body: bytes


class Connection:
    """One keep-alive connection; reconnects lazily when the server has closed it."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.connects = 0
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=HEAD_LIMIT)
        self.connects += 1
        self._reader, self._writer = reader, writer
        return reader, writer

    async def request(self, method: str, path: str, headers: Mapping[str, str] | None = None,
                      body: bytes = b"") -> Response:
        # uvicorn closes a connection idle for 5 s, and a human thinks for 2–5 s: a request on a
        # reused connection that dies before any response byte is retried once on a fresh one.
        # That is safe here: GETs, and POSTs that carry an Idempotency-Key.
        reused = self._reader is not None and not self._reader.at_eof()
        if not reused:
            self.close()
        try:
            return await self._exchange(method, path, headers, body)
        except ClosedBeforeResponse:
            self.close()
            if not reused:
                raise
        except BaseException:
            self.close()
            raise
        try:
            return await self._exchange(method, path, headers, body)
        except BaseException:
            self.close()
            raise

    async def _exchange(self, method: str, path: str, headers: Mapping[str, str] | None,
                        body: bytes) -> Response:
        if self._reader is None or self._writer is None:
            reader, writer = await self._open()
        else:
            reader, writer = self._reader, self._writer
        try:
            writer.write(_request_head(method, path, self.host, self.port, headers, len(body)) + body)
            await writer.drain()
        except ConnectionError as exc:
            raise ClosedBeforeResponse(str(exc)) from exc
        status, response_headers = await _read_head(reader)
        if response_headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = [chunk async for chunk in _chunks(reader)]
            data = b"".join(chunks)
        else:
            data = await reader.readexactly(int(response_headers.get("content-length", "0")))
        if response_headers.get("connection", "").lower() == "close":
            self.close()
        return Response(status, response_headers, data)

    async def stream(self, path: str,
                     headers: Mapping[str, str] | None = None) -> tuple[int, AsyncIterator[bytes]]:
        """GET a streaming (chunked) response: its status and its chunks as they arrive."""
        self.close()
        reader, writer = await self._open()
        writer.write(_request_head("GET", path, self.host, self.port, headers, 0))
        await writer.drain()
        status, response_headers = await _read_head(reader)
        if response_headers.get("transfer-encoding", "").lower() != "chunked":
            length = int(response_headers.get("content-length", "0"))
            body = await reader.readexactly(length)

            async def once() -> AsyncIterator[bytes]:
                yield body

            return status, once()
        return status, _chunks(reader)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def _request_head(method: str, path: str, host: str, port: int, headers: Mapping[str, str] | None,
                  length: int) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if length or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise HttpError("connection closed inside a response head") from exc
        raise ClosedBeforeResponse("connection closed before a response") from exc
    except ConnectionResetError as exc:
        raise ClosedBeforeResponse(str(exc)) from exc
    except asyncio.LimitOverrunError as exc:
        raise HttpError("response head too large") from exc
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise HttpError(f"not an HTTP/1.1 status line: {lines[0]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


async def _chunks(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers from our server: just the final CRLF
            return
        data = await reader.readexactly(size + 2)
        yield data[:-2]

