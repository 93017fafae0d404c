"""Guards on the Textual (and Rich) internals the app reaches into — why Textual is pinned exactly.

Each test names the internal, the file of ours that leans on it and what to check when the pin in
pyproject.toml moves. A failure here after a bump is not a flaky test: read the new Textual's
source for that internal, adapt our file (or drop the trick if Textual now does it itself), then
update the test.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from functools import cache
from typing import ClassVar

import pytest
import rich
import textual
from rich.style import Style
from textual.app import App, ComposeResult
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Select, Static, TextArea

import supportdesk_tui

BUMPED = f"Textual {textual.__version__} (pinned in pyproject.toml) no longer has what"

# Private hooks of Textual our classes override on purpose: name → who does and what to check.
DELIBERATE_OVERRIDES = {
    "_on_screen_resume": "screens/_status.py and screens/conversation.py: see "
                         "test_a_resumed_screen_restyles_only_when_asked",
    "_size_updated": "widgets/composer.py: see test_the_composer_hears_every_size_change",
    "_handle_exception": "app.py logs a failure nothing caught, then hands it on: see "
                         "test_an_uncaught_failure_still_goes_through_handle_exception",
    "_background_screens": "app.py leaves a screen covered by an opaque one undrawn: see "
                           "test_a_screen_is_drawn_under_another_only_when_that_one_is_translucent",
}


def test_the_styles_cache_memo_can_be_emptied() -> None:
    from textual._styles_cache import StylesCache

    from supportdesk_tui.app import forget_closed_widgets_styles

    memo = StylesCache.get_inner_outer
    assert hasattr(memo, "cache_info") and hasattr(memo, "cache_clear"), (
        f"{BUMPED} app.forget_closed_widgets_styles empties: textual._styles_cache."
        "StylesCache.get_inner_outer as an lru_cache. Check whether the new Textual still keeps "
        "closed widgets' lines alive there (bench: 200 tickets opened); if not, drop the GC hook.")
    assert isinstance(forget_closed_widgets_styles(), int)


def test_registered_themes_are_the_dict_current_theme_looks_in() -> None:
    app = App[None]()
    registered = app._registered_themes
    assert isinstance(registered, dict) and "textual-dark" in registered, (
        f"{BUMPED} SupportDeskApp.current_theme reads: App._registered_themes (name → Theme).")
    for name in registered:
        assert app.get_theme(name) is registered[name], (
            f"{BUMPED} SupportDeskApp.current_theme assumes: get_theme(name) is "
            "_registered_themes[name]. Compare App.current_theme with ours in app.py.")


def test_the_screen_stack_is_a_list_empty_before_the_app_runs() -> None:
    assert App[None]()._screen_stack == [], (
        f"{BUMPED} SupportDeskApp._mind_the_size reads: App._screen_stack (a list, empty until "
        "the first screen); use the new way to ask whether a screen is up.")


def test_a_resumed_screen_restyles_only_when_asked() -> None:
    from textual import events

    app, screen = App[None](), Screen[None]()
    assert isinstance(app._css_update_count, int) and isinstance(screen._css_update_count, int), (
        f"{BUMPED} screens/_status.py compares: App._css_update_count and Screen._css_update_count "
        "(the stylesheet generation a screen was styled with).")
    assert events.ScreenResume().refresh_styles is True, (
        f"{BUMPED} screens/_status.py sets: ScreenResume.refresh_styles.")
    resume = inspect.getsource(Screen._on_screen_resume)
    assert "refresh_styles" in resume, (
        f"{BUMPED} screens/_status.py relies on: Screen._on_screen_resume skipping the restyle "
        "when event.refresh_styles is False. Check how a resumed screen is restyled now.")
    dispatch = inspect.getsource(MessagePump._get_dispatch_methods)
    assert "__mro__" in dispatch, (
        f"{BUMPED} screens/_status.py expects: `_on_<event>` handlers of every class in the MRO "
        "are called (it prevents the default after calling Screen's once). Check "
        "MessagePump._get_dispatch_methods.")


def test_the_composer_hears_every_size_change() -> None:
    parameters = list(inspect.signature(TextArea._size_updated).parameters)
    assert parameters == ["self", "size", "virtual_size", "container_size", "layout"], (
        f"{BUMPED} widgets/composer.py overrides: TextArea._size_updated(size, virtual_size, "
        f"container_size, layout) -> bool; it is now {parameters}.")


def test_select_keeps_its_own_copy_of_the_placeholder() -> None:
    try:
        from textual.widgets._select import SelectCurrent
    except ImportError as exc:
        pytest.fail(f"{BUMPED} widgets/relabel.py imports: textual.widgets._select.SelectCurrent ({exc})")
    assert "placeholder" in inspect.signature(SelectCurrent.__init__).parameters, (
        f"{BUMPED} widgets/relabel.py sets: SelectCurrent.placeholder (the closed control's copy of "
        "the prompt). Check whether Select.prompt now updates the closed control by itself.")
    assert "SelectCurrent(" in inspect.getsource(Select.compose), (
        f"{BUMPED} widgets/relabel.py queries: the SelectCurrent Select composes.")


def test_rich_splits_spare_width_by_ratio() -> None:
    try:
        from rich._ratio import ratio_distribute
    except ImportError as exc:
        pytest.fail(f"Rich {rich.__version__ if hasattr(rich, '__version__') else ''} no longer has "
                    f"rich._ratio.ratio_distribute, which widgets/plain_table.py imports ({exc}): "
                    "copy the few lines it needs into plain_table.py.")
    assert ratio_distribute(10, [1, 1]) == [5, 5] and ratio_distribute(10, [3, 1, 1]) == [6, 2, 2], (
        "rich._ratio.ratio_distribute (widgets/plain_table.py) splits widths differently now.")


def test_the_devtools_render_a_screen_as_text() -> None:
    from textual._compositor import Compositor

    assert {"full", "screen_stack"} <= set(inspect.signature(Compositor.render_update).parameters), (
        f"{BUMPED} devtools/render.py calls: Compositor.render_update(full=, screen_stack=).")
    assert isinstance(inspect.getattr_static(App, "_background_screens"), property), (
        f"{BUMPED} devtools/render.py reads: App._background_screens.")


def test_a_screen_is_drawn_under_another_only_when_that_one_is_translucent() -> None:
    # app.py's `_background_screens` returns [] when the screen in front is opaque; Textual's
    # always counted the one below as visible (so it stayed "current" and its repaints were
    # handed to the screen in front as full repaints).
    background = inspect.getattr_static(App, "_background_screens")
    assert isinstance(background, property) and "_screen_stack" in inspect.getsource(background.fget), (
        f"{BUMPED} app.py overrides: App._background_screens (a property over _screen_stack).")
    assert "_background_screens" in inspect.getsource(Screen.is_current.fget), (  # type: ignore[attr-defined]
        f"{BUMPED} app.py expects: Screen.is_current to ask App._background_screens.")
    render = inspect.getsource(Screen.render)
    assert "background.a < 1" in render, (
        f"{BUMPED} app.py assumes: a screen draws the one below only when its background is "
        "translucent (Screen.render). Check whether an opaque screen can show another now.")


class _Probe(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"probe--cursor"}
    DEFAULT_CSS = """
    _Probe > .probe--cursor { color: red; }
    _Probe.-alt > .probe--cursor { color: blue; }
    """


class _ProbeApp(App[None]):
    def compose(self) -> ComposeResult:
        yield _Probe()


async def test_component_styles_are_replaced_when_the_stylesheet_changes_them() -> None:
    from supportdesk_tui.widgets._component_styles import ComponentStyles

    async with _ProbeApp().run_test() as pilot:
        probe = pilot.app.query_one(_Probe)
        assert isinstance(probe._component_styles, dict), (
            f"{BUMPED} widgets/_component_styles.py reads: Widget._component_styles.")
        styles = ComponentStyles(probe, "probe")
        red = styles.get("cursor")
        assert red.color is not None and red.color.get_truecolor() == (255, 0, 0)
        assert not styles.changed() and styles.get("cursor") is red
        probe.add_class("-alt")
        await pilot.pause()
        assert styles.changed(), (
            f"{BUMPED} widgets/_component_styles.py relies on: the stylesheet replaces a widget's "
            "component styles object when it applies new rules to it. Ticket table, dashboard "
            "tiles and trend would keep old colours: compare Widget._component_styles' life now.")
        blue = styles.get("cursor")
        assert isinstance(blue, Style) and blue.color is not None
        assert blue.color.get_truecolor() == (0, 0, 255)



def test_the_text_area_fills_its_theme_from_css_in_render_lines_only() -> None:
    # widgets/composer.py skips TextArea.render_lines' `theme.apply_css(self)` while the theme
    # object, the app's theme and the editor's component styles are the same objects.
    source = inspect.getsource(TextArea.render_lines)
    assert "theme = self._theme" in source and "theme.apply_css(self)" in source, (
        f"{BUMPED} widgets/composer.py relies on: TextArea.render_lines filling self._theme from the "
        "CSS and then drawing (ComposerEditor.render_lines calls the next base's render_lines "
        "itself when nothing changed): check what TextArea.render_lines does now.")
    setter = inspect.getsource(TextArea._set_theme)
    assert "self._theme = dataclasses.replace(" in setter, (
        f"{BUMPED} widgets/composer.py relies on: a new theme object whenever the editor's or the "
        "app's theme changes (TextArea._set_theme).")

class _LabelApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("old")


async def test_a_repaint_handed_to_the_screen_holds_back_an_after_refresh_callback() -> None:
    # screens/live_stats.py keeps the dashboard's fetch gate shut until the answer's frame is
    # displayed: it calls Widget._check_refresh() (what a widget's own idle handler does: post
    # Update/Layout to its screen) on the answer's widgets, then call_after_refresh(). That relies
    # on the screen keeping after-refresh callbacks while widgets are dirty (Screen._on_idle) and
    # running them only after the update timer has displayed the frame (Screen._on_timer_update).
    assert list(inspect.signature(Widget._check_refresh).parameters) == ["self"], (
        f"{BUMPED} screens/live_stats.py calls: Widget._check_refresh() (no arguments).")
    async with _LabelApp().run_test() as pilot:
        app = pilot.app
        label = app.query_one(Static)
        await pilot.pause()
        seen: list[str] = []
        display = app._display

        def counted_display(screen: Screen[object], renderable: object) -> None:
            display(screen, renderable)  # type: ignore[arg-type]
            seen.append("frame")

        app._display = counted_display  # type: ignore[method-assign]
        label.update("new")
        label._check_refresh()
        assert not label._repaint_required, (
            f"{BUMPED} screens/live_stats.py expects: Widget._check_refresh() clears the repaint it "
            "hands on (else the widget's idle hands it on again: a second frame).")
        app.screen.call_after_refresh(seen.append, "callback")
        for _ in range(100):
            if "callback" in seen:
                break
            await pilot.pause()
        assert seen[:2] == ["frame", "callback"], (
            f"{BUMPED} screens/live_stats.py relies on: an after-refresh callback waits for the frame "
            f"that shows a repaint the screen was told of before it (seen: {seen}). Read Screen._on_idle, "
            "_on_timer_update and _invoke_and_clear_callbacks of the new Textual and adapt "
            "LiveStatsScreen._hand_repaints_to_screen.")


# --- no accidental reuse of Textual's private names -----------------------------------------


@cache
def _private_names(cls: type) -> frozenset[str]:
    """`_names` a class defines or assigns on self in its own body (dunders left out)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return frozenset()
    body = tree.body[0]
    names: set[str] = set()
    for node in ast.walk(body):
        own = node in body.body  # type: ignore[attr-defined]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and own:
            names.add(node.name)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
              and isinstance(node.value, ast.Name) and node.value.id == "self"):
            names.add(node.attr)
        elif isinstance(node, ast.AnnAssign | ast.Assign) and own:
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(n for n in names if n.startswith("_") and not n.startswith("__"))


