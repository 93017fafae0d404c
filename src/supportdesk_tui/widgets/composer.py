"""The reply/note editor.

The two modes look different on purpose (border colour, title, background): sending
an internal note to a customer is the mistake this widget exists to prevent. The
TextArea consumes printable keys, so the screen's single-key shortcuts stay quiet
while the agent types.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.markup import escape
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Static, TextArea
from textual.widgets.text_area import Selection

from supportdesk_tui.contract.models import CannedActions, MessageKind, Status
from supportdesk_tui.domain.canned_pick import describe_actions, has_actions, merge_actions
from supportdesk_tui.domain.external_editor import EditFailure, EditOutcome, editor_command, run_editor
from supportdesk_tui.domain.layout import swap_layout
from supportdesk_tui.domain.limits import MESSAGE_BODY_MAX, Room
from supportdesk_tui.domain.safe_text import one_line, safe_text, strip_unsafe
from supportdesk_tui.i18n import N_, _, ngettext, pgettext
from supportdesk_tui.keymap import bound_key
from supportdesk_tui.widgets._labels import fitting

# `::` typed at the start of a line or after a space opens the canned-reply picker
# ("std::vector" or "12::30" never do).
CANNED_TRIGGER = "::"
_TRIGGER_BEFORE_CURSOR = re.compile(r"(?:^|\s)::$")


class ComposerEditor(TextArea):
    """The composer's text area. It spots the `::` trigger key by key: typed fast, both colons
    arrive before the first change is seen, so the text alone cannot tell typing from a paste."""

    @dataclass
    class TriggerTyped(Message):
        """The key that completes `::` was pressed; the first colon is gone, the second never typed."""

        editor: ComposerEditor

        @property
        def control(self) -> ComposerEditor:
            return self.editor

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._theme_styled_for: tuple[object, ...] = ()

    def render_lines(self, crop: Region) -> list[Strip]:
        """As TextArea's, without applying its theme's CSS again when nothing it reads changed.

        TextArea fills its theme from its CSS (its own style, its component classes, the app's
        theme) on every `render_lines`, ≈ 0.7 ms of each key's and each send's frame: Textual
        forgets component styles on every refresh. What it reads changes only when the
        stylesheet styles this widget again (a focus, class or app theme change: Textual then
        replaces its component styles objects, and restyles the descendants of a widget whose
        classes change) or when the theme object is replaced (`TextArea.theme`)."""
        theme = self._theme
        styled_for = (theme, self.app.current_theme, *self._component_styles.values())
        held = self._theme_styled_for
        if theme is not None and len(held) == len(styled_for) and all(
                a is b for a, b in zip(held, styled_for, strict=True)):
            return super(TextArea, self).render_lines(crop)
        self._theme_styled_for = styled_for
        return super().render_lines(crop)

    def on_key(self, event: events.Key) -> None:
        # Runs before TextArea's own key handler, which would insert the character.
        if event.character != CANNED_TRIGGER[-1] or not self.selection.is_empty:
            return
        row, column = self.cursor_location
        if not _TRIGGER_BEFORE_CURSOR.search(self.document.get_line(row)[:column] + event.character):
            return
        event.stop()
        event.prevent_default()
        self.delete((row, column - len(CANNED_TRIGGER) + 1), (row, column))
        self.post_message(self.TriggerTyped(self))


def format_count(n: int) -> str:
    """`n` with the current language's thousands separator ("20,000"; "20 000" in Russian)."""
    return f"{n:,}".replace(",", pgettext("thousands separator", ","))


def room_label(room: Room) -> str:
    """What the counter under the editor says once the text is near (or past) the limit."""
    if room.over:
        over = -room.left
        return ngettext("{n} character over the limit", "{n} characters over the limit",
                        over).format(n=format_count(over))
    return ngettext("{n} character left", "{n} characters left", room.left).format(
        n=format_count(room.left))


def too_long_reason(room: Room) -> str:
    over = -room.left
    return ngettext(
        "Too long to send: {n} character over the limit of {limit}. Shorten the text or split it "
        "into several messages; nothing was sent and your text is kept.",
        "Too long to send: {n} characters over the limit of {limit}. Shorten the text or split it "
        "into several messages; nothing was sent and your text is kept.",
        over).format(n=format_count(over), limit=format_count(room.limit))


