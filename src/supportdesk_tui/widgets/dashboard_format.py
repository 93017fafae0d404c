"""Short texts the dashboard widgets share, translated when called (their labels: `i18n.labels`)."""

from __future__ import annotations

from supportdesk_tui.domain.dashboard_state import Level, MetricCheck
from supportdesk_tui.i18n import _
from supportdesk_tui.i18n.labels import alarm_level_label, metric_short_label


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


def level_badge(checks: list[MetricCheck], level: Level) -> str:
    """ "ALARM: queue length 37/30" for the first metric at the tile's level; "" when all is well."""
    worst = [c for c in checks if c.level == level and level != "ok"]
    if not worst:
        return ""
    metric = metric_short_label(worst[0].metric)
    return f"{alarm_level_label(level)}: {metric} {worst[0].value}/{worst[0].limit}"
