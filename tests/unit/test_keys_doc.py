"""docs/keys.md is generated from the binding ids; it must match the code."""

from __future__ import annotations

import subprocess
import sys


def test_key_reference_in_docs_matches_the_bindings() -> None:
    # A fresh interpreter: the descriptions must be English, whatever language other tests set.
    done = subprocess.run([sys.executable, "-m", "supportdesk_tui.devtools.keyref", "--check"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
