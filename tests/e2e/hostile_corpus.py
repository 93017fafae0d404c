"""Text written by other agents, leads, configuration or a compromised backend, made to hurt.

Shared by the Pilot tests (test_hostile_names.py) and the pseudo-terminal byte test
(test_hostile_text.py). Each payload carries a marker after its control sequence, so the byte
check can tell our text from the escape sequences Textual itself writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket

from supportdesk_tui.contract.models import CannedReply, CannedVariable, Language
from supportdesk_tui.server.records import QueueRecord
from supportdesk_tui.server.seed_data import QUEUES
from supportdesk_tui.server.store import open_store

OSC52 = "\x1b]52;c;cHduZWQ=\x07"  # clipboard write
OSC0 = "\x1b]0;pwned-title\x07"  # window title
OSC8 = "\x1b]8;;https://evil.example/x\x1b\\hyper\x1b]8;;\x1b\\"  # hyperlink
CLEAR = "\x1b[2Jwiped"
C1_CSI = "\x9b31mcsi"
DCS = "\x90qdcs\x9c"
LONE_ESC = "lone\x1bone"
BELL = "ring\x07bell"
BIDI = "\u202eevil\u2066"
CLOSE_TAG = "[/bold]"
CLICK = "[@click=app.quit]Click me[/]"
UNCLOSED = "[name=value:"

CORPUS = (OSC52, OSC0, OSC8, CLEAR, C1_CSI, DCS, LONE_ESC, BELL, BIDI, CLOSE_TAG, CLICK, UNCLOSED)
ALL_IN_ONE = " ".join(CORPUS)

# What must never reach the terminal's bytes (UTF-8: C1 controls are two bytes).
FORBIDDEN_BYTES = (
    b"\x1b]52;", b"\x1b]0;pwned", b"\x1b]8;;https://evil", b"\x1b[2Jwiped", b"\xc2\x9b31mcsi",
    b"\xc2\x90qdcs", b"lone\x1bone", b"ring\x07", "\u202e".encode(), "\u2066".encode(),
)

AGENT_NAME = "Mallory " + ALL_IN_ONE
# One queue carries everything; the others one trap each, so each failure shows on its own.
QUEUE_NAMES = {
    "access": "Access " + CLICK,
    "hacked": "Hacked " + ALL_IN_ONE,
    "deletion": "Deletion " + CLOSE_TAG,
    "payments": "Payments " + UNCLOSED,
    "bugs-music": "Music " + OSC52 + OSC0,
    "bugs-messages": "Messages " + CLEAR + C1_CSI + DCS,
    "bugs-video": "Video " + OSC8 + BIDI + BELL,
}
CANNED_TITLE = "Canned " + ALL_IN_ONE
CANNED_SHORTCUT = "evil" + UNCLOSED + LONE_ESC
CANNED_TAGS = ["t" + CLOSE_TAG, "t" + UNCLOSED, "t" + C1_CSI]
TICKET_TAGS = ["x" + CLOSE_TAG, "x" + CLICK.lower()[:40], "x" + UNCLOSED, "x" + OSC0]
SERVER_MESSAGE = "Denied " + ALL_IN_ONE


def hostile_canned_reply() -> CannedReply:
    """A canned reply whose title, shortcut, tags and variable prompt are all hostile."""
    return CannedReply(
        id="hostile",
        title={Language.EN: CANNED_TITLE, Language.RU: CANNED_TITLE},
        shortcut=CANNED_SHORTCUT,
        tags=CANNED_TAGS,
        bodies={Language.EN: "Your code is {code}.", Language.RU: "Ваш код {code}."},
        variables=[CannedVariable(name="code", prompt={Language.EN: "Code " + CLICK + OSC52,
                                                       Language.RU: "Код " + CLICK + OSC52})],
    )


def poison_names(db_path: Path) -> None:
    """Rename every queue and replace the canned replies in a live server's database.

    The server reads both on every request; tokens must be created before this (creating one
    seeds the standard queues and replies again).
    """
    store = open_store(db_path)
    try:
        with store.write() as tx:
            for position, queue in enumerate(QUEUES):
                tx.upsert_queue(QueueRecord(queue.id, QUEUE_NAMES[queue.id], queue.languages), position)
            tx.replace_canned_replies([hostile_canned_reply()])
    finally:
        store.close()


def poisoned_desk(server_factory: Any) -> Any:
    """A real backend where every name an admin or agent can set is hostile.

    `agent1` (a plain name) and `mallory` (hostile) work all queues, `lead1` leads; four new
    tickets (`server.tickets`), the second tagged with hostile tags by the lead.
    """
    server = server_factory(demo=False)
    all_queues = list(QUEUE_NAMES)
    server.new_token("agent1", "agent", all_queues, name="Agent One")
    server.new_token("mallory", "agent", all_queues, name=AGENT_NAME)
    server.new_token("lead1", "lead", all_queues, name="Lead " + AGENT_NAME)
    server.new_token("intake", "intake", [])
    poison_names(server.db_path)
    server.tickets = [create_customer_ticket(server, category=category, language="en")["id"]
                      for category in ("access", "hacked", "deletion", "payments")]
    with server.client("lead1") as http:
        ticket = http.get(f"/api/v1/tickets/{server.tickets[1]}").json()
        response = http.patch(f"/api/v1/tickets/{ticket['id']}", json={"tags": TICKET_TAGS},
                              headers={"If-Match": f'"{ticket["version"]}"'})
        response.raise_for_status()
    return server
