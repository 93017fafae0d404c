"""The composer: typing never fires screen shortcuts; reply vs note unmistakable; sends are explicit."""

from __future__ import annotations

from typing import Any, ClassVar

from test_widget_fakes import WidgetHost
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static, TextArea

from supportdesk_tui.contract.models import MessageKind, Status
from supportdesk_tui.widgets.composer import Composer
from waiting import wait_until


class ConversationLikeScreen(Screen[None]):
    """Has the single-key shortcuts a real conversation screen has."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "record('j')", "Next"),
        Binding("t", "record('t')", "Take"),
        Binding("r", "record('r')", "Reply"),
        Binding("q", "record('q')", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.fired: list[str] = []

    def compose(self) -> ComposeResult:
        yield Composer(id="composer")

    def action_record(self, key: str) -> None:
        self.fired.append(key)


class ComposerHost(WidgetHost):
    def __init__(self) -> None:
        super().__init__([])
        self.sent: list[Composer.SendRequested] = []
        self.changes: list[Composer.Changed] = []
        self.page = ConversationLikeScreen()

    def on_mount(self) -> None:
        self.push_screen(self.page)

    def on_composer_send_requested(self, event: Composer.SendRequested) -> None:
        self.sent.append(event)

    def on_composer_changed(self, event: Composer.Changed) -> None:
        self.changes.append(event)


async def ready(pilot: Pilot[None]) -> Composer:
    await pilot.pause()
    composer = pilot.app.screen.query_one(Composer)
    composer.focus_editor()
    await pilot.pause()
    return composer


async def test_typing_j_and_t_goes_into_the_text_not_to_screen_shortcuts() -> None:
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        await pilot.press("j", "t", "r", "q", "space", "J")
        await pilot.pause()
        assert composer.text == "jtrq J"
        assert app.page.fired == []
        # Leaving the editor gives the shortcuts back.
        composer.editor.blur()
        await pilot.press("j")
        assert app.page.fired == ["j"]


async def test_reply_and_internal_note_modes_look_different() -> None:
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        assert composer.kind is MessageKind.REPLY and composer.has_class("-reply")
        assert composer.border_title == "Reply to customer"
        reply_border = composer.styles.border_top
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert composer.kind.value == "note" and composer.has_class("-note")
        assert composer.border_title == "Internal note — not visible to the customer"
        assert composer.styles.border_top != reply_border
        assert app.changes and app.changes[-1].kind is MessageKind.NOTE


async def test_agent_sends_with_ctrl_s_and_with_status_shortcuts() -> None:
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        await ready(pilot)
        await pilot.press(*"Fixed")
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+o")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [(e.body, e.kind, e.status_after) for e in app.sent] == [
            ("Fixed", MessageKind.REPLY, None),
            ("Fixed", MessageKind.REPLY, Status.PENDING),
            ("Fixed", MessageKind.REPLY, Status.SOLVED),
        ]


async def test_an_empty_message_cannot_be_sent_and_says_why() -> None:
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        await pilot.press("space", "enter", "ctrl+s")
        await pilot.pause()
        assert app.sent == []
        status = composer.query_one("#composer-status", Static)
        assert "Nothing to send" in str(status.render())


async def test_busy_composer_refuses_a_second_send_and_shows_sending() -> None:
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        composer.set_draft("Draft from yesterday", MessageKind.NOTE)
        composer.set_busy(True)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.sent == []
        assert "Sending…" in str(composer.query_one("#composer-status", Static).render())
        composer.set_busy(False)
        composer.show_blocked("[@click=app.quit]New customer message arrived")
        await pilot.pause()
        assert "[@click=app.quit]New customer message arrived" in str(
            composer.query_one("#composer-status", Static).render()
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [(e.body, e.kind) for e in app.sent] == [("Draft from yesterday", MessageKind.NOTE)]
        composer.clear()
        assert composer.text == "" and composer.kind is MessageKind.NOTE


async def test_draft_changes_are_reported_for_saving() -> None:
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        composer.CHANGE_THROTTLE = 0.05
        await pilot.press(*"hello")
        await wait_until(pilot, lambda: app.changes and app.changes[-1].text == "hello", what="the change")
        assert app.changes[-1].kind is MessageKind.REPLY


async def test_inserted_text_lands_at_the_caret_without_control_characters() -> None:
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        await pilot.press(*"Hi ")
        composer.insert_at_cursor("Alice\x1b[31m,")
        await pilot.pause()
        assert composer.text == "Hi Alice[31m,"


async def test_reset_for_the_next_ticket_leaves_nothing_even_when_the_text_is_empty() -> None:
    # Reset skips clearing a composer already as `clear` leaves it; empty text alone is not that.
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        await pilot.press("a", "b", "backspace", "backspace")  # typed and deleted: undo brings it back
        await pilot.press("ctrl+s")  # refused: nothing to send
        await pilot.pause()
        assert composer.text == "" and "Nothing to send" in str(
            composer.query_one("#composer-status", Static).render())
        composer.reset()
        await pilot.pause()
        composer.focus_editor()
        await pilot.press("ctrl+z", "ctrl+z")
        await pilot.pause()
        assert composer.text == "", "no undo back to the previous ticket's text"
        assert "customer will see" in str(composer.query_one("#composer-status", Static).render())
        composer.reset()  # pristine now: nothing to clear, and still as new
        assert composer.text == "" and composer.kind is MessageKind.REPLY and not composer.files


def _theme_styles(editor: TextArea) -> tuple[object, ...]:
    theme = editor._theme
    return (theme.base_style, theme.gutter_style, theme.cursor_style, theme.cursor_line_style,
            theme.cursor_line_gutter_style, theme.bracket_matching_style, theme.selection_style)


class FocusColouredHost(ComposerHost):
    """A rule that gives the editor's cursor line another colour once it has the focus."""

    CSS = "ComposerEditor:focus > .text-area--cursor-line { background: red; }"


