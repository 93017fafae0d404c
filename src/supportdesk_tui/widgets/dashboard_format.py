"""Words and short numbers the dashboard widgets share, translated when called."""

from __future__ import annotations

from supportdesk_tui.domain.dashboard_state import Level, Metric, MetricCheck
from supportdesk_tui.i18n import _, pgettext


def minutes_text(minutes: int) -> str:
    """A waiting time: "45 min", "3 h 05 min", "2 d 4 h"."""
    if minutes < 60:
        return _("{m} min").format(m=minutes)
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return _("{h} h {m:02d} min").format(h=hours, m=rest)
    days, hours = divmod(hours, 24)
    return _("{d} d {h} h").format(d=days, h=hours)


def seconds_text(seconds: int | None) -> str:
    return "—" if seconds is None else minutes_text(max(0, seconds) // 60)


def metric_short_label(metric: Metric) -> str:
    labels = {
        "length": _("length"),
        "oldest": _("oldest, min"),
        "at_risk": _("at risk"),
    }
    return labels[metric]


def level_label(level: Level) -> str:
    labels = {
        "ok": pgettext("alarm level", "OK"),
        "warning": pgettext("alarm level", "WARNING"),
        "alarm": pgettext("alarm level", "ALARM"),
    }
    return labels[level]


def agent_state_label(state: str) -> str:
    labels = {
        "online": pgettext("agent state", "online"),
        "busy": pgettext("agent state", "busy"),
        "away": pgettext("agent state", "away"),
        "offline": pgettext("agent state", "offline"),
    }
    return labels.get(state, state)


def escalation_status_label(status: str) -> str:
    labels = {
        "open": pgettext("escalation", "open"),
        "in_progress": pgettext("escalation", "in progress"),
        "fixed": pgettext("escalation", "fixed"),
        "wont_fix": pgettext("escalation", "won't fix"),
    }
    return labels.get(status, status)


def language_label(code: str) -> str:
    labels = {"ru": _("Russian"), "en": _("English")}
    return labels.get(code, code)


def severity_label(severity: str) -> str:
    labels = {
        "critical": pgettext("severity", "critical"),
        "major": pgettext("severity", "major"),
        "minor": pgettext("severity", "minor"),
        "trivial": pgettext("severity", "trivial"),
    }
    return labels.get(severity, severity)


def level_badge(checks: list[MetricCheck], level: Level) -> str:
    """ "ALARM: queue length 37/30" for the first metric at the tile's level; "" when all is well."""
    worst = [c for c in checks if c.level == level and level != "ok"]
    if not worst:
        return ""
    return f"{level_label(level)}: {metric_short_label(worst[0].metric)} {worst[0].value}/{worst[0].limit}"
