"""docs/benchmarks.md as sections that can be rewritten one at a time.

Each benchmark section owns three parts of the report:
- its body: the `## Title` heading and everything up to the next `## ` heading (a stamp saying
  which run wrote it, then its tables);
- its bullets in "How it was measured", between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`;
- its lines in "Reading the numbers", between the same markers (so a verdict always sits beside
  the figures of the run that computed it).

`splice` replaces the parts of the sections given and leaves every other byte of the report as it
was. A report written before the markers existed is first cut into them by `migrate`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# In the report's order. "notes" is not measured: "Where the time goes", written from the bench's
# PROFILE_NOTES.
SECTIONS = ("cold", "queue", "dashboard", "live", "thread", "slow", "team", "cluster")
NOTES = "notes"
TITLES = {
    "cold": "Cold start",
    "queue": "Queue at scale and opening a ticket",
    "dashboard": "The lead's dashboard under event storms",
    "live": "Live latency: a change on the backend → the frame that shows it",
    "thread": "A long conversation: 2,000 messages",
    "slow": "A slow link: +300 ms round trip",
    "team": "The backend under a team",
    "cluster": "Scale-out: two instances on PostgreSQL next to one on SQLite",
}
MEASURED = "How it was measured"
READING = "Reading the numbers"
WHERE = "Where the time goes"

HEADER = """# Benchmarks

Written by `.venv/bin/python -m bench` (`make bench`). `python -m bench --only SECTION[,SECTION...]`
(`make bench-section SECTIONS=...`) reruns some sections and rewrites only their parts; the
sections are {sections}. Each section says which run wrote it: its date, command and the
machine's load average then. These machines are noisy (±30 %), so every figure sits next to a
baseline measured in the same run, ratios are of medians, and nothing anywhere asserts on time.
"""


class UnknownSection(ValueError):
    """A section name the bench does not have."""


def parse_sections(spec: str) -> tuple[str, ...]:
    """`"cold,queue"` → the sections in the report's order; an unknown name is an error that lists
    the known ones."""
    names = [name.strip() for name in spec.split(",") if name.strip()]
    known = (*SECTIONS, NOTES)
    unknown = [name for name in names if name not in known]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise UnknownSection(f"unknown section{plural} {', '.join(map(repr, unknown))}; "
                             f"the sections are: {', '.join(known)}")
    if not names:
        raise UnknownSection(f"no section given; the sections are: {', '.join(known)}")
    return tuple(name for name in known if name in names)


@dataclass
class SectionReport:
    """What one section's run writes into the report."""

    name: str
    body: str  # Markdown under the section's heading (stamp, tables)
    setup: list[str] = field(default_factory=list)  # bullets for "How it was measured", without "- "
    reading: list[str] = field(default_factory=list)  # lines for "Reading the numbers", as written

    @property
    def title(self) -> str:
        return TITLES[self.name]


def stamp(command: str, date: str, load_start: str, load_end: str) -> str:
    return (f"*Measured {date} by `{command}`; load average (1/5/15 min) {load_start} at its start, "
            f"{load_end} at its end.*")


def skeleton(machine: dict[str, str], profile_notes: Sequence[str]) -> str:
    """A report with no section in it yet."""
    facts = "\n".join(f"- {k}: {v}" for k, v in machine.items())
    return (HEADER.format(sections=", ".join((*SECTIONS, NOTES))) + f"\n## Machine\n\n{facts}\n\n"
            f"## {MEASURED}\n\n## {READING}\n\n## {WHERE}\n\n" + "\n".join(profile_notes) + "\n")


# --- finding the parts ---------------------------------------------------------------------------

_HEADING = re.compile(r"^## (.+)\n", re.M)


def _span(text: str, title: str) -> tuple[int, int] | None:
    """Start and end of `## title` with its content (up to the next `## ` heading or the end)."""
    for match in _HEADING.finditer(text):
        if match.group(1) == title:
            following = _HEADING.search(text, match.end())
            return match.start(), following.start() if following else len(text)
    return None


def _open(name: str) -> str:
    return f"<!-- bench:{name} -->\n"


