"""The key bar at the bottom: the screen's bindings on one line, drawn by one widget.

Textual's stock `Footer` mounts a widget per key and rebuilds them all whenever the
bindings change (every focus change, every screen). With a dozen keys that cost 50–200 ms
per conversation opened (CSS matching for each key widget), more than the network. This
widget keeps the same contract — shown bindings, disabled ones dimmed, palette key on the
right, a click presses the key — but is a single line of text rebuilt only when the
bindings really changed. Descriptions are message ids (`N_`), translated as the bar is
drawn, so a language switch needs only a repaint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.css.styles import RenderStyles
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from supportdesk_tui.i18n import _, current_language


@dataclass(frozen=True)
class FooterEntry:
    key: str
    key_display: str
    description: str  # untranslated: `_()` is applied when the bar is drawn
    enabled: bool


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    entry: FooterEntry


@dataclass(frozen=True)
class _Drawn:
    look: tuple[object, ...]
    components: tuple[RenderStyles | None, ...]  # held: compared by identity (see `render_lines`)
    lines: list[Strip]
    spans: list[_Span]


# Bars kept drawn: a screen's few focus states (a filter bar's keys and the list's, say).
DRAWN_KEPT = 8


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--disabled",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyFooter > .key-footer--disabled { text-style: dim; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: tuple[FooterEntry, ...] = ()
        self._palette: FooterEntry | None = None
        self._spans: list[_Span] = []
        self._watched: Screen[object] | None = None
        self._drawn: list[_Drawn] = []

    def on_mount(self) -> None:
        screen = self.screen
        self._watched = screen
        screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(screen)

    def on_unmount(self) -> None:
        if self._watched is not None:
            self._watched.bindings_updated_signal.unsubscribe(self)
            self._watched = None

    @property
    def entries(self) -> tuple[FooterEntry, ...]:
        """What the bar shows, left to right (without the palette key)."""
        return self._entries

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self._watched:
            return
        entries, palette = self._collect(screen)
        if entries != self._entries or palette != self._palette:
            self._entries, self._palette = entries, palette
            self.refresh()

    def _collect(self, screen: Screen[object]) -> tuple[tuple[FooterEntry, ...], FooterEntry | None]:
        app = self.app
        active = screen.active_bindings
        seen_actions: set[str] = set()
        entries: list[FooterEntry] = []
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        for key, (_node, binding, enabled, _tooltip) in active.items():
            if not binding.show or key == palette_key or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)  # one entry per action, like Textual's Footer
            entries.append(FooterEntry(binding.key, app.get_key_display(binding), binding.description,
                                       enabled))
        palette: FooterEntry | None = None
        if palette_key is not None and palette_key in active:
            _node, binding, enabled, _tooltip = active[palette_key]
            palette = FooterEntry(binding.key, app.get_key_display(binding), binding.description, enabled)
        return tuple(entries), palette

    def render_lines(self, crop: Region) -> list[Strip]:
        # The keys go back and forth with the focus (the filter bar's, then the list's on every
        # filter applied): a bar drawn before is handed back as drawn, not built again through
        # Rich text and Textual's content pipeline (≈ 1.5 ms in that key's frame). Textual gives
        # the component classes new style objects whenever it restyles them: the identity of
        # those held says whether the colours can still be the same.
        components = tuple(self._component_styles.get(name) for name in sorted(self.COMPONENT_CLASSES))
        look = (crop, self.size, self._entries, self._palette, current_language(), self.rich_style,
                self.background_colors, tuple(self.get_line_filters()))
        for drawn in self._drawn:
            if drawn.look == look and all(held is now for held, now in zip(drawn.components, components,
                                                                             strict=True)):
                self._spans = drawn.spans
                return drawn.lines
        lines = super().render_lines(crop)
        self._drawn = [_Drawn(look, components, lines, self._spans), *self._drawn[: DRAWN_KEPT - 1]]
        return lines

    def _styled(self, entry: FooterEntry, key_style: Style, description_style: Style,
                disabled: Style) -> Text:
        text = Text.assemble((f" {entry.key_display} ", key_style),
                             (f"{_(entry.description)} ", description_style))
        if not entry.enabled:
            text.stylize(disabled)
        return text

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        disabled = self.get_component_rich_style("key-footer--disabled")
        width = self.size.width
        palette = (self._styled(self._palette, key_style, description_style, disabled)
                   if self._palette is not None else Text())
        room = max(0, width - palette.cell_len)
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[_Span] = []
        for entry in self._entries:
            piece = self._styled(entry, key_style, description_style, disabled)
            if line.cell_len + piece.cell_len > room:
                break  # the help screen (?) lists everything that does not fit here
            spans.append(_Span(line.cell_len, line.cell_len + piece.cell_len, entry))
            line.append_text(piece)
        if self._palette is not None:
            line.append(" " * (room - line.cell_len))
            spans.append(_Span(line.cell_len, line.cell_len + palette.cell_len, self._palette))
            line.append_text(palette)
        self._spans = spans
        return line

    def entry_at(self, x: int) -> FooterEntry | None:
        for span in self._spans:
            if span.start <= x < span.end:
                return span.entry
        return None

    def on_click(self, event: events.Click) -> None:
        entry = self.entry_at(event.x)
        if entry is None:
            return
        event.stop()
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()
