"""Component styles a widget keeps while its CSS stays the same.

Textual forgets a widget's component styles on every `refresh()` and works each one out again;
a widget that repaints on every live answer or cursor move and asks for a handful of them per
line spent a good part of its frame there.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


class ComponentStyles:
    """`get("cursor")` is `widget.get_component_rich_style("<prefix>--cursor", partial=True)`,
    worked out again only when the stylesheet has given the component new styles (a theme,
    a class or a focus change)."""

    def __init__(self, widget: Widget, prefix: str) -> None:
        self._widget = widget
        self._prefix = prefix
        self._styles: dict[str, tuple[object, Style]] = {}

    def get(self, name: str) -> Style:
        component = f"{self._prefix}--{name}"
        # Textual (pinned) replaces this object whenever it applies the stylesheet to the
        # component: the identity says whether what we hold is still current.
        source = self._widget._component_styles.get(component)
        held = self._styles.get(name)
        if held is not None and held[0] is source:
            return held[1]
        style = self._widget.get_component_rich_style(component, partial=True)
        self._styles[name] = (source, style)
        return style

    def changed(self) -> bool:
        """Whether the stylesheet has given any component handed out a different style (then
        forget them all): what was drawn with them is out of date too.

        Textual hands out new objects on every restyle of the widget, a focus change included,
        mostly with the same values: those keep what was drawn (the queue's rows survive a filter
        applied, where the table takes the focus back from the filter bar)."""
        components = self._widget._component_styles
        for name, (source, style) in list(self._styles.items()):
            component = f"{self._prefix}--{name}"
            current = components.get(component)
            if current is source:
                continue
            if self._widget.get_component_rich_style(component, partial=True) != style:
                self._styles.clear()
                return True
            self._styles[name] = (current, style)
        return False
