"""How often the event stream speaks, so a client can tell a quiet server from a gone one.

The stream writes a comment (`: keep-alive`) at least every `STREAM_KEEPALIVE_SECONDS`. A client
that hears no byte for `SILENT_STREAM_SECONDS` (the interval twice, and half of it again for
scheduling on a busy machine) may take the server, or the way to it, as gone.

Standard library only: the server's command line reads these without loading pydantic.
"""

from __future__ import annotations

__all__ = ["SILENT_STREAM_SECONDS", "STREAM_KEEPALIVE_SECONDS"]

STREAM_KEEPALIVE_SECONDS = 1.0
SILENT_STREAM_SECONDS = 2.5 * STREAM_KEEPALIVE_SECONDS