def external_editor_problem(outcome: EditOutcome) -> str:
    """Why the text did not come back from the agent's editor (it stayed in the composer)."""
    kept = _("Your text is unchanged in the composer.")
    reason = {
        EditFailure.NOT_SET: _("No editor set: export VISUAL or EDITOR (for example EDITOR=nano)."),
        EditFailure.NOT_FOUND: _("The editor “{command}” was not found.").format(command=outcome.detail),
        EditFailure.FAILED: _("The editor exited with status {status}; its changes were not taken.").format(
            status=outcome.detail),
        EditFailure.EMPTIED: _("The editor left the text empty; taken as a cancel."),
        EditFailure.UNREADABLE: _("The text could not be passed to the editor: {error}").format(
            error=outcome.detail),
        EditFailure.NOT_SUPPORTED: _("This terminal cannot hand the screen over to an editor."),
    }.get(outcome.failure or EditFailure.FAILED, "")
    return f"{reason} {kept}"


class Composer(Vertical):
    """Write a public reply or an internal note; posts `SendRequested`, never sends by itself."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,ctrl+enter,ctrl+j", "send", N_("Send"), id="composer.send", key_display="^s"),
        Binding("ctrl+o", "send_pending", N_("Send + pending"), id="composer.send_pending", key_display="^o"),
        Binding("ctrl+r", "send_solved", N_("Send + solved"), id="composer.send_solved", key_display="^r"),
        Binding("ctrl+t", "toggle_kind", N_("Reply/note"), id="composer.toggle_kind", key_display="^t"),
        Binding("ctrl+f", "attach", N_("Attach file"), id="composer.attach", key_display="^f",
                tooltip=N_("Attach a file from a path (Tab completes it)")),
        Binding("ctrl+g", "drop_actions", N_("Drop canned actions"), id="composer.drop_actions",
                key_display="^g", show=False),
        # ctrl+l, not ctrl+k: the editor keeps ctrl+k for "delete to end of line".
        Binding("ctrl+l", "fix_layout", N_("Fix keyboard layout"), id="composer.fix_layout",
                key_display="^l", show=False,
                tooltip=N_("Retype the selection (or the word before the cursor) in the other layout: "
                          "ghbdtn → привет")),
        # The text area binds ctrl+e to "end of line" too (beside the end key): a priority binding
        # wins over it while the agent writes, and the end key keeps moving to the end of the line.
        Binding("ctrl+e", "external_editor", N_("Edit in $EDITOR"), id="composer.external_editor",
                key_display="^e", priority=True, show=False,
                tooltip=N_("Open the draft in your own editor ($VISUAL or $EDITOR); the app waits "
                           "until it exits. The end key moves to the end of the line.")),
    ]

    DEFAULT_CSS = """
    Composer {
        height: auto;
        min-height: 6;
        max-height: 50%;
        border: round $reply-border;
        border-title-color: $reply-border;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        padding: 0 1;
        background: $surface;
    }
    Composer.-note {
        border: heavy $note-border;
        border-title-color: $note-border;
        background: $note-background;
    }
    Composer > TextArea {
        height: 1fr;
        min-height: 3;
        border: none;
        padding: 0;
        background: transparent;
    }
    Composer > TextArea:focus { border: none; }
    Composer > #composer-status { height: 1; color: $text-muted; }
    Composer > #composer-files { display: none; height: auto; color: $text-muted; }
    Composer > #composer-files.-some { display: block; }
    Composer > #composer-status.-blocked { color: $error; text-style: bold; }
    Composer > #composer-status.-busy { color: $warning; text-style: italic; }
    Composer > #composer-status.-actions { color: $accent; }
    Composer > #composer-room { display: none; height: 1; text-align: right; }
    Composer > #composer-room.-near { display: block; color: $warning; }
    Composer > #composer-room.-over { display: block; color: $error; text-style: bold; }
    """

    CHANGE_THROTTLE = 0.5
    # The contract's own limit (`MessageCreate.body`), read from the model: never a second literal.
    body_limit: ClassVar[int] = MESSAGE_BODY_MAX

    kind: reactive[MessageKind] = reactive(MessageKind.REPLY, init=False)
    busy: reactive[bool] = reactive(False, init=False)

    @dataclass
    class Changed(Message):
        """The draft changed (at most every `CHANGE_THROTTLE` s): save it, announce "composing"."""

        composer: Composer
        text: str
        kind: MessageKind

        @property
        def control(self) -> Composer:
            return self.composer

    @dataclass
    class SendRequested(Message):
        """The agent wants this sent; `status_after` is the status to set in the same request."""

        composer: Composer
        body: str
        kind: MessageKind
        status_after: Status | None
        # Priority/tags from inserted canned replies, to apply once the message has landed.
        actions: CannedActions | None = None
        # Files attached from the agent's disk, sent with the message.
        files: tuple[Path, ...] = ()

        @property
        def control(self) -> Composer:
            return self.composer

    @dataclass
    class AttachRequested(Message):
        """The agent wants to attach a file: the screen asks for its path (`attach`)."""

        composer: Composer

        @property
        def control(self) -> Composer:
            return self.composer

    @dataclass
    class CannedRequested(Message):
        """The agent typed the `::` trigger: open the canned-reply picker (the trigger is gone)."""

        composer: Composer

        @property
        def control(self) -> Composer:
            return self.composer

    @dataclass
    class ExternalEditRequested(Message):
        """The agent wants the draft in their own editor: save it first, then `edit_outside()`."""

        composer: Composer

        @property
        def control(self) -> Composer:
            return self.composer

    def __init__(
        self,
        *,
        kind: MessageKind = MessageKind.REPLY,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._throttle: Timer | None = None
        self._blocked: str | None = None
        self._pending_actions: CannedActions | None = None
        self._last_length = 0
        self._files: list[Path] = []
        # What the status, files and room lines show now: a line set to what it already shows is
        # not set again (each `Static.update` asks for a layout of the whole screen, in the frame of
        # the key that caused it — a send's frame among them).
        # The files and room lines start empty (`compose`); the status is set once mounted.
        self._lines_shown: dict[str, str] = {"files": "", "room": ""}
        self.set_reactive(Composer.kind, kind)
        # Classed before mounting, so styles are matched once (a class change after mount
        # restyles the whole composer: ≈ 5 ms of every ticket opened).
        note = kind is MessageKind.NOTE
        self.set_class(note, "-note", update=False)
        self.set_class(not note, "-reply", update=False)

    def compose(self) -> ComposeResult:
        # Held by reference, not queried: the text must stay readable while the app quits and
        # the widget tree is already taken down (the screen saves the draft from it then).
        self._editor = ComposerEditor(
            "",
            language=None,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            id="composer-input",
        )
        yield self._editor
        yield Static("", id="composer-files")
        yield Static("", id="composer-status")
        yield Static("", id="composer-room")

    def on_mount(self) -> None:
        self._apply_kind()
        # `is_mounted` turns true only after this handler returns; show the status on the next frame.
        self.call_after_refresh(self._show_status)
        self.call_after_refresh(self._show_room)

    def relabel(self) -> None:
        """Titles, status and counter in the current language; the text being written is untouched."""
        self._apply_kind()
        self._show_room()

    # --- public API ---------------------------------------------------------

    @property
    def editor(self) -> TextArea:
        return self._editor

    @property
    def text(self) -> str:
        return self.editor.text

    def set_draft(self, body: str, kind: MessageKind) -> None:
        """Restore a saved draft (no `Changed` is posted for it), the cursor at its end: what the
        agent types next goes on where they left off."""
        self.kind = kind
        with self.editor.prevent(TextArea.Changed):
            self.editor.load_text(strip_unsafe(body))
            self.editor.move_cursor(self.editor.document.end)
        self._last_length = len(self.editor.text)
        self._blocked = None
        self._show_status()
        self._show_room()

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(self._files)

    def attach(self, path: Path) -> None:
        """Send `path` with the message (once; the path the agent typed, read when sent)."""
        if path not in self._files:
            self._files.append(path)
        self._show_files()

    def detach_all(self) -> None:
        self._files.clear()
        self._show_files()

    def _show_files(self) -> None:
        if not self.is_mounted:
            return
        # The agent's own file names, still shown as plain text on one line each.
        text = "\n".join("▸ " + one_line(path.name) for path in self._files)
        if self._lines_shown.get("files") == text:
            return
        self._lines_shown["files"] = text
        line = self.query_one("#composer-files", Static)
        line.set_class(bool(self._files), "-some")
        line.update(safe_text(text))

    def clear(self) -> None:
        """Empty the editor after a successful send; the mode stays as it was."""
        with self.editor.prevent(TextArea.Changed):
            self.editor.load_text("")
        self._last_length = 0
        self._blocked = None
        self._pending_actions = None
        self._files.clear()
        self._show_files()
        self._show_status()
        self._show_room()

    def reset(self) -> None:
        """As new, for another ticket on a reused conversation screen: empty (no undo back to the
        previous ticket's text), writing a reply, nothing pending, not busy."""
        if self._throttle is not None:
            self._throttle.stop()  # a change of the previous ticket's text must not land on this one
            self._throttle = None
        self.busy = False
        self.kind = MessageKind.REPLY
        if not self._pristine():  # else clearing it would only redraw it while the next ticket opens
            self.clear()

    def _pristine(self) -> bool:
        """As `clear` leaves it: empty with nothing to undo or redo, attached, pending or refused."""
        history = self.editor.history
        return (not self.editor.text and not history.undo_stack and not history.redo_stack
                and self._last_length == 0 and not self._files and self._blocked is None
                and self._pending_actions is None)

    def insert_at_cursor(self, text: str) -> None:
        """Insert e.g. a rendered canned reply where the caret is."""
        self.editor.insert(strip_unsafe(text))
        self.editor.focus()

    def insert_snippet(self, text: str, actions: CannedActions | None = None) -> None:
        """Insert a canned reply at the caret; its actions join the pending ones for the next send."""
        row, column = self.editor.cursor_location
        before = self.editor.document.get_line(row)[:column]
        # "Hello ::hi" continues the sentence; after finished text the snippet is a new paragraph.
        self.insert_at_cursor(("\n\n" if before and not before[-1].isspace() else "") + text)
        if has_actions(actions):
            self._pending_actions = merge_actions(self._pending_actions, actions)
            self._show_status()

    @property
    def room(self) -> Room:
        """How much of the server's limit the text uses."""
        return Room(self._last_length, self.body_limit)

    @property
    def pending_actions(self) -> CannedActions | None:
        """Status/priority/tags from inserted canned replies, applied when the reply is sent."""
        return self._pending_actions

    def set_busy(self, busy: bool) -> None:
        """While a send is in flight the text is frozen and sending is refused."""
        self.busy = busy

    def show_blocked(self, reason: str) -> None:
        """Explain why the last send did not go out (shown until the next edit)."""
        self._blocked = reason
        self._show_status()

    def focus_editor(self) -> None:
        self.editor.focus()

    # --- actions ------------------------------------------------------------

    def action_attach(self) -> None:
        self.post_message(self.AttachRequested(self))

    def action_toggle_kind(self) -> None:
        self.kind = MessageKind.NOTE if self.kind is MessageKind.REPLY else MessageKind.REPLY
        self._post_changed_now()

    def action_send(self) -> None:
        self._request_send(None)

    def action_send_pending(self) -> None:
        self._request_send(Status.PENDING)

    def action_send_solved(self) -> None:
        self._request_send(Status.SOLVED)

    def action_drop_actions(self) -> None:
        if self._pending_actions is not None:
            self._pending_actions = None
            self._show_status()
            self.notify(_("Canned reply actions dropped; the text stays."), timeout=3)

    def action_fix_layout(self) -> None:
        """Convert text typed with the wrong keyboard layout; a converted selection stays selected
        (a second press undoes it), a converted word leaves the caret after it to type on."""
        editor = self.editor
        if editor.read_only:
            return
        selection = editor.selection
        start, end = sorted((selection.start, selection.end))
        had_selection = start != end
        if not had_selection:
            row, column = end
            before = editor.document.get_line(row)[:column]
            word = re.search(r"\S+$", before)
            if word is None:
                self.app.bell()
                return
            start = (row, word.start())
        original = editor.get_text_range(start, end)
        converted = swap_layout(original)
        if converted == original:
            self.app.bell()
            return
        result = editor.replace(converted, start, end)
        end_after = result.end_location
        editor.selection = Selection(start, end_after) if had_selection else Selection.cursor(end_after)

    def action_external_editor(self) -> None:
        if self.busy:
            return
        self.post_message(self.ExternalEditRequested(self))

    def edit_outside(self, label: str) -> EditOutcome:
        """Run the agent's editor on the text with the app suspended; the text comes back into the
        editor only when the editor succeeded (otherwise it is untouched).

        Blocking the message loop is the point here: the terminal belongs to the editor until it
        exits, as with `git commit`."""
        command = editor_command(os.environ)
        if command is None:
            return EditOutcome(None, EditFailure.NOT_SET)
        original = self.text
        try:
            with self.app.suspend():
                outcome = run_editor(original, command, label=label)
        except SuspendNotSupported:
            return EditOutcome(None, EditFailure.NOT_SUPPORTED)
        if outcome.text is not None and outcome.text != original:
            self.set_draft(outcome.text, self.kind)
            self._post_changed_now()
        self.focus_editor()
        return outcome

    def _request_send(self, status_after: Status | None) -> None:
        if self.busy:
            return
        body = self.text
        if not body.strip():
            self.show_blocked(_("Nothing to send: write a message first."))
            return
        room = Room(len(body), self.body_limit)
        if room.over:
            # Refused here, before anything is queued: the server would refuse it anyway, and a
            # reply the outbox can never deliver is worse than one still in the editor.
            self.show_blocked(too_long_reason(room))
            self.app.bell()
            return
        self._blocked = None
        self._show_status()
        actions = self._pending_actions
        # An explicit "send + solved/pending" key beats the status a canned reply suggested.
        if status_after is None and actions is not None:
            status_after = actions.status
        self.post_message(self.SendRequested(self, body, self.kind, status_after, actions, self.files))

    # --- state --------------------------------------------------------------

    def watch_kind(self) -> None:
        self._apply_kind()

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # Not `on_resize`: when a pane folds or opens beside the composer (the playbook), Textual
        # lays it out again without a Resize event, and the words must follow the new width.
        width_before = self.size.width
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if size.width != width_before:
            self.call_after_refresh(self._fit_labels)
        return changed

    def watch_busy(self, busy: bool) -> None:
        if self.is_mounted:
            self.editor.read_only = busy
            self._show_status()

    def _apply_kind(self) -> None:
        note = self.kind is MessageKind.NOTE
        self.set_class(note, "-note")
        self.set_class(not note, "-reply")
        self._fit_labels()
        if self.is_mounted:
            self._show_status()

    def _fit_labels(self) -> None:
        note = self.kind is MessageKind.NOTE
        # A narrow composer (80 columns, a playbook open) gets the shorter words, never cut ones.
        width = self.size.width
        room = width - 6 if width else 1000
        if note:
            self.border_title = fitting(room, _("Internal note — not visible to the customer"),
                                        _("Internal note"), _("Note"))
        else:
            self.border_title = fitting(room, _("Reply to customer"), pgettext("kind", "Reply"))
        keys = {name: escape(self._key(f"composer.{name}")) for name in ("send", "send_pending",
                                                                          "send_solved", "toggle_kind")}
        self.border_subtitle = fitting(
            room, _("{send} send · {send_pending} send+pending · {send_solved} send+solved · "
                    "{toggle_kind} reply/note").format(**keys),
            _("{send} send · {toggle_kind} reply/note").format(**keys), _("{send} send").format(**keys))

    def _key(self, binding_id: str) -> str:
        """The key as the agent's keymap (or the web keymap) has it, not the default's."""
        binding = next(b for b in Binding.make_bindings(self.BINDINGS) if b.id == binding_id)
        return bound_key(self.app, binding)

    def _show_status(self) -> None:
        if not self.is_mounted:
            return
        status = self.query_one("#composer-status", Static)
        status.set_class(self._blocked is not None and not self.busy, "-blocked")
        status.set_class(self.busy, "-busy")
        showing_actions = not self.busy and self._blocked is None and self._pending_actions is not None
        status.set_class(showing_actions, "-actions")
        content: str | Text
        if self.busy:
            content = _("Sending…")
        elif self._blocked is not None:
            # The reason may echo server text: one line, never markup.
            content = Text("⚠ " + one_line(self._blocked))
        elif showing_actions:
            # Tags come from the backend or the agent's files: plain Text, one line.
            content = Text(one_line(_("On send: {actions}  (^g drops them)").format(
                actions=describe_actions(self._pending_actions))))
        elif self.kind is MessageKind.NOTE:
            content = _("Only agents will see this note.")
        else:
            content = _("The customer will see this reply.")
        # Plain strings and unstyled Text: the same words are the same line (the look is the classes').
        if self._lines_shown.get("status") != str(content):
            self._lines_shown["status"] = str(content)
            status.update(content, layout=False)  # one line high whatever it says (`height: 1`)

    def _show_room(self) -> None:
        if not self.is_mounted:
            return
        room = self.room
        label = self.query_one("#composer-room", Static)
        label.set_class(room.near and not room.over, "-near")
        label.set_class(room.over, "-over")
        text = room_label(room) if room.near else ""
        if self._lines_shown.get("room") != text:
            self._lines_shown["room"] = text
            label.update(text)

    @on(TextArea.Changed, "#composer-input")
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._blocked is not None:
            self._blocked = None
            self._show_status()
        was_near = self.room.near
        self._last_length = len(self.text)
        if was_near or self.room.near:
            self._show_room()
        if self._throttle is None:
            self._throttle = self.set_timer(self.CHANGE_THROTTLE, self._post_changed_now)

    @on(ComposerEditor.TriggerTyped)
    def _trigger_typed(self, event: ComposerEditor.TriggerTyped) -> None:
        # Only a typed key completes the trigger: pasted or inserted text never opens the picker.
        event.stop()
        self.post_message(self.CannedRequested(self))

    def _post_changed_now(self) -> None:
        if self._throttle is not None:
            self._throttle.stop()
            self._throttle = None
        self.post_message(self.Changed(self, self.text, self.kind))