def _our_textual_classes() -> list[type]:
    found: list[type] = []
    for info in pkgutil.walk_packages(supportdesk_tui.__path__, "supportdesk_tui."):
        parts = info.name.split(".")
        if parts[1] in ("server", "devtools") or parts[-1] == "__main__":
            continue
        module = importlib.import_module(info.name)
        found += [value for value in vars(module).values()
                  if isinstance(value, type) and value.__module__ == info.name
                  and issubclass(value, MessagePump | Message)]
    return found


def test_no_class_of_ours_reuses_a_private_name_of_its_textual_base() -> None:
    classes = _our_textual_classes()
    assert len(classes) > 30  # the screens, widgets and the app were all found
    clashes = []
    for cls in classes:
        textual_bases = [base for base in cls.__mro__ if base.__module__.startswith("textual.")]
        theirs = frozenset().union(*(_private_names(base) for base in textual_bases))
        for name in sorted((_private_names(cls) & theirs) - DELIBERATE_OVERRIDES.keys()):
            owner = next(base for base in textual_bases if name in _private_names(base))
            clashes.append(f"{cls.__module__}.{cls.__qualname__}.{name} "
                           f"(also {owner.__module__}.{owner.__qualname__})")
    assert not clashes, (
        "these names of ours are also Textual's own, so ours overwrite them: rename ours (or, for a "
        "deliberate override, add it to DELIBERATE_OVERRIDES with a guard test):\n" + "\n".join(clashes))


