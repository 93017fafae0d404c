"""The key bar hands back a bar it drew before when the focus brings the same keys back: that bar
is the one Textual's own rendering draws now, in the colours and language of the moment, and a
click on it presses the key shown there."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

from supportdesk_tui.i18n import set_language
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.relabel import relabel_tree
from waiting import settle


class Field(Input):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "screen.mark('save')", "Save")]


class DeskScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "mark('reply')", "Reply"),
        Binding("t", "mark('take')", "Take"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.fired: list[str] = []

    def compose(self) -> ComposeResult:
        yield Field(id="field")
        yield Widget(id="list")
        yield KeyFooter()

    def action_mark(self, what: str) -> None:
        self.fired.append(what)


class DeskApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.desk = DeskScreen()

    def on_mount(self) -> None:
        self.push_screen(self.desk)


def cells(strips: list[Strip]) -> list[list[tuple[str, Style | None]]]:
    return [[(char, segment.style) for segment in strip for char in segment.text] for strip in strips]


def drawn_and_fresh(footer: KeyFooter) -> tuple[object, object]:
    crop = Region(0, 0, footer.size.width, 1)
    drawn = cells(footer.render_lines(crop))
    footer._styles_cache.clear()
    footer._dirty_regions.add(footer.size.region)
    return drawn, cells(Widget.render_lines(footer, crop))


async def test_a_bar_drawn_before_comes_back_as_textual_draws_it_now() -> None:
    app = DeskApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await settle(pilot)
        footer = app.desk.query_one(KeyFooter)
        field, plain = app.desk.query_one("#field"), app.desk.query_one("#list")
        plain.can_focus = True
        seen: set[str] = set()
        for step in ("field", "list", "field", "list", "light", "field", "ru", "list", "field"):
            if step == "light":
                app.theme = "textual-light"
            elif step == "ru":
                set_language("ru")
                relabel_tree(app.desk)
            else:
                (field if step == "field" else plain).focus()
            await settle(pilot)
            drawn, fresh = drawn_and_fresh(footer)
            assert drawn == fresh, step
            seen.add(str(drawn))
        set_language("en")
        assert len(seen) >= 5  # two key sets, in two themes and two languages


async def test_a_click_on_a_bar_drawn_before_presses_the_key_shown_there() -> None:
    app = DeskApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await settle(pilot)
        footer = app.desk.query_one(KeyFooter)
        field, plain = app.desk.query_one("#field"), app.desk.query_one("#list")
        plain.can_focus = True
        for target in (plain, field, plain, field):  # the field's bar is handed back the second time
            target.focus()
            await settle(pilot)
        line = "".join(segment.text for segment in footer.render_lines(Region(0, 0, footer.size.width, 1))[0])
        save = line.index("Save")
        await pilot.click(KeyFooter, offset=(save, 0))
        await settle(pilot)
        assert app.desk.fired == ["save"]
