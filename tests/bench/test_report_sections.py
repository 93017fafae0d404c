"""`python -m bench --only SECTION` rewrites its sections' parts of docs/benchmarks.md and nothing else.

No benchmark runs here: reports are built from made-up figures, and these check where the text
lands, that every other byte stays, and that a verdict is computed from the figures beside it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bench import __main__ as bench_main
from bench import document, report

MACHINE = {"nproc": "2", "cpu": "test cpu"}
NOTES = ["Notes from profiling.", "", "- **Cold start.** imports."]


def _stamp(run: str) -> bench_main.Stamp:
    return bench_main.Stamp(f"python -m bench --only {run}", f"2026-12-06 {run}", "1.00 / 1.00 / 1.00",
                            "2.00 / 2.00 / 2.00")


def _made_up(name: str, run: str) -> document.SectionReport:
    """A section's parts, each carrying which run wrote it."""
    return document.SectionReport(
        name,
        body=f"{_stamp(run).line()}\n\n| figure | value |\n|---|---|\n| {name} | {run} |",
        setup=[f"{name.capitalize()}: set up by {run}."],
        reading=[f"- {name} verdict from {run}: **met**.", "", f"A paragraph of {name} from {run}."],
    )


def _report_of_every_section(run: str) -> str:
    reports = [_made_up(name, run) for name in document.SECTIONS]
    return document.splice(document.skeleton(MACHINE, NOTES), reports)


def _without(text: str, name: str) -> str:
    """The report with every part of one section cut out."""
    title = re.escape(document.TITLES[name])
    text = re.sub(rf"^## {title}\n.*?(?=^## )", "", text, flags=re.S | re.M)
    return re.sub(rf"<!-- bench:{name} -->\n.*?<!-- /bench:{name} -->\n\n", "", text, flags=re.S)


@pytest.mark.parametrize("name", document.SECTIONS)
def test_a_run_of_one_section_leaves_every_other_byte_as_it_was(name: str) -> None:
    before = _report_of_every_section("run-one")

    after = document.splice(before, [_made_up(name, "run-two")])

    assert _without(after, name) == _without(before, name)
    # The stamp (date and command), the table, the setup bullet, the reading (verdict and paragraph).
    assert after.count("run-two") == 6
    assert f"{name} verdict from run-one" not in after  # no stale verdict left behind
    assert f"- {name} verdict from run-two" in after.split("## Reading the numbers", 1)[1]
    assert f"- {name.capitalize()}: set up by run-two." in after.split("## How it was measured", 1)[1]


def test_rerunning_the_same_sections_writes_the_same_report() -> None:
    written = _report_of_every_section("run-one")
    rerun = [_made_up("queue", "run-two"), _made_up("slow", "run-two")]

    once = document.splice(written, rerun)

    assert document.splice(once, rerun) == once


def test_a_section_the_report_lacks_lands_in_its_place_in_each_part() -> None:
    others = [_made_up(name, "run-one") for name in document.SECTIONS if name != "dashboard"]
    written = document.splice(document.skeleton(MACHINE, NOTES), others)

    after = document.splice(written, [_made_up("dashboard", "run-two")])

    headings = re.findall(r"^## (.+)$", after, re.M)
    assert headings.index(document.TITLES["dashboard"]) == headings.index(document.TITLES["queue"]) + 1
    for part in ("## How it was measured", "## Reading the numbers"):
        section = after.split(part, 1)[1].split("\n## ", 1)[0]
        assert section.index("<!-- /bench:queue -->") < section.index("<!-- bench:dashboard -->") \
            < section.index("<!-- bench:live -->")


def test_unknown_section_names_are_refused_with_the_known_ones() -> None:
    with pytest.raises(document.UnknownSection) as refused:
        document.parse_sections("cold,warm,queue")

    assert "'warm'" in str(refused.value)
    for name in document.SECTIONS:
        assert name in str(refused.value)


