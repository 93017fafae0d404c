"""Keymap validation, remapping and Russian-layout aliases, with small Pilot apps."""

from __future__ import annotations

from typing import ClassVar

import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.keys import _character_to_key
from textual.screen import Screen
from textual.widgets import Footer, Input, Label

from supportdesk_tui.keymap import (
    LATIN_TO_CYRILLIC,
    aliased_bindings,
    apply_keymap,
    check_keymap,
    cyrillic_alias,
    is_valid_key,
    key_name,
    known_binding_ids,
    scope_of,
    with_cyrillic_aliases,
)


class QueueScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases(
        [
            Binding("r", "mark('reply')", "Reply", id="ticket.reply"),
            Binding("t", "mark('take')", "Take", id="ticket.take"),
            Binding("/", "mark('filter')", "Filter", id="queue.filter"),
            Binding("n", "mark('next')", "Next", id="queue.next"),
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.fired: list[str] = []

    def compose(self) -> ComposeResult:
        yield Label("queue")
        yield Footer()

    def action_mark(self, what: str) -> None:
        self.fired.append(what)


class DeskApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases(
        [
            Binding("q", "mark('quit')", "Quit", id="app.quit"),
            Binding("?", "mark('help')", "Help", id="app.help"),
            Binding("ctrl+k", "mark('palette')", "Palette", id="app.palette", priority=True),
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.fired: list[str] = []
        self.queue = QueueScreen()

    def on_mount(self) -> None:
        self.push_screen(self.queue)

    def action_mark(self, what: str) -> None:
        self.fired.append(what)


def test_cyrillic_key_names_match_what_textual_reports_for_the_typed_character() -> None:
    parser = XTermParser()
    for latin, cyrillic in LATIN_TO_CYRILLIC.items():
        (event,) = list(parser.feed(cyrillic))
        assert isinstance(event, events.Key)
        assert key_name(cyrillic) == event.key == _character_to_key(cyrillic)
        assert key_name(latin) == _character_to_key(latin)


def test_alias_map_covers_every_letter_and_the_slash_and_question_mark_keys() -> None:
    assert cyrillic_alias("q") == "й"
    assert cyrillic_alias("m") == "ь"
    assert cyrillic_alias("Q") == "Й"
    assert cyrillic_alias("/") == "full_stop"
    assert cyrillic_alias("slash") == "full_stop"
    assert cyrillic_alias("question_mark") == "comma"
    assert cyrillic_alias("ctrl+q") is None
    assert cyrillic_alias("f5") is None
    assert len({LATIN_TO_CYRILLIC[c] for c in "qwertyuiopasdfghjklzxcvbnm"}) == 26


def test_aliases_are_hidden_twins_with_the_same_id() -> None:
    bindings = aliased_bindings([Binding("r", "reply", "Reply", id="ticket.reply"), ("x", "close", "Close")])
    assert [(b.key, b.action, b.id, b.show) for b in bindings] == [
        ("r", "reply", "ticket.reply", True),
        ("x", "close", None, True),
        ("к", "reply", "ticket.reply", False),
        ("ч", "close", None, False),
    ]
    assert all(b.system for b in bindings[2:])


def test_no_alias_where_the_russian_key_is_already_bound() -> None:
    bindings = aliased_bindings(
        [Binding("/", "filter"), Binding(".", "repeat"), Binding("й", "something"), Binding("q", "quit")]
    )
    keys = [b.key for b in bindings]
    assert keys.count("full_stop") == 1  # "/" would alias to ".", which is taken
    assert keys.count("й") == 1
    assert "ю" in keys  # "." still gets its own alias


def test_compound_keys_are_expanded_and_each_gets_an_alias() -> None:
    keys = [b.key for b in aliased_bindings([Binding("j,down", "next", id="queue.next")])]
    assert keys == ["j", "down", "о"]


async def test_agent_with_russian_layout_presses_the_q_key_and_the_q_action_fires() -> None:
    app = DeskApp()
    async with app.run_test() as pilot:
        await pilot.press("й")
        await pilot.press("к")
        await pilot.press("comma")  # shift+/ on the Russian layout
        await pilot.press("full_stop")  # "/" on the Russian layout
        assert app.fired == ["quit", "help"]
        assert app.queue.fired == ["reply", "filter"]


async def test_footer_shows_only_the_latin_keys() -> None:
    app = DeskApp()
    async with app.run_test():
        shown = [key for key, active in app.screen.active_bindings.items() if active.binding.show]
        assert "r" in shown and "к" not in shown


async def test_agent_remaps_reply_to_x_and_both_x_and_its_russian_twin_work() -> None:
    app = DeskApp()
    async with app.run_test() as pilot:
        problems = apply_keymap(app, {"ticket.reply": "x"}, scopes=[QueueScreen])
        assert problems == []
        await pilot.press("r", "к", "x", "ч")
        assert app.queue.fired == ["reply", "reply"]


async def test_remapped_key_without_a_russian_twin_still_works() -> None:
    app = DeskApp()
    async with app.run_test() as pilot:
        assert apply_keymap(app, {"app.help": "f1"}) == []
        await pilot.press("question_mark", "comma", "f1")
        assert app.fired == ["help"]


async def test_unknown_ids_are_reported_with_a_suggestion_and_ignored() -> None:
    app = DeskApp()
    async with app.run_test() as pilot:
        problems = apply_keymap(app, {"ticket.replly": "x", "ticket.take": "g"}, scopes=[QueueScreen])
        assert problems == [
            "keymap: 'ticket.replly' is not a known binding id (did you mean 'ticket.reply'?)"
        ]
        await pilot.press("g", "x")
        assert app.queue.fired == ["take"]


async def test_a_key_taken_by_another_action_on_the_same_screen_is_reported_and_defaults_stay() -> None:
    app = DeskApp()
    async with app.run_test() as pilot:
        problems = apply_keymap(app, {"ticket.reply": "t"}, scopes=[QueueScreen])
        assert len(problems) == 1
        assert "'ticket.reply' → 't' clashes with ticket.take in QueueScreen" in problems[0]
        await pilot.press("t", "r")
        assert app.queue.fired == ["take", "reply"]


async def test_swapping_two_keys_is_not_a_clash() -> None:
    app = DeskApp()
    async with app.run_test() as pilot:
        assert apply_keymap(app, {"ticket.reply": "t", "ticket.take": "r"}, scopes=[QueueScreen]) == []
        await pilot.press("t", "r")
        assert app.queue.fired == ["reply", "take"]


def test_two_remapped_actions_on_one_key_both_keep_their_defaults() -> None:
    scopes = [scope_of(DeskApp), scope_of(QueueScreen)]
    usable, problems = check_keymap({"ticket.reply": "z", "ticket.take": "z"}, scopes)
    assert usable == {}
    assert len(problems) == 2


def test_a_key_held_by_an_app_wide_priority_binding_is_a_clash_on_every_screen() -> None:
    scopes = [scope_of(DeskApp), scope_of(QueueScreen)]
    usable, problems = check_keymap({"queue.next": "ctrl+k"}, scopes)
    assert usable == {}
    assert "app.palette" in problems[0]


def test_bad_key_names_are_reported() -> None:
    usable, problems = check_keymap({"ticket.reply": "ctrl+escpae"}, [scope_of(QueueScreen)])
    assert usable == {}
    assert problems == ["keymap: 'ticket.reply': 'ctrl+escpae' is not a key name"]


@pytest.mark.parametrize(
    "key",
    [
        "x",
        "X",
        "ctrl+x",
        "ctrl+shift+f5",
        "?",
        "question_mark",
        "escape",
        "enter",
        "space",
        "pageup",
        "й",
        "full_stop",
        "alt+й",
    ],
)
def test_valid_key_names(key: str) -> None:
    assert is_valid_key(key)


@pytest.mark.parametrize("key", ["escpae", "ctrl+", "hyperdrive+x", "f99x", ""])
def test_invalid_key_names(key: str) -> None:
    assert not is_valid_key(key)


def test_binding_ids_are_collected_from_the_class_hierarchy() -> None:
    ids = known_binding_ids([DeskApp, QueueScreen])
    assert ids == [
        "app.help",
        "app.palette",
        "app.quit",
        "queue.filter",
        "queue.next",
        "ticket.reply",
        "ticket.take",
    ]


class ModalApp(App[None]):
    SCREENS: ClassVar = {"queue": QueueScreen}


async def test_screens_declared_on_the_app_are_included_automatically() -> None:
    app = ModalApp()
    async with app.run_test():
        assert apply_keymap(app, {"ticket.reply": "x"}) == []


async def test_widget_classes_from_the_apps_package_are_found_without_listing_them() -> None:
    from textual.widget import Widget

    class Sidebar(Widget):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("j", "down", "Down", id="sidebar.down")]

    app = DeskApp()
    async with app.run_test():
        assert apply_keymap(app, {"sidebar.down": "J"}) == []


class FormScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases(
        [Binding("s", "save", "Save", id="form.save")]
    )

    def __init__(self) -> None:
        super().__init__()
        self.saved = 0

    def compose(self) -> ComposeResult:
        yield Input(id="text")

    def action_save(self) -> None:
        self.saved += 1


class FormApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(FormScreen())


async def test_typing_russian_text_in_an_input_does_not_fire_aliases() -> None:
    app = FormApp()
    async with app.run_test() as pilot:
        await pilot.click("#text")
        await pilot.press("ы", "s")
        screen = app.screen
        assert isinstance(screen, FormScreen)
        assert screen.saved == 0
        assert screen.query_one(Input).value == "ыs"
