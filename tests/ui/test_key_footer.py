"""The key bar: the screen's bindings on one line, clickable, rebuilt when the bindings change."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Label

from supportdesk_tui.i18n import set_language
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.relabel import relabel_tree


class DeskScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "mark('reply')", "Reply"),
        Binding("t", "mark('take')", "Take"),
        Binding("x", "mark('secret')", "Secret", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.fired: list[str] = []

    def compose(self) -> ComposeResult:
        yield Label("queue")
        yield KeyFooter()

    def action_mark(self, what: str) -> None:
        self.fired.append(what)


class DeskApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.desk = DeskScreen()

    def on_mount(self) -> None:
        self.push_screen(self.desk)


async def test_agent_sees_the_screens_keys_but_not_the_hidden_ones() -> None:
    app = DeskApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        footer = app.desk.query_one(KeyFooter)
        descriptions = [entry.description for entry in footer.entries]
        assert "Reply" in descriptions and "Take" in descriptions
        assert "Secret" not in descriptions
        line = footer.render().plain
        assert "r Reply" in line and "t Take" in line
        assert line.rstrip().endswith("palette")


async def test_agent_clicks_a_key_in_the_bar_and_it_does_what_the_key_does() -> None:
    app = DeskApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        footer = app.desk.query_one(KeyFooter)
        footer.render()
        take = next(x for x in range(footer.size.width)
                    if (e := footer.entry_at(x)) and e.description == "Take")
        await pilot.click(KeyFooter, offset=(take, 0))
        await pilot.pause()
        assert app.desk.fired == ["take"]


async def test_the_bar_drops_keys_that_do_not_fit_instead_of_wrapping() -> None:
    app = DeskApp()
    async with app.run_test(size=(24, 10)) as pilot:
        await pilot.pause()
        footer = app.desk.query_one(KeyFooter)
        line = footer.render()
        assert line.cell_len <= 24
        assert "palette" in line.plain


async def test_the_bar_speaks_the_language_of_the_moment() -> None:
    app = DeskApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        footer = app.desk.query_one(KeyFooter)
        assert "r Reply" in footer.render().plain
        try:
            set_language("ru")
            relabel_tree(app.desk)
            await pilot.pause()
            line = footer.render().plain
            assert "r Ответить" in line and "t Взять" in line
            # The entries keep the message ids; only what is drawn is translated.
            assert [entry.description for entry in footer.entries] == ["Reply", "Take"]
        finally:
            set_language("en")
