"""The agent reads how long and when in the interface language, switched without a restart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from supportdesk_tui.i18n import set_language
from supportdesk_tui.i18n.times import date_time, time_ago, time_left, time_waited, wait_in_words

NOW = datetime(2026, 11, 26, 9, 14, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_language("en")


@pytest.mark.parametrize(
    ("seconds", "en", "ru"),
    [
        (None, "—", "—"),
        (0, "0m", "0м"),
        (59, "1m", "1м"),
        (12 * 60, "12m", "12м"),
        (2 * 3600 + 5 * 60, "2h 05m", "2ч 05м"),
        (2 * 3600 + 4 * 60 + 1, "2h 05m", "2ч 05м"),
        (26 * 3600, "1d 02h", "1д 02ч"),
        (-3 * 60, "-3m", "-3м"),
        (-30, "-1m", "-1м"),
        (-(3600 + 60), "-1h 01m", "-1ч 01м"),
    ],
)
def test_sla_time_left_is_compact_counting_started_minutes(seconds: float | None, en: str, ru: str) -> None:
    assert time_left(seconds) == en
    set_language("ru")
    assert time_left(seconds) == ru


@pytest.mark.parametrize(
    ("seconds", "en", "ru"),
    [
        (None, "—", "—"),
        (10, "<1m", "<1м"),
        (15 * 60 + 59, "15m", "15м"),
        (2 * 3600, "2h", "2ч"),
        (2 * 3600 + 15 * 60, "2h 15m", "2ч 15м"),
        (3 * 86400 + 4 * 3600 + 59 * 60, "3d 4h", "3д 4ч"),
        (5 * 86400, "5d", "5д"),
    ],
)
def test_waiting_time_is_compact(seconds: float | None, en: str, ru: str) -> None:
    assert time_waited(seconds) == en
    set_language("ru")
    assert time_waited(seconds) == ru


@pytest.mark.parametrize(
    ("seconds", "en", "ru"),
    [
        (None, "—", "—"),
        (45 * 60, "45 min", "45 мин"),
        (3 * 3600 + 5 * 60 + 59, "3 h 05 min", "3 ч 05 мин"),
        (2 * 86400 + 4 * 3600, "2 d 4 h", "2 д 4 ч"),
        (-5, "0 min", "0 мин"),
    ],
)
def test_the_dashboard_writes_a_wait_in_words(seconds: int | None, en: str, ru: str) -> None:
    assert wait_in_words(seconds) == en
    set_language("ru")
    assert wait_in_words(seconds) == ru


@pytest.mark.parametrize(
    ("ago", "en", "ru"),
    [
        (timedelta(seconds=10), "just now", "только что"),
        (timedelta(minutes=5), "5 min. ago", "5 мин. назад"),
        (timedelta(hours=3, minutes=20), "3 hr. ago", "3 ч назад"),
        (timedelta(days=1, hours=2), "1 day ago", "1 дн. назад"),
        (timedelta(days=2), "2 days ago", "2 дн. назад"),
        (timedelta(days=5), "5 days ago", "5 дн. назад"),
        (timedelta(days=21), "3 wk. ago", "3 нед. назад"),
        (timedelta(days=90), "28 Aug 2026", "28 авг. 2026"),
    ],
)
def test_agent_sees_relative_times_in_both_languages(ago: timedelta, en: str, ru: str) -> None:
    assert time_ago(NOW - ago, NOW) == en
    set_language("ru")
    assert time_ago(NOW - ago, NOW) == ru


def test_future_times_from_clock_skew_read_naturally() -> None:
    assert time_ago(NOW + timedelta(minutes=5), NOW) == "in 5 min."
    assert time_ago(NOW + timedelta(seconds=5), NOW) == "just now"
    set_language("ru")
    assert time_ago(NOW + timedelta(minutes=5), NOW) == "через 5 мин."


def test_relative_times_count_whole_units_and_never_show_zero() -> None:
    assert time_ago(NOW - timedelta(seconds=3599), NOW) == "59 min. ago"
    assert time_ago(NOW - timedelta(seconds=46), NOW) == "1 min. ago"
    assert time_ago(NOW - timedelta(hours=3, minutes=59), NOW) == "3 hr. ago"
    set_language("ru")
    assert time_ago(NOW - timedelta(hours=23, minutes=59), NOW) == "23 ч назад"


def test_russian_plural_forms_come_from_cldr() -> None:
    set_language("ru")
    hours = {n: time_ago(NOW - timedelta(hours=n), NOW) for n in (1, 2, 5, 21)}
    assert hours == {1: "1 ч назад", 2: "2 ч назад", 5: "5 ч назад", 21: "21 ч назад"}
    minutes = {n: time_ago(NOW + timedelta(minutes=n), NOW) for n in (1, 3, 11)}
    assert minutes == {1: "через 1 мин.", 3: "через 3 мин.", 11: "через 11 мин."}


def test_absolute_dates_in_both_languages() -> None:
    assert date_time(NOW, tz=UTC) == "26 Nov 2026 09:14"
    assert date_time(NOW, tz=UTC, language="ru") == "26 нояб. 2026 09:14"
    assert date_time(NOW.replace(month=5), tz=UTC, with_time=False, language="ru") == "26 мая 2026"
    set_language("ru")
    assert date_time(NOW, tz=UTC) == "26 нояб. 2026 09:14"
    assert date_time(NOW, tz=UTC, language="en") == "26 Nov 2026 09:14"


def test_absolute_dates_are_shown_in_the_agents_time_zone() -> None:
    moscow = timezone(timedelta(hours=3))
    assert date_time(NOW, tz=moscow) == "26 Nov 2026 12:14"
    assert date_time(NOW.replace(tzinfo=None), tz=UTC) == "26 Nov 2026 09:14"


def test_the_language_is_read_when_the_text_is_drawn() -> None:
    assert time_left(90 * 60) == "1h 30m"
    set_language("ru")
    assert time_left(90 * 60) == "1ч 30м"
    set_language("en")
    assert time_left(90 * 60) == "1h 30m"


def test_the_pseudo_locale_reads_as_english_with_marked_units() -> None:
    set_language("xx")
    assert time_ago(NOW - timedelta(hours=3), NOW) == "3 hr. ago"
    assert time_waited(2 * 3600) == "⟦2h⟧"