def _close(name: str) -> str:
    return f"<!-- /bench:{name} -->\n"


def _block(name: str, lines: Sequence[str]) -> str:
    return _open(name) + "".join(f"{line}\n" for line in lines) + _close(name) + "\n"


def _marked(text: str, start: int, end: int, name: str) -> tuple[int, int] | None:
    """The marked block of `name` (with the blank line after it) inside text[start:end]."""
    begin = text.find(_open(name), start, end)
    if begin < 0:
        return None
    close = text.find(_close(name), begin, end)
    if close < 0:
        raise ValueError(f"docs/benchmarks.md: `{_open(name).strip()}` has no `{_close(name).strip()}`")
    stop = close + len(_close(name))
    if text.startswith("\n", stop) and stop < end:
        stop += 1
    return begin, stop


def _splice_block(text: str, title: str, name: str, lines: Sequence[str]) -> str:
    span = _span(text, title)
    if span is None:
        raise ValueError(f"docs/benchmarks.md has no `## {title}` section")
    start, end = span
    new = _block(name, lines) if lines else ""
    found = _marked(text, start, end, name)
    if found is not None:
        return text[:found[0]] + new + text[found[1]:]
    # Not there yet: after the nearest earlier section's block, else first under the heading.
    at = text.index("\n", start) + 1
    while text.startswith("\n", at) and at < end:
        at += 1
    for earlier in reversed(SECTIONS[:SECTIONS.index(name)]):
        block = _marked(text, start, end, earlier)
        if block is not None:
            at = block[1]
            break
    return text[:at] + new + text[at:]


def _splice_body(text: str, report: SectionReport) -> str:
    block = f"## {report.title}\n\n{report.body.strip()}\n\n"
    span = _span(text, report.title)
    if span is not None:
        return text[:span[0]] + block + text[span[1]:]
    # Not there yet: before the first later section present, else before the reading.
    for later in (*SECTIONS[SECTIONS.index(report.name) + 1:],):
        later_span = _span(text, TITLES[later])
        if later_span is not None:
            return text[:later_span[0]] + block + text[later_span[0]:]
    reading = _span(text, READING)
    at = reading[0] if reading else len(text)
    return text[:at] + block + text[at:]


def splice(text: str, reports: Iterable[SectionReport]) -> str:
    """The report with these sections' parts in place of their old ones; nothing else changes."""
    if is_unmarked(text):
        text = migrate(text)
    for report in reports:
        text = _splice_body(text, report)
        text = _splice_block(text, MEASURED, report.name, [f"- {line}" for line in report.setup])
        text = _splice_block(text, READING, report.name, report.reading)
    return text


def replace_notes(text: str, profile_notes: Sequence[str]) -> str:
    span = _span(text, WHERE)
    block = f"## {WHERE}\n\n" + "\n".join(profile_notes) + "\n"
    if span is None:
        return text.rstrip("\n") + "\n\n" + block
    after = text[span[1]:]
    return text[:span[0]] + block + ("\n" + after if after else "")


# --- a report written before the markers ---------------------------------------------------------

# Which section each bullet of the old "How it was measured" and "Reading the numbers" belongs to,
# by how it starts; a line that matches none (a continuation, a sub-bullet, a paragraph) stays with
# the one before it.
_OLD_SETUP = (
    ("cold", ("- Cold start:",)),
    ("queue", ("- Queue:", "- Each queue run", "- Baseline for the list figures", "- Key → frame:")),
    ("dashboard", ("- Dashboard:",)),
    ("live", ("- Live latency:",)),
    ("thread", ("- Long conversation:",)),
    ("slow", ("- Slow link:",)),
    ("team", ("- Backend under a team:",)),
)
_OLD_READING = (
    ("cold", ("- Cold start",)),
    ("queue", ("- 100k within", "- 1M within", "- Cursor move", "- Open a ticket", "- Memory at",
               "- Insert a canned", "- Jump to the last")),
    ("dashboard", ("- Dashboard at",)),
    ("live", ("- Live latency,",)),
    ("thread", ("- Long conversation:",)),
    ("slow", ("- Slow link:",)),
    ("team", ("- Backend with",)),
)
_OLD_STAMP = re.compile(r"^Written by (.+?); rerun the same command", re.M)
_DASHBOARD_ROW = "| Dashboard:"