def test_the_deliberate_overrides_still_override_something() -> None:
    bases = (App, Screen, Widget, TextArea)
    for name, who in DELIBERATE_OVERRIDES.items():
        assert any(hasattr(base, name) for base in bases), f"{BUMPED} {who} overrides: {name}"



def test_an_uncaught_failure_still_goes_through_handle_exception() -> None:
    # app.py overrides it to log the failure's type and stack (client_log.py) before Textual exits.
    parameters = list(inspect.signature(App._handle_exception).parameters)
    assert parameters == ["self", "error"], f"{BUMPED} app.py overrides: App._handle_exception(error)"


def test_the_app_still_writes_to_the_terminal_through_its_driver() -> None:
    # widgets/notification_center.py writes the desktop-notification sequence (OSC 9/777) the way
    # Textual's own bell() writes BEL: app._driver.write(), between frames.
    assert "self._driver" in inspect.getsource(App.bell), (
        f"{BUMPED} widgets/notification_center.py copies: App.bell() writing through app._driver")
    from textual.driver import Driver

    assert callable(getattr(Driver, "write", None)), f"{BUMPED} notification_center.py calls: Driver.write()"


def test_textual_serve_still_builds_its_web_app_in_make_app() -> None:
    # web/serve.py replaces textual-serve's serve() to print the address only once the port is bound,
    # and builds the aiohttp app with its _make_app().
    server = pytest.importorskip("textual_serve.server")
    make_app = getattr(server.Server, "_make_app", None)
    assert callable(make_app), (
        "textual-serve (pinned <2 in pyproject.toml) no longer has Server._make_app, which "
        "web/serve.py calls: read its Server.serve() and adapt DeskServer.serve")
    assert list(inspect.signature(make_app).parameters) == ["self"], (
        "textual-serve's Server._make_app() takes arguments now: adapt web/serve.py's DeskServer.serve")


