"""How long and when, in the interface language: the one place that writes durations and dates.

Each function reads the current language when it is called, so a language switch shows on the
next redraw. The words and plural forms come from CLDR through Babel (`time_ago`, `date_time`);
the compact cells of the ticket table and header use one-letter units from the catalogs, which
have no plural forms and are narrower than CLDR's narrowest Russian units ("2ч 05м" where
CLDR writes "2 ч 05 мин", too wide for an 8-cell column).

    time_left(5400)    "1h 30m"   SLA time left; "-3m" once breached
    time_waited(8100)  "2h 15m"   how long the customer has waited
    wait_in_words(...)  "2 h 15 min"  the same on the dashboard, where there is room
    time_ago(t, now)   "5 min. ago", "in 5 min.", "just now"; a date beyond 30 days
    date_time(t)       "26 Nov 2026 09:14"
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, tzinfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta

from supportdesk_tui.i18n import _, current_language, pgettext

__all__ = ["NO_VALUE", "date_time", "time_ago", "time_left", "time_waited", "wait_in_words"]

NO_VALUE = "—"
_JUST_NOW_SECONDS = 45
_MAX_DAYS = 30  # beyond this a date says more than "143 days ago"
_MINUTE, _HOUR, _DAY = 60, 3600, 86400
_locales: dict[str, Locale] = {}


def _locale(language: str | None = None) -> Locale:
    # The pseudo-locale "xx" (and anything Babel does not know) reads as English.
    language = "ru" if (language or current_language()) == "ru" else "en"
    locale = _locales.get(language)
    if locale is None:
        locale = _locales[language] = Locale.parse(language)
    return locale


def _aware(when: datetime) -> datetime:
    # The contract sends UTC; a naive value can only come from our own code or tests.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _days_hours_minutes(minutes: int) -> tuple[int, int, int]:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    return days, hours, mins


def _unit(kind: str, value: int, width: int = 1) -> str:
    """One compact unit: "3d", "05h", "7m" (Russian "3д", "05ч", "7м")."""
    number = f"{value:0{width}d}"
    if kind == "d":
        return pgettext("duration, compact", "{n}d").format(n=number)
    if kind == "h":
        return pgettext("duration, compact", "{n}h").format(n=number)
    return pgettext("duration, compact", "{n}m").format(n=number)


def time_left(seconds: float | None) -> str:
    """Compact time left: "2h 05m", "12m", "1d 03h"; "-3m" once breached; "—" with no deadline.

    A started minute counts as a whole one, so 59 s left shows "1m", not "0m".
    """
    if seconds is None or math.isnan(seconds):
        return NO_VALUE
    sign = "-" if seconds < 0 else ""
    days, hours, mins = _days_hours_minutes(math.ceil(abs(seconds) / _MINUTE))
    if days:
        return f"{sign}{_unit('d', days)} {_unit('h', hours, 2)}"
    if hours:
        return f"{sign}{_unit('h', hours)} {_unit('m', mins, 2)}"
    return f"{sign}{_unit('m', mins)}"


def time_waited(seconds: float | None) -> str:
    """Compact elapsed time: "3d 4h", "2h 15m", "15m", "<1m"; "—" when not waiting."""
    if seconds is None or math.isnan(seconds):
        return NO_VALUE
    minutes = int(max(0.0, seconds) // _MINUTE)
    if minutes == 0:
        return "<" + _unit("m", 1)
    days, hours, mins = _days_hours_minutes(minutes)
    if days:
        return f"{_unit('d', days)} {_unit('h', hours)}" if hours else _unit("d", days)
    if hours:
        return f"{_unit('h', hours)} {_unit('m', mins)}" if mins else _unit("h", hours)
    return _unit("m", mins)


def wait_in_words(seconds: float | None) -> str:
    """A waiting time where there is room for it: "45 min", "3 h 05 min", "2 d 4 h"; "—" for none."""
    if seconds is None or math.isnan(seconds):
        return NO_VALUE
    minutes = int(max(0.0, seconds) // _MINUTE)
    days, hours, mins = _days_hours_minutes(minutes)
    if days:
        return _("{d} d {h} h").format(d=days, h=hours)
    if hours:
        return _("{h} h {m:02d} min").format(h=hours, m=mins)
    return _("{m} min").format(m=mins)


def time_ago(when: datetime, now: datetime) -> str:
    """How long ago `when` was, as of `now`: "just now", "5 min. ago", "3 hr. ago", "2 days ago".

    Counted in whole minutes, hours or days (CLDR says weeks past a week); a time in the future
    (clock skew) reads "in 5 min."; older than 30 days falls back to the date.
    """
    delta = (_aware(now) - _aware(when)).total_seconds()
    seconds = abs(delta)
    if seconds < _JUST_NOW_SECONDS:
        return _("just now")
    if seconds // _DAY > _MAX_DAYS:
        return date_time(when, tz=_aware(now).tzinfo, with_time=False)
    unit = _DAY if seconds >= _DAY else _HOUR if seconds >= _HOUR else _MINUTE
    whole = max(1, int(seconds // unit)) * unit
    # Babel reads a negative span as the past ("ago") and a positive one as the future ("in").
    span = timedelta(seconds=-whole if delta >= 0 else whole)
    return format_timedelta(span, threshold=1, add_direction=True, format="short", locale=_locale())


def date_time(
    when: datetime, *, tz: tzinfo | None = None, with_time: bool = True, language: str | None = None
) -> str:
    """ "26 Nov 2026 09:14" / "26 нояб. 2026 09:14" in `tz` (default: the machine's local zone).

    `language`: for a date inside a ticket's own text (its language); default the interface's.
    """
    local = _aware(when).astimezone(tz)
    if with_time:
        return format_datetime(local, "d MMM y HH:mm", locale=_locale(language))
    return format_date(local.date(), "d MMM y", locale=_locale(language))
