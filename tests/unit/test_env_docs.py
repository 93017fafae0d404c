"""docs/config.md names every environment variable SupportDesk reads.

Variables are read through constants (`HOME_ENV = "SUPPORTDESK_HOME"`), mappings (the ASGI
factory's list) and `os.environ.get("…")` alike, so the test takes every `SUPPORTDESK_…` name
in the code (the package, the test fixtures, the benchmarks) and looks for it on the page.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "config.md"
SOURCES = [*(ROOT / "src" / "supportdesk_tui").rglob("*.py"), ROOT / "tests" / "conftest.py",
           *(ROOT / "bench").rglob("*.py")]
NAME = re.compile(r"\bSUPPORTDESK_[A-Z0-9_]*[A-Z0-9_]")
# Names in the code that no one sets: each with why it is not a variable.
NOT_VARIABLES = {
    "SUPPORTDESK_LISTENING": "the line `serve --machine-readable` prints, not one it reads",
}
# Read without a literal name: a locale variable list.
OTHER_READ = ("LC_ALL", "LC_MESSAGES", "LANG")


def _names_in_code() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in SOURCES:
        for name in NAME.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_supportdesk_variable_the_code_reads_is_in_docs_config_md() -> None:
    doc = DOC.read_text(encoding="utf-8")
    names = _names_in_code()
    # The test must be able to fail: the code reads these, wherever their names are written.
    assert {"SUPPORTDESK_NO_KEYRING", "SUPPORTDESK_HOME", "SUPPORTDESK_DATABASE_URL",
            "SUPPORTDESK_LOG_FORMAT", "SUPPORTDESK_RATE_LIMIT", "SUPPORTDESK_TEST_ENGINE"} <= set(names)

    missing = {name: sorted(files) for name, files in names.items()
               if name not in NOT_VARIABLES and f"`{name}" not in doc}
    assert not missing, f"add these environment variables to docs/config.md: {missing}"


def test_the_names_that_are_not_variables_are_still_in_the_code() -> None:
    assert set(NOT_VARIABLES) <= set(_names_in_code()), "drop the names the code no longer has"


def test_the_locale_variables_are_named_too() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert all(f"`{name}`" in doc for name in OTHER_READ)
