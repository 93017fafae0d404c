"""Short texts the dashboard widgets share, translated when called (their labels: `i18n.labels`)."""

from __future__ import annotations

from supportdesk_tui.domain.dashboard_state import Level, MetricCheck
from supportdesk_tui.i18n.labels import alarm_level_label, metric_short_label


def level_badge(checks: list[MetricCheck], level: Level) -> str:
    """ "ALARM: queue length 37/30" for the first metric at the tile's level; "" when all is well."""
    worst = [c for c in checks if c.level == level and level != "ok"]
    if not worst:
        return ""
    metric = metric_short_label(worst[0].metric)
    return f"{alarm_level_label(level)}: {metric} {worst[0].value}/{worst[0].limit}"