def test_the_command_refuses_an_unknown_section_before_measuring_anything(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        bench_main.main(["--only", "cold,quueue"])

    assert exited.value.code == 2
    assert "unknown section 'quueue'; the sections are: cold, queue" in capsys.readouterr().err


def test_sections_are_run_in_the_reports_order_whatever_order_they_are_named_in() -> None:
    assert document.parse_sections(" slow , cold,slow") == ("cold", "slow")


def test_queue_sizes_must_include_the_thousand_the_others_are_compared_with() -> None:
    args = bench_main.parse_args(["--quick", "--queue-sizes", "100000,1000"])

    assert bench_main.plan_for(args).scales == (1_000, 100_000)
    assert not bench_main.plan_for(args).try_million
    with pytest.raises(SystemExit):
        bench_main.parse_args(["--queue-sizes", "100000"])


# --- a report written before the sections had markers ------------------------------------------

OLD_REPORT = """# Benchmarks

Written by `.venv/bin/python -m bench` (`make bench`); rerun the same command to regenerate it.
Numbers from one run on the machine below.

## Machine

- date: 2026-12-06 15:51 UTC
- nproc: 2
- load average at start (1/5/15 min): 2.82 / 2.52 / 2.34
- load average at end (1/5/15 min): 1.60 / 1.40 / 1.33

## How it was measured

- Cold start: old cold setup.
- Queue: old queue setup.
- Key → frame: old key setup.
- Slow link: old slow setup.

## Cold start

| What | median |
|---|---|
| old cold | 0.83 |

## Queue at scale and opening a ticket

| Figure (median / p95) | Unit | 1k |
|---|---|---|
| old queue row | ms | 5 |
| Dashboard: events/s absorbed (flood) | ev/s | 21721 |

### Memory per ticket after the GC change (a check run after the full bench above)

The next `make bench` writes these rows into the table above.

## A slow link: +300 ms round trip

| old slow | 1 |

## A note written by hand

Kept as it is.

## Reading the numbers

- Cold start ≤ 1.3× the trivial app: **missed** (old).
- Memory at 1k: old memory verdict.

A frame here is what Textual writes to the terminal.
- Dashboard at 1k: old dashboard verdict.
- Slow link: old slow verdict.

## Where the time goes

- **Cold start.** old notes.
"""


def test_an_old_report_is_cut_into_sections_without_losing_a_line() -> None:
    migrated = document.migrate(OLD_REPORT)

    kept = set(migrated.splitlines())
    gone = {line for line in OLD_REPORT.splitlines() if line not in kept}
    # Only the one-run header and the run's date and load average, which are now in every stamp.
    assert all(line.startswith(("Written by", "Numbers from", "- date", "- load average")) for line in gone)
    old_run = ("*Measured 2026-12-06 15:51 UTC by `.venv/bin/python -m bench`; load average (1/5/15 min) "
               "2.82 / 2.52 / 2.34 at its start, 1.60 / 1.40 / 1.33 at its end.*")
    assert migrated.count(old_run) == 4  # cold, queue, dashboard (cut from the queue's table), slow
    assert "## A note written by hand\n\nKept as it is.\n\n## Reading the numbers\n" in migrated
    dashboard = migrated.split(f"## {document.TITLES['dashboard']}\n", 1)[1].split("\n## ", 1)[0]
    assert "| Dashboard: events/s absorbed (flood) | ev/s | 21721 |" in dashboard
    assert "| Figure (median / p95) | Unit | 1k |" in dashboard


def test_a_queue_run_replaces_the_interim_memory_check_and_a_cold_run_keeps_it() -> None:
    cold_only = document.splice(OLD_REPORT, [_made_up("cold", "run-two")])
    queue_too = document.splice(cold_only, [_made_up("queue", "run-two")])

    assert "### Memory per ticket after the GC change" in cold_only
    assert "- Memory at 1k: old memory verdict." in cold_only
    assert "### Memory per ticket after the GC change" not in queue_too
    assert "old memory verdict" not in queue_too
    assert "A frame here is" not in queue_too  # the queue's own paragraph went with its verdicts
    assert "- Dashboard at 1k: old dashboard verdict." in queue_too
    assert "| old slow | 1 |" in queue_too and "- Slow link: old slow verdict." in queue_too
    assert queue_too.endswith("- **Cold start.** old notes.\n")


def test_notes_are_rewritten_only_when_asked_for() -> None:
    written = _report_of_every_section("run-one")

    rewritten = document.replace_notes(written, ["- new notes."])

    assert rewritten.endswith("## Where the time goes\n\n- new notes.\n")
    assert rewritten.split("## Where the time goes")[0] == written.split("## Where the time goes")[0]
    assert document.splice(written, []) == written


# --- verdicts come from the figures beside them ----------------------------------------------------


def test_cold_start_verdicts_are_computed_from_the_same_runs_as_its_table() -> None:
    cold = report.ColdStart(trivial=[0.20, 0.20, 0.20], app=[0.50, 0.50, 0.50])

    section = bench_main.cold_report(cold, bench_main.QUICK, _stamp("run-two"))

    assert "| 0.50 / 0.50 |" in section.body and "| 2.50× |" in section.body
    assert section.reading[0].endswith("**missed** (2.50×: 0.50 s vs 0.20 s).")


def test_a_first_start_painted_while_loading_is_reported_beside_the_live_queue_it_waits_for() -> None:
    cold = report.ColdStart(trivial=[0.20, 0.20], app=[0.12, 0.12], app_live=[0.80, 0.80])

    section = bench_main.cold_report(cold, bench_main.QUICK, _stamp("run-two"))

    assert "| 0.60× |" in section.body and "| 4.00× |" in section.body
    assert "**met** (0.60×: 0.12 s vs 0.20 s); subjects painted while the app loads" in section.reading[0]
    assert section.reading[0].endswith("live queue follows at 0.80 s (4.00×).")


def _queue_run(rss_10: float, rss_200: float) -> dict[str, Any]:
    return {"cursor_row_reached": 40, "pages_held": 2, "rows_held": 200, "move_s": [0.004, 0.005],
            "open_s": [0.030], "open_uncached_s": [0.060], "api_open_s": [0.005],
            "rss_after_10_opens_kib": rss_10, "rss_after_200_opens_kib": rss_200}


def test_memory_verdicts_are_computed_from_the_same_runs_as_the_queue_table() -> None:
    runs = {1_000: [_queue_run(100 * 1024, 105 * 1024)], 100_000: [_queue_run(100 * 1024, 150 * 1024)]}
    base = [{"rss_after_paging_kib": 80 * 1024}]

    section = bench_main.queue_report(runs, base, {1_000: 1.0, 100_000: 5.0}, bench_main.QUICK,
                                      _stamp("run-two"))

    assert "| 100 / 100 | 100 / 100 |" in section.body and "| 105 / 105 | 150 / 150 |" in section.body
    memory = [line for line in section.reading if line.startswith("- Memory at")]
    assert memory[0].startswith("- Memory at 1k: RSS after 200 opens ≤ 1.1× after 10 **met** (1.05×: 105 vs")
    assert memory[1].startswith("- Memory at 100k: RSS after 200 opens ≤ 1.1× after 10 **missed** (1.50×:")
    assert "≤ 1.5× the DataTable app **met** (1.31×: 80 MiB)" in memory[0]
    assert section.setup[0].startswith("Queue: reference backends seeded with 1,000, 100,000 bulk tickets")
    assert not any("nan" in line for line in section.reading)  # no scrolling moves: a dash, not "nan"
    assert f"| RSS after {bench_main.QUICK.pagedowns} page-downs |" in section.body  # the steps this run took


def test_the_titles_are_those_the_sections_write() -> None:
    from bench import cluster_section, slow_link_section, thread_section

    assert document.TITLES["slow"] == slow_link_section.TITLE
    assert document.TITLES["cluster"] == cluster_section.TITLE
    assert document.TITLES["thread"] == f"A long conversation: {thread_section.MESSAGES:,} messages"


def test_a_full_run_writes_the_whole_report_and_a_partial_one_only_its_sections(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    bench_main.write_report(out, [_made_up(name, "run-one") for name in document.SECTIONS], partial=False,
                            rewrite_notes=False)
    full = out.read_text(encoding="utf-8")

    bench_main.write_report(out, [_made_up("thread", "run-two")], partial=True, rewrite_notes=False)

    assert all(f"## {title}\n" in full for title in document.TITLES.values())
    assert full.split("## Where the time goes\n\n")[1] == "\n".join(bench_main.PROFILE_NOTES) + "\n"
    assert _without(out.read_text(encoding="utf-8"), "thread") == _without(full, "thread")


def test_when_a_later_section_fails_the_earlier_ones_are_still_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text(_report_of_every_section("run-one"), encoding="utf-8")

    def cold_then_a_crash(chosen: tuple[str, ...], *_args: Any) -> None:
        reports = _args[-1]
        reports.append(_made_up("cold", "run-two"))
        raise RuntimeError("bench.live_probe failed")

    monkeypatch.setattr(bench_main, "measure", cold_then_a_crash)
    with pytest.raises(RuntimeError):
        bench_main.main(["--only", "cold,live", "--out", str(out)])

    written = out.read_text(encoding="utf-8")
    assert "cold verdict from run-two" in written
    assert "live verdict from run-one" in written
