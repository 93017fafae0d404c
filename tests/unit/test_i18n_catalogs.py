"""The shipped catalogs: complete, consistent with the source, and Russian plural rules intact."""

from __future__ import annotations

import subprocess
import sys

from supportdesk_tui.i18n.catalog import Catalog, catalog_path
from supportdesk_tui.i18n.check import check_catalogs
from supportdesk_tui.i18n.po import read_po


def test_every_msgid_in_the_source_is_in_both_catalogs_and_translated() -> None:
    report = check_catalogs()
    assert report.problems == [], (
        "run `python -m supportdesk_tui.i18n.extract`, translate the new ru entries:\n"
        + "\n".join(report.problems)
    )


def test_both_catalogs_list_the_same_messages() -> None:
    en = set(read_po(catalog_path("en")).by_key())
    ru = set(read_po(catalog_path("ru")).by_key())
    assert en == ru


def test_seeded_vocabulary_is_present() -> None:
    keys = set(read_po(catalog_path("ru")).by_key())
    for status in ("New", "Open", "Pending", "On hold", "Solved", "Closed"):
        assert ("status", status) in keys
    for priority in ("Low", "Normal", "High", "Urgent"):
        assert ("priority", priority) in keys
    for label in ("Queue", "Unassigned", "Loading…", "Offline — showing what was loaded", "Reconnecting…"):
        assert (None, label) in keys


def test_russian_catalog_declares_three_plural_forms() -> None:
    catalog = Catalog.load("ru")
    assert catalog.nplurals == 3
    assert [catalog.plural(n) for n in (1, 2, 5, 11, 21)] == [0, 1, 2, 2, 0]


def test_check_tool_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "supportdesk_tui.i18n.check", "--quiet"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "catalogs OK" in result.stdout