async def test_the_editor_draws_with_the_styles_its_css_gives_it_now() -> None:
    """The editor skips filling its theme from its CSS when nothing that CSS reads changed (a
    shortcut): after a focus change, the note mode and another app theme, the styles it draws
    with are still the ones a stock TextArea would work out in that frame."""
    app = FocusColouredHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        editor = composer.editor
        line = Region(0, 0, editor.size.width, 1)

        def drawn_as_stock() -> None:
            editor.render_lines(line)
            ours = _theme_styles(editor)
            TextArea.render_lines(editor, line)  # always fills the theme from the CSS
            assert _theme_styles(editor) == ours

        await pilot.press("a")
        drawn_as_stock()
        focused_line = editor._theme.cursor_line_style
        editor.blur()
        await pilot.pause()
        drawn_as_stock()
        assert editor._theme.cursor_line_style != focused_line, "the focus rule no longer applies"
        composer.focus_editor()
        await pilot.pause()
        drawn_as_stock()
        await pilot.press("ctrl+t")
        await pilot.pause()
        drawn_as_stock()
        app.theme = "textual-light"
        await pilot.pause()
        drawn_as_stock()


def line_shows(composer: Composer, line_id: str) -> str:
    """What a line under the editor shows: its text when it is displayed with room to show it."""
    line = composer.query_one(line_id, Static)
    return str(line.render()) if line.display and line.region.height else ""


async def test_the_files_and_room_lines_show_and_clear_with_what_they_are_about(tmp_path: Any) -> None:
    # The composer sets these lines only when what they say changes, starting from what they show
    # when mounted (empty): a line set again to the same words would ask for a layout of the screen.
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        assert line_shows(composer, "#composer-files") == line_shows(composer, "#composer-room") == ""
        composer.attach(tmp_path / "invoice.pdf")
        await pilot.pause()
        assert "invoice.pdf" in line_shows(composer, "#composer-files")
        composer.clear()  # as a send does
        await pilot.pause()
        assert line_shows(composer, "#composer-files") == ""
        composer.clear()  # nothing attached this time
        await pilot.pause()
        assert line_shows(composer, "#composer-files") == line_shows(composer, "#composer-room") == ""
        composer.set_draft("x" * (composer.body_limit - 10), MessageKind.REPLY)
        await pilot.pause()
        assert line_shows(composer, "#composer-room") != ""
        composer.clear()
        await pilot.pause()
        assert line_shows(composer, "#composer-files") == line_shows(composer, "#composer-room") == ""
        composer.attach(tmp_path / "invoice.pdf")  # the same file again: shown again
        await pilot.pause()
        assert "invoice.pdf" in line_shows(composer, "#composer-files")
