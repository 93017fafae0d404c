"""The outbox: replies and notes not sent yet, and the ones the server refused.

Opened with `app.outbox` (key `O`) or a click on the outbox count in the status line. Rows are
keyed by the item's idempotency key, so an action always hits the item the agent looked at even
if the list changed underneath. Per item: edit (the text goes back to its ticket's composer and
leaves the outbox, so it can't go out twice), resend, discard (after a confirmation).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowDoesNotExist

from supportdesk_tui import messages
from supportdesk_tui.domain.drafts import Draft, DraftKind
from supportdesk_tui.domain.outbox import OutboxFile, OutboxItem, OutboxState
from supportdesk_tui.domain.safe_text import one_line, safe_format, safe_text
from supportdesk_tui.i18n import N_, _, ngettext
from supportdesk_tui.i18n.sizes import file_size
from supportdesk_tui.i18n.times import date_time
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.navigation import OpenTicket, ReturnTo
from supportdesk_tui.screens.base import DeskScreen
from supportdesk_tui.screens.pickers import ConfirmModal
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.relabel import Caption, relabel_columns

FIRST_LINE_WIDTH = 48
REASON_WIDTH = 44
PREVIEW_LINES = 4
# Column key → (untranslated title, width).
COLUMNS: dict[str, tuple[str, int]] = {
    "state": (N_("State"), 8), "ticket": (N_("Ticket"), 8), "time": (N_("Written"), 18),
    "kind": (N_("Kind"), 6), "reason": (N_("Reason"), REASON_WIDTH),
    "first": (N_("First line"), FIRST_LINE_WIDTH),
}


def first_line(body: str) -> str:
    for line in body.splitlines():
        if line.strip():
            return one_line(line.strip())
    return ""


def kind_label(kind: DraftKind) -> str:
    return _("Note") if kind is DraftKind.NOTE else _("Reply")


def state_label(item: OutboxItem) -> str:
    return _("Failed") if item.state is OutboxState.FAILED else _("Waiting")


def file_line(file: OutboxFile) -> Text:
    """"▸ name (size)": the name is the agent's file name, untrusted text like any other; the size is
    the item's private copy (what will be sent), or a question mark when that copy is gone."""
    try:
        size = file_size(Path(file.path).stat().st_size)
    except OSError:
        size = "?"
    line = Text("▸ ")
    line.append_text(safe_text(file.name, single_line=True))
    line.append(f" ({size})")
    return line


def merged_body(before: str, added: str) -> str:
    """Text already in the composer, then the outbox item's text as a new paragraph."""
    return added if not before.strip() else before.rstrip() + "\n\n" + added