def test_argparse_still_keeps_subcommands_in_a_subparsers_action() -> None:
    # completion.py and the completion test find the subcommands through these argparse internals.
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_subparsers(dest="command").add_parser("one")
    actions = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    assert len(actions) == 1 and "one" in (actions[0].choices or {}), (
        "argparse no longer keeps subcommands in parser._actions as a _SubParsersAction: adapt "
        "completion.py's _commands()")


# --- every reach into an internal is one of the guarded ones ----------------------------------

# Private modules and attributes of Textual/Rich the app uses, each with the test above guarding it.
GUARDED_MODULES = {
    "textual._styles_cache": "test_the_styles_cache_memo_can_be_emptied",
    "textual.widgets._select": "test_select_keeps_its_own_copy_of_the_placeholder",
    "rich._ratio": "test_rich_splits_spare_width_by_ratio",
}
def test_a_widgets_vertical_scrollbar_is_still_made_and_started_as_the_steady_one_is() -> None:
    """widgets/steady_scrollbar.py makes the table's scrollbar the way `Widget.vertical_scrollbar`
    does (kept in `_vertical_scrollbar`, started with `App._start_widget(parent, widget)`): if a
    bump changes how Textual makes or starts it, the copy must follow."""
    import inspect

    from textual.app import App
    from textual.widget import Widget

    made = inspect.getsource(Widget.vertical_scrollbar.fget)  # type: ignore[attr-defined]
    assert "self._vertical_scrollbar" in made
    assert "self.app._start_widget(self, scroll_bar)" in made
    assert list(inspect.signature(App._start_widget).parameters) == ["self", "parent", "widget"]


