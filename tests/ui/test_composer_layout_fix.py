"""Text typed in the wrong keyboard layout is fixed with one key (ctrl+l) in the composer."""

from __future__ import annotations

from test_widget_composer import ComposerHost, ready
from textual.widgets.text_area import Selection


async def test_agent_fixes_the_word_typed_in_the_wrong_layout_and_types_on() -> None:
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        await pilot.press(*"Ok ghbdtn")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert composer.text == "Ok привет"
        # The caret stays after the word, so typing goes on instead of replacing it.
        await pilot.press("space", "x")
        await pilot.pause()
        assert composer.text == "Ok привет x"
        assert app.page.fired == []


async def test_agent_fixes_a_selection_both_ways() -> None:
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        composer.editor.load_text("Здравствуйте, руддщ цщкдв!")
        composer.editor.selection = Selection((0, 14), (0, 25))
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert composer.text == "Здравствуйте, hello world!"
        # The converted text stays selected: a second press turns it back.
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert composer.text == "Здравствуйте, руддщ цщкдв!"


async def test_nothing_to_convert_leaves_the_text_alone() -> None:
    app = ComposerHost()
    async with app.run_test(size=(100, 20)) as pilot:
        composer = await ready(pilot)
        await pilot.press(*"42 ")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert composer.text == "42 "


async def test_the_fix_binding_has_an_id_for_the_keymap() -> None:
    from supportdesk_tui.widgets.composer import Composer

    ids = {getattr(b, "id", None) for b in Composer.BINDINGS}
    assert "composer.fix_layout" in ids
