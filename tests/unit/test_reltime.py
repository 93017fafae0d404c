"""The agent reads message times in their own language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from supportdesk_tui.contract.models import Language
from supportdesk_tui.domain.reltime import absolute, relative, ru_plural

NOW = datetime(2026, 11, 26, 9, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "en", "ru"),
    [
        (timedelta(seconds=10), "just now", "только что"),
        (timedelta(minutes=5), "5 min ago", "5 мин назад"),
        (timedelta(hours=3, minutes=20), "3 h ago", "3 ч назад"),
        (timedelta(days=1, hours=2), "1 day ago", "1 день назад"),
        (timedelta(days=2), "2 days ago", "2 дня назад"),
        (timedelta(days=5), "5 days ago", "5 дней назад"),
        (timedelta(days=21), "21 days ago", "21 день назад"),
        (timedelta(days=22), "22 days ago", "22 дня назад"),
        (timedelta(days=90), "28 Aug 2026", "28 авг. 2026"),
    ],
)
def test_agent_sees_relative_times_in_both_languages(ago: timedelta, en: str, ru: str) -> None:
    assert relative(NOW - ago, NOW, Language.EN) == en
    assert relative(NOW - ago, NOW, "ru") == ru


def test_future_times_from_clock_skew_read_naturally() -> None:
    assert relative(NOW + timedelta(minutes=5), NOW, "en") == "in 5 min"
    assert relative(NOW + timedelta(minutes=5), NOW, "ru") == "через 5 мин"
    assert relative(NOW + timedelta(seconds=5), NOW, "en") == "just now"


@pytest.mark.parametrize(
    ("n", "form"),
    [(0, "дней"), (1, "день"), (2, "дня"), (4, "дня"), (5, "дней"), (11, "дней"), (12, "дней"),
     (14, "дней"), (21, "день"), (22, "дня"), (25, "дней"), (101, "день"), (111, "дней"), (-3, "дня")],
)  # fmt: skip
def test_russian_plural_forms(n: int, form: str) -> None:
    assert ru_plural(n, "день", "дня", "дней") == form


def test_absolute_dates_in_both_languages() -> None:
    assert absolute(NOW, Language.EN, tz=UTC) == "26 Nov 2026 09:14"
    assert absolute(NOW, Language.RU, tz=UTC) == "26 нояб. 2026 09:14"
    assert absolute(NOW.replace(month=5), "ru", tz=UTC, with_time=False) == "26 мая 2026"


def test_absolute_dates_are_shown_in_the_agents_time_zone() -> None:
    moscow = timezone(timedelta(hours=3))
    assert absolute(NOW, "en", tz=moscow) == "26 Nov 2026 12:14"
    assert absolute(NOW.replace(tzinfo=None), "en", tz=UTC) == "26 Nov 2026 09:14"


def test_boundaries_never_show_zero_units() -> None:
    assert relative(NOW - timedelta(seconds=3599), NOW, "en") == "59 min ago"
    assert relative(NOW - timedelta(seconds=46), NOW, "en") == "1 min ago"
    assert relative(NOW - timedelta(hours=23, minutes=59), NOW, "ru") == "23 ч назад"
