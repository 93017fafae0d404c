"""The canned-reply picker (search, live preview, language switch) and the variables form.

Both are modals with typed results: the picker returns a `CannedInsert` ready for the
composer, or None. Everything shown from a reply (titles, bodies, tags, prompts) comes from
the backend or the agent's files, so it is built into `Text` from plain strings, never markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from supportdesk_tui.contract.models import CannedActions, CannedReply, CannedVariable, Language
from supportdesk_tui.domain.canned_library import LibraryEntry
from supportdesk_tui.domain.canned_pick import (
    MISSING_CLOSE,
    MISSING_OPEN,
    CannedRender,
    describe_actions,
    has_actions,
    initial_values,
    other_language,
    render_canned,
    search,
    title_in,
    used_variables,
    variable_prompt,
)
from supportdesk_tui.domain.safe_text import one_line, safe_format, safe_text, sanitize
from supportdesk_tui.i18n import N_, _, current_language
from supportdesk_tui.i18n.labels import language_label
from supportdesk_tui.widgets.safe_notify import SafeNotify

LibraryLoader = Callable[[], Awaitable[tuple[list[LibraryEntry], list[str]]]]


@dataclass(frozen=True)
class CannedInsert:
    """A filled-in canned reply: the text to insert and the actions to apply when it is sent."""

    entry_key: str
    text: str
    language: Language
    actions: CannedActions | None


class CannedPicker(SafeNotify, ModalScreen[CannedInsert | None]):
    DEFAULT_CSS = """
    CannedPicker { align: center middle; }
    CannedPicker > #canned-box {
        width: 90%; max-width: 140; height: 80%; min-height: 16;
        border: round $primary; border-title-style: bold; border-title-color: $primary;
        border-subtitle-color: $text-muted;
        background: $surface; padding: 0 1;
    }
    CannedPicker #canned-search-row { height: 3; margin-top: 1; }
    CannedPicker #canned-search { width: 1fr; border: tall $border-blurred; }
    CannedPicker #canned-search:focus { border: tall $primary; }
    CannedPicker #canned-language {
        width: auto; height: 3; padding: 1 1 0 2; color: $text-muted;
    }
    CannedPicker #canned-problems { height: auto; max-height: 2; color: $warning; }
    CannedPicker #canned-main { height: 1fr; }
    CannedPicker #canned-list {
        width: 2fr; min-width: 30; height: 1fr; border: none; background: $surface;
        scrollbar-size-vertical: 1;
    }
    CannedPicker #canned-preview-box {
        width: 3fr; height: 1fr; border-left: vkey $panel; padding: 0 0 0 2;
        scrollbar-size-vertical: 1;
    }
    CannedPicker #canned-preview { width: 1fr; height: auto; }
    CannedPicker #canned-status { height: 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Close"), id="canned.close"),
        Binding("ctrl+l", "switch_language", N_("Switch language"), id="canned.language",
                key_display="^l"),
        Binding("down", "move(1)", N_("Next"), id="canned.down", show=False),
        Binding("up", "move(-1)", N_("Previous"), id="canned.up", show=False),
        Binding("pagedown", "move(10)", N_("Page down"), id="canned.page_down", show=False),
        Binding("pageup", "move(-10)", N_("Page up"), id="canned.page_up", show=False),
    ]

    def __init__(
        self,
        loader: LibraryLoader,
        *,
        language: Language,
        context: Mapping[str, str],
        boosts: Mapping[str, float] | None = None,
        recent: Collection[str] = (),
        query: str = "",
    ) -> None:
        super().__init__()
        self._loader = loader
        self.language = language
        self._ticket_values = dict(context)
        self._boosts = dict(boosts or {})
        self._recent = set(recent)
        self._query = query
        self._entries: list[LibraryEntry] = []
        self.shown: list[LibraryEntry] = []
        self.loaded = False

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="canned-box"):
            with Horizontal(id="canned-search-row"):
                yield Input(value=self._query, id="canned-search")
                yield Static("", id="canned-language")
            yield Static("", id="canned-problems")
            with Horizontal(id="canned-main"):
                yield OptionList(id="canned-list")
                with VerticalScroll(id="canned-preview-box"):
                    yield Static(Text(_("Loading canned replies…")), id="canned-preview")
            yield Static("", id="canned-status")

    def on_mount(self) -> None:
        self.query_one("#canned-problems").display = False
        self._show_labels()
        self._show_language()
        self.query_one("#canned-search", Input).focus()
        self.load()

    def _show_labels(self) -> None:
        box = self.query_one("#canned-box")
        box.border_title = _("Canned replies")
        box.border_subtitle = _("↑↓ choose · enter insert · ^l language · esc close")
        self.query_one("#canned-search", Input).placeholder = _("Search title, shortcut, tag or text…")

    def relabel(self) -> None:
        self._show_labels()
        self._show_language()
        options = self.query_one("#canned-list", OptionList)
        for index, entry in enumerate(self.shown):
            options.replace_option_prompt_at_index(index, self._option_label(entry))
        self._update_count()
        self._show_preview()

    @work(exclusive=True, group="canned-load")
    async def load(self) -> None:
        entries, problems = await self._loader()
        self._entries = entries
        self.loaded = True
        if problems:
            box = self.query_one("#canned-problems", Static)
            first = one_line(problems[0])
            more = len(problems) - 1
            text = "⚠ " + first + (" " + _("(+{n} more)").format(n=more) if more else "")
            box.update(Text(text, no_wrap=True, overflow="ellipsis"))
            box.display = True
            self.notify(safe_text("\n".join(one_line(p) for p in problems)), title=_("Canned replies"),
                        severity="warning", timeout=10)
        self._refilter()

    # --- state ----------------------------------------------------------------------------

    @property
    def highlighted(self) -> LibraryEntry | None:
        index = self.query_one("#canned-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self.shown):
            return None
        return self.shown[index]

    def _refilter(self) -> None:
        query = self.query_one("#canned-search", Input).value
        self.shown = search(self._entries, query, self._boosts)
        options = self.query_one("#canned-list", OptionList)
        options.clear_options()
        options.add_options([Option(self._option_label(entry), id=str(i))
                             for i, entry in enumerate(self.shown)])
        if self.shown:
            options.highlighted = 0
        self._update_count()
        self._show_preview()

    def _update_count(self) -> None:
        status = self.query_one("#canned-status", Static)
        if not self.loaded:
            status.update("")
            return
        status.update(safe_format(_("{shown} of {total} replies · ↺ recently used · ✎ personal"),
                                  shown=len(self.shown), total=len(self._entries)))

    def _option_label(self, entry: LibraryEntry) -> Text:
        reply = entry.reply
        label = Text(no_wrap=True, overflow="ellipsis")
        label.append("↺ " if entry.key in self._recent else "  ", style="bold")
        label.append(one_line(title_in(reply, self.language)),
                     style="" if self.language in reply.bodies else "dim")
        label.append("  ::" + one_line(reply.shortcut), style="dim")
        if entry.personal:
            label.append("  ✎", style="bold")
        if self.language not in reply.bodies:
            label.append("  " + _("no {language}").format(language=self.language.value.upper()),
                         style="dim italic")
        return label

    def _show_language(self) -> None:
        self.query_one("#canned-language", Static).update(Text.assemble(
            (self.language.value.upper(), "bold reverse"), " ",
            _("{language} · ^l switch").format(language=language_label(self.language))))

    def _values(self, reply: CannedReply) -> dict[str, str]:
        return initial_values(reply, self._ticket_values)

    def _show_preview(self) -> None:
        preview = self.query_one("#canned-preview", Static)
        entry = self.highlighted
        if entry is None:
            preview.update(Text(_("No canned reply matches.") if self.loaded else
                                _("Loading canned replies…"), style="italic"))
            return
        preview.update(self.preview_text(entry))
        self.query_one("#canned-preview-box", VerticalScroll).scroll_home(animate=False)

    def preview_text(self, entry: LibraryEntry) -> Text:
        """The highlighted reply as it would be inserted for this ticket, and what stands in the way."""
        reply = entry.reply
        language = self.language
        text = Text()
        text.append(one_line(title_in(reply, language)), style="bold")
        text.append("  ::" + one_line(reply.shortcut), style="dim")
        if entry.personal:
            text.append("  ✎ " + _("personal"), style="italic")
        if reply.tags:
            text.append("\n" + " ".join("#" + one_line(tag) for tag in reply.tags), style="dim")
        text.append("\n\n")
        values = self._values(reply)
        shown = render_canned(reply, language, values, mark_missing=True)
        if not shown.has_language:
            available = ", ".join(language_label(lang) for lang in reply.bodies)
            text.append("⚠ " + _("This reply has no {language} text (it has: {available}).").format(
                language=language_label(language), available=available), style="bold")
            text.append("\n" + _("It is not inserted in another language by itself: press ^l to "
                                 "switch to {other} if that is what the customer needs.").format(
                other=language_label(other_language(language))))
            return text
        body = sanitize(shown.text)
        body_text = Text(body)
        markers = [MISSING_OPEN + v.name + MISSING_CLOSE for v in used_variables(reply, language)]
        body_text.highlight_words(markers, style="bold reverse")
        text.append_text(body_text)
        self._append_problems(text, reply, render_canned(reply, language, values))
        if has_actions(reply.actions):
            text.append("\n\n" + _("On send: {actions}").format(actions=one_line(
                describe_actions(reply.actions))), style="bold")
        return text

    def _append_problems(self, text: Text, reply: CannedReply, result: CannedRender) -> None:
        if result.unknown:
            names = ", ".join("{" + one_line(name) + "}" for name in result.unknown)
            text.append("\n\n⚠ " + _("Unknown placeholders: {names}. Fix the reply; it can't be "
                                     "inserted.").format(names=names), style="bold")
        if result.syntax_errors:
            text.append("\n\n⚠ " + _("Template error: {error}").format(
                error=one_line(result.syntax_errors[0])), style="bold")
        asked = [variable_prompt(v, current_language()) for v in self._to_ask(reply)]
        if asked:
            text.append("\n\n" + _("You will be asked for: {fields}").format(
                fields=", ".join(one_line(a) for a in asked)), style="italic")

    def _to_ask(self, reply: CannedReply) -> list[CannedVariable]:
        values = self._values(reply)
        used = used_variables(reply, self.language)
        if all(values.get(v.name, "").strip() for v in used):
            return []
        return used

    # --- events and actions ------------------------------------------------------------------

    @on(Input.Changed, "#canned-search")
    def _search_changed(self) -> None:
        if self.loaded:
            self._refilter()

    @on(OptionList.OptionHighlighted, "#canned-list")
    def _highlight_changed(self) -> None:
        self._show_preview()

    @on(Input.Submitted, "#canned-search")
    def _submitted(self) -> None:
        self.choose()

    @on(OptionList.OptionSelected, "#canned-list")
    def _selected(self) -> None:
        self.choose()

    def action_move(self, delta: int) -> None:
        options = self.query_one("#canned-list", OptionList)
        if not self.shown:
            return
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self.shown) - 1, current + delta))

    def action_switch_language(self) -> None:
        self.language = other_language(self.language)
        self._show_language()
        highlighted = self.query_one("#canned-list", OptionList).highlighted
        self._refilter()
        if highlighted is not None and highlighted < len(self.shown):
            self.query_one("#canned-list", OptionList).highlighted = highlighted

    def action_cancel(self) -> None:
        self.dismiss(None)

    def choose(self) -> None:
        entry = self.highlighted
        if entry is None:
            self.app.bell()
            return
        reply = entry.reply
        result = render_canned(reply, self.language, self._values(reply))
        if not result.has_language:
            self.app.bell()
            self.notify(safe_format(
                _("“{title}” has no {language} text; press ^l to use {other} deliberately."),
                title=title_in(reply, self.language), language=language_label(self.language),
                other=language_label(other_language(self.language))), severity="warning")
            return
        if result.unknown or result.syntax_errors:
            self.app.bell()
            self.notify(_("This reply has placeholders that can't be filled; it was not inserted."),
                        severity="error")
            return
        to_ask = self._to_ask(reply)
        if not to_ask:
            self._finish(entry, result)
            return

        def filled(values: dict[str, str] | None) -> None:
            if values is None:
                return
            final = render_canned(reply, self.language, {**self._values(reply), **values})
            if final.insertable:
                self._finish(entry, final)
            else:
                self.notify(_("Some fields are still empty; the reply was not inserted."),
                            severity="warning")

        self.app.push_screen(VariablesForm(title_in(reply, self.language), to_ask,
                                           self._values(reply)), filled)

    def _finish(self, entry: LibraryEntry, result: CannedRender) -> None:
        if not result.insertable:
            self.app.bell()
            return
        self.dismiss(CannedInsert(entry.key, result.text, result.language, entry.reply.actions))


