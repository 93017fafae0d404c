"""Write the served OpenAPI document to `docs/api/openapi.json`.

Run `python -m supportdesk_tui.server.openapi_export` after changing a route or a model.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_TARGET = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.json"


def openapi_document() -> dict[str, Any]:
    """The document exactly as `GET /api/v1/openapi.json` serves it."""
    from supportdesk_tui.server.app import create_app
    from supportdesk_tui.server.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "schema.sqlite3")
        try:
            document: dict[str, Any] = create_app(store, background=False).openapi()
        finally:
            store.close()
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write(target: Path = DEFAULT_TARGET) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(openapi_document()), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = write(Path(args[0]) if args else DEFAULT_TARGET)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
