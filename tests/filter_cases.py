"""One table of filter-bar queries and the tickets each one finds, read by two tests.

The server filters `GET /tickets` (tests/server/test_filter_cases.py asks the real backend);
the client decides with `domain.query.ticket_matches` whether a ticket a live event brought
still belongs in the filtered queue on screen (tests/unit/test_query_matches.py). Both answer
every case below on the same four tickets, so the two can't drift apart.

One difference is by design and stays out of the table: the server's free text also finds the
words of a ticket's messages, which an event does not carry. The tickets' messages here hold
none of the words searched for.
"""

from __future__ import annotations

from dataclasses import dataclass

# Who is signed in: `assignee:me` means this agent. Anna works access, hacked and deletion.
ME = "anna"
MESSAGE_BODY = "Please look into it."


@dataclass(frozen=True)
class Specimen:
    """A ticket as the test creates it (intake), then patches it (assignee, status)."""

    key: str
    subject: str
    category: str  # routes the ticket to `queue`
    queue: str
    language: str
    priority: str
    status: str
    tags: tuple[str, ...]
    assignee: str | None  # an agent login
    requester_name: str
    account_id: str
    email: str | None


SPECIMENS: tuple[Specimen, ...] = (
    Specimen("a", "VPN drops every hour", "password", "access", "en", "high", "new", ("vpn", "network"),
             "anna", "Olga Petrova", "idfc000001", "olga.p@example.org"),
    Specimen("b", "Страница взломана, почта сменена", "hacked", "hacked", "ru", "urgent", "open",
             ("hacked",), "dmitry", "Иван Петров", "idfc000002", None),
    Specimen("c", "Delete my account", "deletion", "deletion", "en", "low", "pending", (),
             None, "Sam Doe", "idfc000003", "sam@example.com"),
    Specimen("d", "Password reset link expired", "password", "access", "ru", "normal", "on_hold",
             ("password", "vpn"), "anna", "Пётр Иванов", "idfc000004", None),
)


@dataclass(frozen=True)
class FilterCase:
    query: str  # as typed in the filter bar; `{a}` stands for ticket a's id
    finds: str  # the keys of the specimens it finds, e.g. "ad"
    screen_queue: str | None = None  # the queue picked in the sidebar (None: all my queues)

    def text(self, ids: dict[str, int]) -> str:
        return self.query.format(**ids)

    @property
    def id(self) -> str:
        where = f" in {self.screen_queue}" if self.screen_queue else ""
        return f"{self.query or '(no filter)'}{where} -> {self.finds or 'nothing'}"


CASES: tuple[FilterCase, ...] = (
    FilterCase("", "abcd"),
    FilterCase("status:new", "a"),
    FilterCase("status:open,pending", "bc"),
    FilterCase("status:on-hold", "d"),
    FilterCase("status:solved", ""),
    FilterCase("priority:urgent,high", "ab"),
    FilterCase("lang:ru", "bd"),
    FilterCase("tag:vpn", "ad"),
    FilterCase("tag:VPN", "ad"),
    FilterCase("tag:hacked status:open", "b"),
    FilterCase("assignee:me", "ad"),
    FilterCase("assignee:none", "c"),
    FilterCase("assignee:dmitry", "b"),
    FilterCase("queue:access", "ad"),
    FilterCase("queue:hacked lang:ru", "b"),
    FilterCase("", "c", screen_queue="deletion"),
    FilterCase("queue:access", "ad", screen_queue="deletion"),
    FilterCase("lang:en priority:low assignee:none", "c"),
    # Free text: the subject, the requester's name, account id and email, as one phrase.
    FilterCase("vpn", "a"),
    FilterCase("DROPS EVERY", "a"),
    FilterCase("every drops", ""),
    FilterCase("Петров", "b"),
    FilterCase("idfc000003", "c"),
    FilterCase("sam@example", "c"),
    FilterCase("vpn status:on-hold", ""),
    # `#id` alone is that ticket; with other words it is only text.
    FilterCase("#{a}", "a"),
    FilterCase("#{a} vpn", ""),
)