class VariablesForm(SafeNotify, ModalScreen[dict[str, str] | None]):
    """Ask for a canned reply's variables; enter moves on and, on the last field, confirms."""

    DEFAULT_CSS = """
    VariablesForm { align: center middle; }
    VariablesForm > #variables-box {
        width: 70; height: auto; max-height: 90%; border: round $accent; background: $surface;
        padding: 0 1; border-title-style: bold; border-title-color: $accent;
        border-subtitle-color: $text-muted;
    }
    VariablesForm .variables-label { padding-top: 1; text-style: bold; }
    VariablesForm .variables-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Back"), id="canned_form.cancel"),
    ]

    def __init__(self, title: str, variables: Sequence[CannedVariable], values: Mapping[str, str]) -> None:
        super().__init__()
        self._title = title
        self.variables = list(variables)
        self._values = dict(values)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="variables-box") as box:
            self._title_box(box)
            for index, variable in enumerate(self.variables):
                yield Static(self._label(variable), id=f"variable-label-{index}", classes="variables-label")
                yield Input(value=self._values.get(variable.name, ""), id=f"variable-{index}",
                            placeholder=variable.name)
                yield Static("", id=f"variable-error-{index}", classes="variables-error")

    def _title_box(self, box: Widget) -> None:
        # The title is the canned reply's (backend or the agent's files): literal Text.
        box.border_title = safe_format(_("Fill in “{title}”"), title=self._title)
        box.border_subtitle = _("enter next / insert · esc back")

    @staticmethod
    def _label(variable: CannedVariable) -> Text:
        label = Text(one_line(variable_prompt(variable, current_language())))
        if not variable.required:
            label.append("  " + _("(optional)"), style="dim italic")
        return label

    def relabel(self) -> None:
        self._title_box(self.query_one("#variables-box"))
        for index, variable in enumerate(self.variables):
            self.query_one(f"#variable-label-{index}", Static).update(self._label(variable))

    def on_mount(self) -> None:
        self.query_one("#variable-0", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        index = int((event.input.id or "variable-0").rsplit("-", 1)[1])
        if index + 1 < len(self.variables):
            self.query_one(f"#variable-{index + 1}", Input).focus()
            return
        self.confirm()

    def confirm(self) -> None:
        values: dict[str, str] = {}
        first_bad: Input | None = None
        for index, variable in enumerate(self.variables):
            field = self.query_one(f"#variable-{index}", Input)
            error = self.query_one(f"#variable-error-{index}", Static)
            value = field.value.strip()
            if variable.required and not value:
                error.update(_("Required: the reply can't go out without it."))
                first_bad = first_bad or field
            else:
                error.update("")
            values[variable.name] = value
        if first_bad is not None:
            first_bad.focus()
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