def test_a_widget_still_sizes_its_scrollbars_for_a_new_virtual_size_in_scroll_update() -> None:
    # widgets/ticket_table.py and widgets/thread.py: a list or thread of another length records its
    # virtual size without a layout and calls Widget._scroll_update for the scrollbar's thumb.
    parameters = list(inspect.signature(Widget._scroll_update).parameters)
    source = inspect.getsource(Widget._scroll_update)
    assert parameters == ["self", "virtual_size"] and "window_virtual_size" in source, (
        f"{BUMPED} widgets/ticket_table.py and widgets/thread.py call: Widget._scroll_update(virtual_size), "
        f"which sets the scrollbars' window_virtual_size and window_size; it is now {parameters}.")


def test_selector_names_and_component_classes_are_still_what_css_rules_match() -> None:
    # widgets/ticket_table.py looks up the rules that could style the table (does one name :focus?)
    # by DOMNode._selector_names and DOMNode._get_component_classes, as Textual's own matching does.
    from textual.widgets import DataTable

    table: DataTable[str] = DataTable(id="shown-table", classes="queue")
    assert {"*", "#shown-table", ".queue", "DataTable", "Widget"} <= table._selector_names, (
        f"{BUMPED} widgets/ticket_table.py reads: DOMNode._selector_names as the set of '*', '#id', "
        "'.class' and type names its rules are keyed by; it is now " + repr(table._selector_names))
    assert "datatable--cursor" in DataTable._get_component_classes(), (
        f"{BUMPED} widgets/ticket_table.py reads: DOMNode._get_component_classes() as the class's "
        "COMPONENT_CLASSES with its bases'.")


def test_a_screen_can_still_be_mounted_and_drawn_off_the_stack() -> None:
    """navigator.py prepares the conversation screen as `App.push_screen` would, without pushing it
    (`App._load_screen_css(screen)`, then `App._get_screen(screen)` registers it and returns an
    awaitable for its mount), and screens/conversation.py lays it out and draws it unseen
    (`Screen._refresh_layout(size)` displays only the current screen, `_compositor.render_update`
    returns the frame), then starts its frame timer (`Screen._update_timer`). If a bump changes how
    a pushed screen is mounted or drawn, follow it."""
    from textual._compositor import Compositor

    pushed = inspect.getsource(App.push_screen)
    assert "self._get_screen(screen)" in pushed and "self._load_screen_css(next_screen)" in pushed
    assert list(inspect.signature(App._load_screen_css).parameters) == ["self", "screen"]
    got = inspect.getsource(App._get_screen)
    assert "self._register(self, _screen)" in got and "return (_screen, await_mount)" in got
    layout = inspect.getsource(Screen._refresh_layout)
    assert "if self.is_current:" in layout and "self._compositor.reflow(self, size)" in layout
    assert "full" in inspect.signature(Compositor.render_update).parameters
    # The frame timer: made paused on first use, its first tick one period after its first resume.
    timer = inspect.getsource(Screen._update_timer.fget)  # type: ignore[attr-defined]
    assert "self.set_interval(" in timer and "pause=True" in timer
    assert "self._update_timer.pause()" in inspect.getsource(Screen._on_timer_update)


