"""Write docs/screenshots/<scene>.svg: every screen of the real app against a fresh demo server.

    python -m supportdesk_tui.devtools.screenshots [--lang en]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from supportdesk_tui.devtools.demo_server import demo_server
from supportdesk_tui.devtools.render import SCENES, render

OUT = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write SVG screenshots of every screen.")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work, demo_server(Path(work)) as server:
        for name, scene in SCENES.items():
            svg, _chrome = render(name, args.lang, server.url, server.token(scene.login))
            (args.out / f"{name}.svg").write_text(svg, encoding="utf-8")
            print(args.out / f"{name}.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