def is_unmarked(text: str) -> bool:
    return "<!-- bench:" not in text and f"\n## {MEASURED}\n" in text


def _classify(lines: list[str], rules: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[str]]:
    by_section: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        for name, prefixes in rules:
            if line.startswith(prefixes):
                current = name
                break
        if current is None:
            if line.strip():
                raise ValueError(f"docs/benchmarks.md: which section is this line from? {line[:80]!r}")
            continue
        by_section.setdefault(current, []).append(line)
    for name, kept in by_section.items():  # blank lines between blocks are the blocks' own
        while kept and not kept[-1].strip():
            kept.pop()
        by_section[name] = kept
    return by_section


def _list_lines(text: str, title: str) -> list[str]:
    span = _span(text, title)
    if span is None:
        return []
    return text[span[0]:span[1]].split("\n")[2:]


def migrate(text: str) -> str:
    """Cut a report written by the bench before `--only` into marked sections, each stamped with the
    run the report says wrote it; no figure or line is lost."""
    old_stamp = _OLD_STAMP.search(text)
    command = old_stamp.group(1) if old_stamp else "an earlier run"
    facts = dict(re.findall(r"^- ([^:\n]+): (.*)$", text[slice(*(_span(text, "Machine") or (0, 0)))], re.M))
    date = facts.pop("date", "?")
    load_start = facts.pop("load average at start (1/5/15 min)", "?")
    load_end = facts.pop("load average at end (1/5/15 min)", "?")
    command = command.strip("`").split("`")[0] if command.startswith("`") else command
    when = stamp(command, date, load_start, load_end)

    setups = _classify(_list_lines(text, MEASURED), _OLD_SETUP)
    readings = _classify(_list_lines(text, READING), _OLD_READING)
    bodies: dict[str, str] = {}
    for name in SECTIONS:
        span = _span(text, TITLES[name])
        if span is not None:
            bodies[name] = text[span[0]:span[1]].split("\n", 1)[1].strip()
    if "queue" in bodies and _DASHBOARD_ROW in bodies["queue"]:
        bodies["queue"], dashboard = _split_dashboard_rows(bodies["queue"])
        bodies.setdefault("dashboard", dashboard)

    where = _span(text, WHERE)
    notes = text[where[0]:where[1]].split("\n", 1)[1].strip().split("\n") if where else []
    result = skeleton(facts, notes)
    for name in SECTIONS:
        body = bodies.get(name)
        if body is None:
            continue
        # The scale-out section carries its own stamp (bench.cluster_load can write it alone).
        stamped = body if name == "cluster" else f"{when}\n\n{body}"
        result = _splice_body(result, SectionReport(name, stamped))
        result = _splice_block(result, MEASURED, name, setups.get(name, []))
        result = _splice_block(result, READING, name, readings.get(name, []))
    # Sections the bench does not write (a hand-written note, say) stay, before the reading.
    ours = {"Machine", MEASURED, READING, WHERE, *TITLES.values()}
    for match in _HEADING.finditer(text):
        if match.group(1) not in ours:
            start, end = _span(text, match.group(1)) or (0, 0)
            reading = _span(result, READING)
            at = reading[0] if reading else len(result)
            result = result[:at] + text[start:end].rstrip("\n") + "\n\n" + result[at:]
    return result


def _split_dashboard_rows(body: str) -> tuple[str, str]:
    """The old queue table also held the dashboard's rows: give them a table of their own."""
    lines = body.split("\n")
    header_at = next(i for i, line in enumerate(lines) if line.startswith("| Figure"))
    header = lines[header_at:header_at + 2]
    queue = [line for line in lines if not line.startswith(_DASHBOARD_ROW)]
    rows = [line for line in lines if line.startswith(_DASHBOARD_ROW)]
    return "\n".join(queue), "\n".join([*header, *rows])
