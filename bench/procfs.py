"""Resident memory of this process, from /proc (psutil is not a dependency)."""

from __future__ import annotations

from pathlib import Path


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def rss_kib() -> int:
    return _status_kib("VmRSS")


def peak_rss_kib() -> int:
    return _status_kib("VmHWM")


# --- other processes (the benchmark's servers, PostgreSQL, load generators) -----------------------


def _stat_fields(pid: int) -> list[str]:
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    return stat[stat.rindex(")") + 2:].split()  # fields from the 3rd of stat(5) on


def cpu_seconds(pid: int, *, reaped_children: bool = False) -> float:
    """utime + stime of `pid`; with `reaped_children`, plus what its exited children used."""
    import os

    fields = _stat_fields(pid)
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime (fields 16, 17)
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat_fields(int(entry.name))[1]) == pid:  # ppid, field 4
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue  # gone meanwhile
    return found


def tree_cpu_seconds(pid: int) -> float:
    """A forking server's CPU: its own, its reaped children's and its live children's (PostgreSQL:
    the postmaster and its backends), so a backend that exits between two readings still counts."""
    total = cpu_seconds(pid, reaped_children=True)
    for child in children(pid):
        try:
            total += cpu_seconds(child)
        except (OSError, ValueError, IndexError):
            continue
    return total


def rss_kib_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_pss_kib(pid: int) -> int:
    """Proportional set size of `pid` and its children: shared memory (PostgreSQL's buffers) is
    split between the processes that map it instead of counted once per backend, as RSS would."""
    total = 0
    for member in (pid, *children(pid)):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text(encoding="ascii").splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total
