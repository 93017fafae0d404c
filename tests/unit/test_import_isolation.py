"""The API and domain layers load without Textual (fast CLI start, no UI in pure logic)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_api_and_domain_never_import_textual() -> None:
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        import supportdesk_tui.api, supportdesk_tui.domain
        names = []
        for package in (supportdesk_tui.api, supportdesk_tui.domain):
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                importlib.import_module(info.name)
                names.append(info.name)
        leaked = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        print(len(names), leaked)
        sys.exit(1 if leaked else 0)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    imported = int(proc.stdout.split()[0])
    assert imported >= 10  # all domain modules (+ whatever api has) were really imported
