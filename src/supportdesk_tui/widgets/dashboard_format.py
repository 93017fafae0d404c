"""Short texts the dashboard widgets share, translated when called (their labels: `i18n.labels`)."""

from __future__ import annotations

from supportdesk_tui.domain.dashboard_state import Level, MetricCheck
from supportdesk_tui.i18n import _, ngettext
from supportdesk_tui.i18n.labels import alarm_level_label
from supportdesk_tui.i18n.times import wait_in_words


def minutes_in_words(minutes: int) -> str:
    """ "1 h", "12 h 33 min", "45 min": a limit in whole hours reads without its zero minutes."""
    hours, rest = divmod(minutes, 60)
    if hours and not rest and hours < 24:
        return _("{h} h").format(h=hours)
    return wait_in_words(minutes * 60)


def check_in_words(metric: str, value: int, limit: int) -> str:
    """A metric against its limit as a sentence: "the oldest ticket has waited 12 h 33 min (limit 1 h)"."""
    if metric == "length":
        return ngettext("{n} ticket open (limit {limit})", "{n} tickets open (limit {limit})",
                        value).format(n=value, limit=limit)
    if metric == "at_risk":
        return ngettext("{n} ticket at SLA risk (limit {limit})", "{n} tickets at SLA risk (limit {limit})",
                        value).format(n=value, limit=limit)
    if metric == "oldest":
        return _("the oldest ticket has waited {time} (limit {limit})").format(
            time=minutes_in_words(value), limit=minutes_in_words(limit))
    return f"{metric} {value}/{limit}"  # a metric this version does not know: as it came


def _badge_words(check: MetricCheck) -> str:
    # A tile's border holds about 34 characters; its body already says how long the oldest waits.
    if check.metric == "length":
        return _("{n} open, limit {limit}").format(n=check.value, limit=check.limit)
    if check.metric == "at_risk":
        return _("{n} at SLA risk, limit {limit}").format(n=check.value, limit=check.limit)
    if check.metric == "oldest":
        limit = minutes_in_words(check.limit)
        if check.level == "alarm":
            return _("oldest over {limit} limit").format(limit=limit)
        return _("oldest near {limit} limit").format(limit=limit)
    return f"{check.metric} {check.value}/{check.limit}"


def level_badge(checks: list[MetricCheck], level: Level) -> str:
    """ "ALARM: 37 open, limit 30" for the first metric at the tile's level; "" when all is well."""
    worst = [c for c in checks if c.level == level and level != "ok"]
    if not worst:
        return ""
    return f"{alarm_level_label(level)}: {_badge_words(worst[0])}"
