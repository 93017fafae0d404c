"""The bench's slow link passes everything through, in order, and lets a stream flow while it lasts.

Nothing here judges time: the delay is the bench's business; these check that what the app gets
through the proxy is what the server sent, and that a response still being written (the event
stream) reaches the client chunk by chunk instead of at its end.
"""

from __future__ import annotations

import asyncio
import contextlib

from bench.slow_link import serve

ONE_WAY = 0.01


async def _proxy_to(port: int) -> tuple[asyncio.Task[None], int]:
    urls: asyncio.Queue[str] = asyncio.Queue()
    task = asyncio.create_task(serve(f"http://127.0.0.1:{port}", ONE_WAY, listening=urls.put_nowait))
    url = await asyncio.wait_for(urls.get(), 10)
    return task, int(url.rsplit(":", 1)[1])


async def test_every_byte_arrives_in_order_both_ways() -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(4096):
            writer.write(data)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    task, port = await _proxy_to(server.sockets[0].getsockname()[1])
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sent = bytes(range(256)) * 4000  # 1 MB: many chunks
        writer.write(sent)
        await writer.drain()
        writer.write_eof()
        received = await asyncio.wait_for(reader.read(), 30)
        assert received == sent
        writer.close()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        server.close()


async def test_a_stream_reaches_the_client_while_the_server_is_still_writing_it() -> None:
    client_got_first = asyncio.Event()

    async def stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"event: one\n\n")
        await writer.drain()
        await client_got_first.wait()  # the stream goes on only once the first event was seen
        writer.write(b"event: two\n\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(stream, "127.0.0.1", 0)
    task, port = await _proxy_to(server.sockets[0].getsockname()[1])
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(reader.readuntil(b"\n\n"), 10) == b"event: one\n\n"
        client_got_first.set()
        assert await asyncio.wait_for(reader.read(), 10) == b"event: two\n\n"
        writer.close()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        server.close()
