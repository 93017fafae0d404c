"""What each colour on a ticket means: one table for the queue, the ticket header and the `?` legend.

Red (`$priority-urgent`, `$sla-breached`) is kept for what needs action now; everything else
is calmer, so a red row stands out instead of drowning among the others. The styles and the
legend are both generated from SIGNALS, so the help can never describe a colour the widgets
no longer use. Colours come only from theme variables; a breach also carries BREACH_MARK and
reverse video, so it reads without colour (the colour-blind theme, monochrome terminals).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from supportdesk_tui.contract.models import Priority, Status
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.i18n.labels import priority_label, status_label
from supportdesk_tui.i18n.times import NO_VALUE, time_left

BREACH_MARK = "✕"


def breached_countdown(remaining_seconds: float | None) -> str:
    """`✕12m` for 12 minutes overdue: the mark stands in for the minus sign, so the cell keeps its width."""
    return BREACH_MARK + time_left(None if remaining_seconds is None else abs(remaining_seconds))


@dataclass(frozen=True)
class Signal:
    """One coloured state: `name` is its component-class suffix (`priority-urgent`)."""

    group: str
    name: str
    colour: str  # a theme variable, never a hex value
    text_style: str
    meaning: str  # N_() text, translated when shown
    sample: Callable[[], str]  # what the cell shows, in the current language
    action_now: bool = False


PRIORITY = N_("Priority")
STATUS = N_("Status")
SLA = N_("SLA")

SIGNALS: tuple[Signal, ...] = (
    Signal(PRIORITY, "priority-urgent", "$priority-urgent", "bold", N_("act now"),
           lambda: priority_label(Priority.URGENT), action_now=True),
    Signal(PRIORITY, "priority-high", "$priority-high", "bold", N_("next in line"),
           lambda: priority_label(Priority.HIGH)),
    Signal(PRIORITY, "priority-normal", "$priority-normal", "none", N_("as usual"),
           lambda: priority_label(Priority.NORMAL)),
    Signal(PRIORITY, "priority-low", "$priority-low", "none", N_("can wait"),
           lambda: priority_label(Priority.LOW)),
    Signal(STATUS, "status-new", "$status-new", "bold", N_("nobody has looked yet"),
           lambda: status_label(Status.NEW)),
    Signal(STATUS, "status-open", "$status-open", "none", N_("being worked on"),
           lambda: status_label(Status.OPEN)),
    Signal(STATUS, "status-pending", "$status-pending", "none", N_("waiting for the customer"),
           lambda: status_label(Status.PENDING)),
    Signal(STATUS, "status-on_hold", "$status-pending", "italic", N_("waiting for someone else"),
           lambda: status_label(Status.ON_HOLD)),
    Signal(STATUS, "status-solved", "$status-solved", "none", N_("done"),
           lambda: status_label(Status.SOLVED)),
    Signal(STATUS, "status-closed", "$text-muted", "none", N_("archived"),
           lambda: status_label(Status.CLOSED)),
    Signal(SLA, "sla-ok", "$sla-ok", "none", N_("time left"), lambda: time_left(2 * 3600 + 5 * 60)),
    Signal(SLA, "sla-at_risk", "$sla-at-risk", "bold", N_("due soon"), lambda: time_left(12 * 60)),
    Signal(SLA, "sla-breached", "$sla-breached", "bold reverse", N_("overdue: act now"),
           lambda: breached_countdown(-5 * 60), action_now=True),
    Signal(SLA, "sla-paused", "$sla-paused", "none", N_("clock stopped"),
           lambda: _("paused")),
    Signal(SLA, "sla-none", "$text-muted", "none", N_("no deadline"), lambda: NO_VALUE),
)
GROUPS: tuple[str, ...] = (PRIORITY, STATUS, SLA)


def signal_classes(prefix: str) -> set[str]:
    """The component classes a widget declares for the signals: `{prefix}--priority-urgent`, ..."""
    return {f"{prefix}--{signal.name}" for signal in SIGNALS}


def signal_css(widget: str, prefix: str, bold_groups: Iterable[str] = ()) -> str:
    """TCSS rules for `widget`'s signal component classes; `bold_groups` are drawn bold throughout."""
    emphasised = frozenset(bold_groups)
    rules = []
    for signal in SIGNALS:
        style = signal.text_style
        if signal.group in emphasised and "bold" not in style:
            style = "bold" if style == "none" else f"bold {style}"
        # "none" is left out rather than written: it would switch off a bold the row itself carries.
        text_style = "" if style == "none" else f" text-style: {style};"
        rules.append(f"{widget} > .{prefix}--{signal.name} {{ color: {signal.colour};{text_style} }}")
    return "\n".join(rules)