class OutboxScreen(DeskScreen):
    DEFAULT_CSS = """
    OutboxScreen #outbox-bar { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    OutboxScreen #outbox-hint { height: auto; padding: 0 1; color: $text-muted; }
    OutboxScreen DataTable { height: 1fr; }
    OutboxScreen #outbox-detail {
        height: auto; max-height: 12; padding: 0 1; border-top: solid $panel; color: $text;
    }
    OutboxScreen #outbox-detail.-failed { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("escape", "back", N_("Back"), id="outbox.back"),
        Binding("e", "edit", N_("Edit"), id="outbox.edit",
                tooltip=N_("Put the text back into its ticket's composer and take it out of the outbox")),
        Binding("r", "resend", N_("Resend"), id="outbox.resend"),
        Binding("d", "discard", N_("Discard"), id="outbox.discard"),
    ])

    def compose(self) -> ComposeResult:
        yield Caption(N_("Outbox"), id="outbox-bar")
        yield Static(id="outbox-hint")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="outbox-items")
        yield Static(id="outbox-detail")
        yield KeyFooter()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#outbox-items", DataTable)

    def on_mount(self) -> None:
        table = self.table
        for key, (title, width) in COLUMNS.items():
            table.add_column(safe_text(_(title)), key=key, width=width)
        self.sub_title = _("Outbox")
        self.desk.subscribe(self)
        self.show_items()
        table.focus()

    def on_unmount(self) -> None:
        self.desk.unsubscribe(self)

    def relabel(self) -> None:
        relabel_columns(self.table, {key: title for key, (title, _width) in COLUMNS.items()})
        self.sub_title = _("Outbox")
        self.show_items()

    # --- the list --------------------------------------------------------------------

    def _items(self) -> list[OutboxItem]:
        # Failed first: they wait for the agent; waiting ones go out by themselves.
        items = self.desk.session.sender.outbox.items()
        return sorted(items, key=lambda i: (i.state is not OutboxState.FAILED, i.created_at))

    def show_items(self) -> None:
        table = self.table
        selected = self.selected_id()
        table.clear()
        items = self._items()
        for item in items:
            reason = one_line(item.last_error or "")  # server text: untrusted, never markup
            table.add_row(
                Text(state_label(item), style="bold" if item.state is OutboxState.FAILED else ""),
                Text(f"#{item.ticket_id}"),
                Text(date_time(item.created_at)),
                Text(kind_label(item.kind)),
                Text(reason, overflow="ellipsis", no_wrap=True),
                Text(first_line(item.body), overflow="ellipsis", no_wrap=True),
                key=item.id,
            )
        if selected is not None:
            with contextlib.suppress(RowDoesNotExist):
                table.move_cursor(row=table.get_row_index(selected))
        failed = sum(1 for item in items if item.state is OutboxState.FAILED)
        hint = self.query_one("#outbox-hint", Static)
        if not items:
            hint.update(Text(_("Nothing in the outbox: every reply and note has been sent.")))
        elif failed:
            hint.update(safe_format(ngettext(
                "{n} message was refused by the server. Edit it, resend it or discard it.",
                "{n} messages were refused by the server. Edit, resend or discard each one.",
                failed), n=failed))
        else:
            hint.update(Text(_("Waiting messages are sent automatically when the server answers.")))
        self._show_detail()

    def selected_id(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # no valid cursor (an empty or just-cleared table)
            return None
        return None if key.value is None else str(key.value)

    def selected_item(self) -> OutboxItem | None:
        item_id = self.selected_id()
        return None if item_id is None else self.desk.session.sender.outbox.get(item_id)

    @on(DataTable.RowHighlighted, "#outbox-items")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#outbox-detail", Static)
        item = self.selected_item()
        detail.set_class(item is not None and item.state is OutboxState.FAILED, "-failed")
        if item is None:
            detail.update("")
            return
        text = Text()
        if item.last_error:
            text.append(_("Reason: "))
            text.append_text(safe_text(item.last_error, single_line=True))
            text.append("\n")
        lines = item.body.splitlines()
        text.append_text(safe_text("\n".join(lines[:PREVIEW_LINES])))
        if len(lines) > PREVIEW_LINES:
            text.append("\n…")
        for file in item.files:
            text.append("\n")
            text.append_text(file_line(file))
        detail.update(text)

    def on_outbox_changed(self, _event: messages.OutboxChanged) -> None:
        self.show_items()

    # --- actions ---------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def _changed(self) -> None:
        self.desk.outbox_changed()
        self.show_items()

    def action_resend(self) -> None:
        item = self.selected_item()
        if item is None:
            self.app.bell()
            return
        self.desk.session.sender.outbox.resend(item.id, self.desk.session.settings.clock())
        self._changed()
        self.desk.flush_outbox()
        self.notify(safe_format(_("Sending the message to #{id} again."), id=item.ticket_id), timeout=3)

    def action_discard(self) -> None:
        item = self.selected_item()
        if item is None:
            self.app.bell()
            return
        body = Text(_("Ticket #{id}, written {time}:").format(
            id=item.ticket_id, time=date_time(item.created_at)) + "\n")
        body.append_text(safe_text("\n".join(item.body.splitlines()[:PREVIEW_LINES])))

        def answered(discard: bool | None) -> None:
            if discard and self.desk.session.sender.outbox.remove(item.id) is not None:
                self._changed()
                self.notify(_("Discarded: it will not be sent."), timeout=3)

        self.app.push_screen(ConfirmModal(_("Discard this message?"), body,
                                          question=_("Discard it for good?")), answered)

    def action_edit(self) -> None:
        item = self.selected_item()
        if item is None:
            self.app.bell()
            return
        session = self.desk.session
        # The ticket's conversation, if one is open underneath, with the composer holding its text.
        open_here = next(((screen, composer) for screen in self.app.screen_stack
                          if isinstance(screen, DeskScreen)
                          and (composer := screen.composer_for(item.ticket_id)) is not None), None)
        if open_here is not None:
            composer = open_here[1]
            before, before_kind = composer.text, DraftKind(composer.kind.value)
        else:
            draft = session.drafts.load(item.ticket_id)
            before, before_kind = (draft.body, draft.kind) if draft is not None else ("", item.kind)
        if before.strip() and before_kind is not item.kind:
            # Merging would turn an internal note into a reply to the customer, or the other way.
            sentence = (_("Ticket #{id} already has an unsent internal note in its composer. Send or "
                          "clear it first, then edit this reply.") if before_kind is DraftKind.NOTE
                        else _("Ticket #{id} already has an unsent reply in its composer. Send or clear "
                               "it first, then edit this note."))
            self.notify(safe_format(sentence, id=item.ticket_id), severity="warning")
            return
        body = merged_body(before, item.body)
        # On disk before the item leaves the outbox: a crash in between loses nothing.
        session.drafts.save(item.ticket_id, Draft(item.ticket_id, body, item.kind, item.seen_up_to))
        session.sender.outbox.remove(item.id)
        self.desk.outbox_changed()
        if open_here is not None:
            screen, composer = open_here
            composer.set_draft(body, item.kind.message_kind)
            self.post_message(ReturnTo(screen))
        else:
            self.dismiss()
            # To the app itself: this screen is closing and would not pass the request on.
            self.app.post_message(OpenTicket(item.ticket_id))
        self.notify(safe_format(_("The text is back in the composer of #{id}; it left the outbox."),
                                id=item.ticket_id), timeout=4)