GUARDED_ATTRIBUTES = {
    "_load_screen_css": "test_a_screen_can_still_be_mounted_and_drawn_off_the_stack",
    "_get_screen": "test_a_screen_can_still_be_mounted_and_drawn_off_the_stack",
    "_refresh_layout": "test_a_screen_can_still_be_mounted_and_drawn_off_the_stack",
    "_update_timer": "test_a_screen_can_still_be_mounted_and_drawn_off_the_stack",
    "_registered_themes": "test_registered_themes_are_the_dict_current_theme_looks_in",
    "_screen_stack": "test_the_screen_stack_is_a_list_empty_before_the_app_runs",
    "_css_update_count": "test_a_resumed_screen_restyles_only_when_asked",
    "_component_styles": "test_component_styles_are_replaced_when_the_stylesheet_changes_them",
    "_compositor": "test_the_devtools_render_a_screen_as_text",
    "_background_screens": "test_the_devtools_render_a_screen_as_text",
    "_make_app": "test_textual_serve_still_builds_its_web_app_in_make_app",
    "_driver": "test_the_app_still_writes_to_the_terminal_through_its_driver",
    "_check_refresh": "test_a_repaint_handed_to_the_screen_holds_back_an_after_refresh_callback",
    "_SubParsersAction": "test_argparse_still_keeps_subcommands_in_a_subparsers_action",
    "_start_widget": "test_a_widgets_vertical_scrollbar_is_still_made_and_started_as_the_steady_one_is",
    "_scroll_update": "test_a_widget_still_sizes_its_scrollbars_for_a_new_virtual_size_in_scroll_update",
    "_selector_names": "test_selector_names_and_component_classes_are_still_what_css_rules_match",
    "_get_component_classes": "test_selector_names_and_component_classes_are_still_what_css_rules_match",
    "_theme": "test_the_text_area_fills_its_theme_from_css_in_render_lines_only",
    **DELIBERATE_OVERRIDES,
}


def _client_trees() -> list[tuple[str, ast.Module]]:
    root = next(iter(supportdesk_tui.__path__))
    from pathlib import Path

    files = [path for path in sorted(Path(root).rglob("*.py"))
             if path.relative_to(root).parts[0] != "server"]
    return [(str(path.relative_to(root)), ast.parse(path.read_text(encoding="utf-8"))) for path in files]


def test_every_private_module_of_textual_or_rich_we_import_is_guarded() -> None:
    imported = {(node.module, where) for where, tree in _client_trees() for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module
                and node.module.split(".")[0] in ("textual", "rich")
                and any(part.startswith("_") for part in node.module.split("."))}
    unguarded = sorted(f"{where}: {module}" for module, where in imported if module not in GUARDED_MODULES)
    assert not unguarded, ("a new reach into a Textual/Rich internal: add a test here that fails "
                           "loudly when a bump changes it, and name it in GUARDED_MODULES:\n"
                           + "\n".join(unguarded))


def test_every_private_attribute_we_read_that_is_not_ours_is_guarded() -> None:
    trees = _client_trees()
    ours: set[str] = set()
    for _where, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                ours.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                ours.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                ours.add(node.id)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                ours.add(node.target.id)
    read = {(node.attr, where) for where, tree in trees for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr.startswith("_")
            and not node.attr.startswith("__") and node.attr not in ours}
    unguarded = sorted(f"{where}: .{name}" for name, where in read if name not in GUARDED_ATTRIBUTES)
    assert not unguarded, ("a new reach into a private attribute that is not ours (Textual's?): add "
                           "a test here that fails loudly when a bump changes it, and name it in "
                           "GUARDED_ATTRIBUTES:\n" + "\n".join(unguarded))
