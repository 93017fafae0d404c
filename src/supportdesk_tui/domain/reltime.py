"""Relative ("5 min ago") and absolute ("26 Nov 2026 09:14") times in English and Russian.

Hand-written rather than `locale`/`strftime("%b")`: those depend on the machine's
installed locales and are process-global.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from supportdesk_tui.contract.models import Language

__all__ = ["absolute", "relative", "ru_plural"]

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# CLDR abbreviated genitive forms, as used in "26 нояб. 2026".
_MONTHS_RU = (
    "янв.", "февр.", "мар.", "апр.", "мая", "июн.", "июл.", "авг.", "сент.", "окт.", "нояб.", "дек.",
)  # fmt: skip

_JUST_NOW_SECONDS = 45
_MAX_DAYS = 30  # beyond this a date says more than "143 days ago"


def ru_plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian plural form for `n`: 1 день, 2 дня, 5 дней, 11 дней, 21 день, 22 дня."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _ago(value: int, unit: str, lang: Language, future: bool) -> str:
    if lang is Language.RU:
        word = {
            "min": "мин",
            "h": "ч",
            "day": ru_plural(value, "день", "дня", "дней"),
        }[unit]
        return f"через {value} {word}" if future else f"{value} {word} назад"
    word = unit if unit != "day" or value == 1 else "days"
    return f"in {value} {word}" if future else f"{value} {word} ago"


def relative(when: datetime, now: datetime, lang: Language | str = Language.EN) -> str:
    """How long ago `when` was, as of `now`: "just now", "5 min ago", "3 h ago", "2 days ago".

    Times in the future (clock skew) read "in 5 min"; older than 30 days falls back to the date.
    """
    language = Language(lang)
    delta = (_aware(now) - _aware(when)).total_seconds()
    future = delta < 0
    seconds = abs(delta)
    if seconds < _JUST_NOW_SECONDS:
        return "только что" if language is Language.RU else "just now"
    minutes = max(1, int(seconds // 60))
    if minutes < 60:
        return _ago(minutes, "min", language, future)
    hours = int(seconds // 3600)
    if hours < 24:
        return _ago(hours, "h", language, future)
    days = int(seconds // 86400)
    if days <= _MAX_DAYS:
        return _ago(days, "day", language, future)
    return absolute(when, language, tz=_aware(now).tzinfo, with_time=False)


def absolute(
    when: datetime,
    lang: Language | str = Language.EN,
    *,
    tz: tzinfo | None = None,
    with_time: bool = True,
) -> str:
    """ "26 Nov 2026 09:14" / "26 нояб. 2026 09:14" in `tz` (default: the machine's local zone)."""
    language = Language(lang)
    local = _aware(when).astimezone(tz)
    months = _MONTHS_RU if language is Language.RU else _MONTHS_EN
    date = f"{local.day} {months[local.month - 1]} {local.year}"
    return f"{date} {local:%H:%M}" if with_time else date
