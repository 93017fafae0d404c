"""Language switching, Russian plurals, the pseudo-locale and language detection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from supportdesk_tui import i18n
from supportdesk_tui.i18n import (
    N_,
    _,
    current_language,
    detect_language,
    ngettext,
    on_language_change,
    pgettext,
    set_language,
)
from supportdesk_tui.i18n.labels import kind_label, priority_label, status_label


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_language("en")


def test_english_is_the_default_and_returns_the_source_text() -> None:
    assert current_language() == "en"
    assert _("Queue") == "Queue"
    assert _("A string nobody translated") == "A string nobody translated"
    assert ngettext("{n} ticket", "{n} tickets", 1) == "{n} ticket"
    assert ngettext("{n} ticket", "{n} tickets", 0) == "{n} tickets"


def test_agent_switching_to_russian_sees_russian_labels_without_restart() -> None:
    before = _("Queue")
    set_language("ru")
    assert current_language() == "ru"
    assert (before, _("Queue")) == ("Queue", "Очередь")
    assert _("No tickets match this filter") == "Нет тикетов, подходящих под фильтр"
    assert _("Not in the catalog") == "Not in the catalog"
    set_language("en")
    assert _("Queue") == "Queue"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 тикетов"),
        (1, "1 тикет"),
        (2, "2 тикета"),
        (4, "4 тикета"),
        (5, "5 тикетов"),
        (11, "11 тикетов"),
        (12, "12 тикетов"),
        (14, "14 тикетов"),
        (21, "21 тикет"),
        (22, "22 тикета"),
        (25, "25 тикетов"),
        (101, "101 тикет"),
        (111, "111 тикетов"),
        (112, "112 тикетов"),
        (1002, "1002 тикета"),
    ],
)
def test_russian_plural_forms_follow_the_three_form_rule(n: int, expected: str) -> None:
    set_language("ru")
    assert ngettext("{n} ticket", "{n} tickets", n).format(n=n) == expected


def test_relative_time_words_are_translated_with_plurals() -> None:
    set_language("ru")
    assert ngettext("{n} minute ago", "{n} minutes ago", 3).format(n=3) == "3 минуты назад"
    assert ngettext("in {n} hour", "in {n} hours", 21).format(n=21) == "через 21 час"
    assert _("just now") == "только что"


def test_same_english_word_can_mean_different_russian_words_by_context() -> None:
    set_language("ru")
    assert pgettext("status", "Open") == "Открыт"
    assert _("Open") == "Открыть"
    assert pgettext("kind", "Reply") == "Ответ"
    assert _("Reply") == "Ответить"


def test_enum_values_get_translated_display_names() -> None:
    assert status_label("on_hold") == "On hold"
    set_language("ru")
    assert status_label("on_hold") == "Приостановлен"
    assert priority_label("urgent") == "Срочный"
    assert kind_label("note") == "Внутренняя заметка"
    assert status_label("something_new") == "something_new"


def test_pseudo_locale_wraps_every_translated_string() -> None:
    set_language("xx")
    assert _("Queue") == "⟦Queue⟧"
    assert ngettext("{n} ticket", "{n} tickets", 2) == "⟦{n} tickets⟧"
    assert pgettext("status", "Open") == "⟦Open⟧"
    assert _("not in catalog") == "⟦not in catalog⟧"


def test_marker_does_not_translate() -> None:
    set_language("ru")
    assert N_("Queue") == "Queue"


def test_unknown_language_is_rejected() -> None:
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        set_language("de")
    assert current_language() == "en"


def test_listeners_hear_about_switches_until_they_unsubscribe() -> None:
    heard: list[str] = []
    unsubscribe = on_language_change(heard.append)
    set_language("ru")
    set_language("ru")  # no change, no event
    unsubscribe()
    set_language("en")
    assert heard == ["ru"]


@pytest.mark.parametrize(
    ("cli", "config", "env", "expected"),
    [
        ("ru", "en", {"LANG": "en_US.UTF-8"}, "ru"),
        (None, "ru", {"LANG": "en_US.UTF-8"}, "ru"),
        (None, "auto", {"LANG": "ru_RU.UTF-8"}, "ru"),
        ("auto", None, {"LANG": "ru_RU.UTF-8"}, "ru"),
        (None, None, {"LC_ALL": "en_GB.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"),
        (None, None, {"LC_MESSAGES": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, "ru"),
        (None, None, {"LC_ALL": "", "LANG": "ru_UA.UTF-8"}, "ru"),
        (None, None, {"LANG": "C.UTF-8"}, "en"),
        (None, None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, None, {}, "en"),
        ("EN", None, {"LANG": "ru_RU.UTF-8"}, "en"),
    ],
)
def test_language_detection_order(
    cli: str | None, config: str | None, env: dict[str, str], expected: str
) -> None:
    assert detect_language(cli, config, env) == expected


def test_catalog_is_parsed_once_per_language() -> None:
    set_language("ru")
    catalog = i18n._catalogs["ru"]
    set_language("en")
    set_language("ru")
    assert i18n._catalogs["ru"] is catalog
