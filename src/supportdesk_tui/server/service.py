"""Business rules of the ticket API, shared by the HTTP handlers, the simulator and the seed.

Every write happens in one store transaction together with the events it
causes, so a client that reconnects to the event stream never misses a change
that is already visible through the API.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from supportdesk_tui.contract.clock import Clock, utc_now
from supportdesk_tui.contract.models import (
    AssignableAgent,
    Author,
    CannedReply,
    Component,
    Escalation,
    EscalationCreate,
    EscalationPatch,
    EscalationStatus,
    EventType,
    HistoryKind,
    Me,
    Message,
    MessageCreate,
    MessageKind,
    MessagePosted,
    Presence,
    PresenceState,
    Queue,
    Requester,
    Role,
    Status,
    Ticket,
    TicketCreate,
    TicketPatch,
    TicketSort,
)
from supportdesk_tui.server import routing, sla
from supportdesk_tui.server.auth import hash_token
from supportdesk_tui.server.errors import ApiError, forbidden, invalid, not_found
from supportdesk_tui.server.events import format_event
from supportdesk_tui.server.history import Tracked, record_changes
from supportdesk_tui.server.presence import Board, PresenceBoard, Seen, SeenBoard
from supportdesk_tui.server.receipts import PostedMessage
from supportdesk_tui.server.records import AgentRecord, StoredEvent, TicketJson, TicketQuery, TicketState
from supportdesk_tui.server.store import Store, WriteTx
from supportdesk_tui.server.upload_claims import claim_uploads

SYSTEM_AUTHOR = Author(type="system", id="system", name="SupportDesk")
INTAKE_ONLY = "The intake role may only create tickets and post customer messages."
COUNTS_FRAMES_KEPT = 1024
PRESENCE_LIST: TypeAdapter[list[Presence]] = TypeAdapter(list[Presence])

ESCALATION_MOVES: dict[EscalationStatus, frozenset[EscalationStatus]] = {
    EscalationStatus.OPEN: frozenset(
        {EscalationStatus.IN_PROGRESS, EscalationStatus.FIXED, EscalationStatus.WONT_FIX}
    ),
    EscalationStatus.IN_PROGRESS: frozenset(
        {EscalationStatus.OPEN, EscalationStatus.FIXED, EscalationStatus.WONT_FIX}
    ),
    EscalationStatus.FIXED: frozenset({EscalationStatus.IN_PROGRESS}),
    EscalationStatus.WONT_FIX: frozenset({EscalationStatus.OPEN}),
}


def normalize_tags(tags: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        clean = tag.strip().lower()
        if clean and clean not in seen:
            seen.append(clean)
    return seen


def agent_author(agent: AgentRecord) -> Author:
    return Author(type="agent", id=agent.login, name=agent.name)


class Service:
    def __init__(
        self,
        store: Store,
        clock: Clock = utc_now,
        presence: Board | None = None,
        risk_window: timedelta = sla.RISK_WINDOW,
        seen: Seen | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.presence: Board = presence if presence is not None else PresenceBoard()
        self.risk_window = risk_window
        self.seen: Seen = seen if seen is not None else SeenBoard()
        self._counts_frames: dict[tuple[int, tuple[str, ...]], bytes | None] = {}

    def now(self) -> datetime:
        return self.clock()

    # --- callers and visibility ---------------------------------------------
    def authenticate(self, token: str | None) -> AgentRecord:
        caller = None if token is None else self.store.agent_by_token(hash_token(token))
        if caller is None:
            raise ApiError(401, "unauthorized", "A valid bearer token is required.")
        return caller

    def touch(self, caller: AgentRecord) -> None:
        self.seen.touch(caller.id, self.now())

    def visible_queues(self, caller: AgentRecord) -> tuple[str, ...] | None:
        """The queues a caller may see; None means all of them."""
        if caller.role == Role.LEAD:
            return None
        if caller.role == Role.INTAKE:
            return ()
        return caller.queues

    def can_see(self, caller: AgentRecord, queue: str) -> bool:
        visible = self.visible_queues(caller)
        return visible is None or queue in visible

    def ensure_reader(self, caller: AgentRecord) -> None:
        if caller.role == Role.INTAKE:
            raise forbidden(INTAKE_ONLY)

    def assignable_agents(self, caller: AgentRecord) -> list[AssignableAgent]:
        """Whom the caller may assign a ticket to: a lead anyone who answers tickets, an agent only
        themselves (patch_ticket refuses the rest), so an agent learns nothing about colleagues here."""
        self.ensure_reader(caller)
        every_queue = [q.id for q in self.store.list_queues()]
        candidates = self.store.list_agents() if caller.role == Role.LEAD else [caller]
        return [
            AssignableAgent(id=agent.id, login=agent.login, name=agent.name, role=agent.role,
                            queues=[q for q in every_queue if _serves(agent, q)])
            for agent in candidates if agent.role != Role.INTAKE
        ]

    def ensure_lead(self, caller: AgentRecord) -> None:
        if caller.role != Role.LEAD:
            raise forbidden("Only a shift lead may use this endpoint.")

    # --- reads ---------------------------------------------------------------
    def me(self, caller: AgentRecord) -> Me:
        queues = [q.id for q in self.store.list_queues()] if caller.role == Role.LEAD else list(caller.queues)
        return Me(
            id=caller.id,
            login=caller.login,
            name=caller.name,
            role=caller.role,
            languages=list(caller.languages),
            queues=queues,
        )

    def all_queues(self) -> list[Queue]:
        counts = self.store.queue_counts(self.now(), self.risk_window)
        return [
            Queue(id=q.id, name=q.name, languages=list(q.languages), counts=counts[q.id])
            for q in self.store.list_queues()
        ]

    def queues(self, caller: AgentRecord) -> list[Queue]:
        self.ensure_reader(caller)
        return [q for q in self.all_queues() if self.can_see(caller, q.id)]

    def with_presence(self, ticket: Ticket) -> Ticket:
        presence = self.presence.get(ticket.id, self.now())
        return ticket.model_copy(update={"presence": presence}) if presence else ticket

    def get_ticket(self, caller: AgentRecord, ticket_id: int) -> Ticket:
        self.ensure_reader(caller)
        ticket = self.store.get_ticket(ticket_id)
        if ticket is None or not self.can_see(caller, ticket.queue):
            raise not_found()
        return self.with_presence(ticket)

    def list_tickets(
        self,
        caller: AgentRecord,
        query: TicketQuery,
        sort: TicketSort,
        after: Sequence[int] | None,
        limit: int,
    ) -> tuple[list[Ticket], list[int] | None]:
        """A page of tickets and the sort key to continue after (None at the end)."""
        self.ensure_reader(caller)
        tickets, keys = self.store.list_tickets(self._visible_query(caller, query), sort, after, limit + 1)
        more = len(tickets) > limit
        tickets, keys = tickets[:limit], keys[:limit]
        return [self.with_presence(t) for t in tickets], (keys[-1] if more and keys else None)

    def list_tickets_json(
        self,
        caller: AgentRecord,
        query: TicketQuery,
        sort: TicketSort,
        after: Sequence[int] | None,
        limit: int,
    ) -> tuple[list[bytes], list[int] | None]:
        """`list_tickets` as each ticket's JSON: the hot path of every queue view."""
        self.ensure_reader(caller)
        visible = self._visible_query(caller, query)
        tickets, keys = self.store.list_ticket_json(visible, sort, after, limit + 1)
        more = len(tickets) > limit
        now = self.now()
        return [self.ticket_bytes(t, now) for t in tickets[:limit]], (keys[limit - 1] if more else None)

    def count_tickets(self, caller: AgentRecord, query: TicketQuery) -> int:
        """How many tickets the caller may see match `query` (a saved view's count)."""
        self.ensure_reader(caller)
        return self.store.count_matching(self._visible_query(caller, query))

    def _visible_query(self, caller: AgentRecord, query: TicketQuery) -> TicketQuery:
        visible = self.visible_queues(caller)
        if visible is None:
            return query
        wanted = visible if query.queues is None else tuple(q for q in query.queues if q in visible)
        return TicketQuery(**{**query.__dict__, "queues": wanted})

    def ticket_bytes(self, ticket: TicketJson, now: datetime) -> bytes:
        """The ticket's JSON with who is on it now (presence changes without a new version)."""
        presence = self.presence.get(ticket.id, now)
        if not presence:
            return ticket.body
        return ticket.body[:-3] + PRESENCE_LIST.dump_json(presence) + b"}"

    def get_ticket_json(self, caller: AgentRecord, ticket_id: int) -> tuple[int, bytes]:
        """(version, JSON) of `get_ticket`."""
        self.ensure_reader(caller)
        ticket = self.store.ticket_json(ticket_id)
        if ticket is None or not self.can_see(caller, ticket.queue):
            raise not_found()
        return ticket.version, self.ticket_bytes(ticket, self.now())

    def list_messages(
        self, caller: AgentRecord, ticket_id: int, descending: bool, after: int | None, limit: int
    ) -> tuple[list[Message], bool]:
        self._ensure_ticket_visible(caller, ticket_id)
        messages = self.store.list_messages(ticket_id, descending, after, limit + 1)
        return messages[:limit], len(messages) > limit

    def list_messages_json(
        self, caller: AgentRecord, ticket_id: int, descending: bool, after: int | None, limit: int
    ) -> tuple[list[tuple[int, bytes]], bool]:
        """`list_messages` as (id, JSON) pairs."""
        self._ensure_ticket_visible(caller, ticket_id)
        messages = self.store.list_message_json(ticket_id, descending, after, limit + 1)
        return messages[:limit], len(messages) > limit

    def _ensure_ticket_visible(self, caller: AgentRecord, ticket_id: int) -> None:
        self.ensure_reader(caller)
        queue = self.store.ticket_queue(ticket_id)
        if queue is None or not self.can_see(caller, queue):
            raise not_found()

    def canned_replies(self, caller: AgentRecord) -> list[CannedReply]:
        self.ensure_reader(caller)
        return self.store.list_canned_replies()

    def components(self, caller: AgentRecord) -> list[Component]:
        self.ensure_reader(caller)
        return self.store.list_components()

    def agent_login_id(self, login: str) -> int | None:
        agent = self.store.agent_by_login(login)
        return None if agent is None else agent.id

    # --- events ----------------------------------------------------------------
    def _emit_ticket(self, tx: WriteTx, type_: EventType, ticket: Ticket) -> Ticket:
        ticket = self.with_presence(ticket)
        tx.event(type_.value, ticket.queue, ticket.model_dump(mode="json"), self.now())
        return ticket

    def emit_ticket(self, tx: WriteTx, type_: EventType, ticket: Ticket) -> Ticket:
        return self._emit_ticket(tx, type_, ticket)

    def emit_escalation(self, tx: WriteTx, escalation: Escalation) -> None:
        """One event per queue holding a linked ticket: the agents of each see it move."""
        queues = dict.fromkeys(tx.linked_ticket_queues(escalation.key))
        data = escalation.model_dump(mode="json")
        for queue in queues or [None]:
            tx.event(EventType.ESCALATION_UPDATED.value, queue, data, self.now())

    def _emit_message(self, tx: WriteTx, queue: str, message: Message) -> None:
        data = {"ticket_id": message.ticket_id, "queue": queue, "message": message.model_dump(mode="json")}
        tx.event(EventType.MESSAGE_CREATED.value, queue, data, self.now())

    def emit_counts(self, queues: Sequence[Queue]) -> None:
        with self.store.write() as tx:
            data = {"queues": [q.model_dump(mode="json") for q in queues]}
            tx.event(EventType.QUEUE_COUNTS.value, None, data, self.now())

    def frame_filter(self, caller: AgentRecord) -> Callable[[StoredEvent], bytes | None]:
        """The SSE frame of an event as this caller may see it, or None to skip it; visibility is
        worked out once per filter (it runs for every event on every stream): a stream builds a
        new one when the caller's permissions change (see `StreamAccess`)."""
        visible = self.visible_queues(caller)
        allowed = None if visible is None else frozenset(visible)
        is_lead = caller.role == Role.LEAD
        counts = EventType.QUEUE_COUNTS.value

        def frame(event: StoredEvent) -> bytes | None:
            if event.queue is not None:
                return event.frame if allowed is None or event.queue in allowed else None
            if event.type == counts:
                return event.frame if visible is None else self._counts_frame(event, visible)
            return event.frame if is_lead else None

        return frame

    def _counts_frame(self, event: StoredEvent, visible: tuple[str, ...]) -> bytes | None:
        # Every stream gets each counts event; streams of agents with the same queues share one frame.
        key = (event.id, visible)
        if key in self._counts_frames:
            return self._counts_frames[key]
        data: dict[str, Any] = event.payload()
        queues = [q for q in data.get("queues", []) if q.get("id") in visible]
        text = json.dumps({"queues": queues}, ensure_ascii=False, separators=(",", ":"))
        frame = format_event(event.id, event.type, text) if queues else None
        if len(self._counts_frames) >= COUNTS_FRAMES_KEPT:
            self._counts_frames.clear()
        self._counts_frames[key] = frame
        return frame

    # --- writes --------------------------------------------------------------
    def create_ticket(self, caller: AgentRecord, body: TicketCreate) -> Ticket:
        now = self.now()
        queue = routing.route(body.category, body.language, self.store.list_queues())
        if queue is None:
            raise invalid(["body", "language"], f"No queue serves the language {body.language.value!r}.")
        state = TicketState(
            id=0,
            version=1,
            subject=body.subject,
            status=Status.NEW,
            priority=body.priority,
            queue=queue,
            language=body.language,
            category=body.category.strip().lower(),
            tags=normalize_tags(body.tags),
            requester=Requester(**body.requester.model_dump()),
            created_at=now,
            updated_at=now,
            environment=body.environment,
        )
        sla.start(state, now)
        customer = Author(type="customer", id=body.requester.account_id, name=body.requester.name)
        with self.store.write() as tx:
            files = claim_uploads(tx, caller, body.attachment_ids, "attachment_ids")
            ticket_id = tx.insert_ticket(state)
            message = tx.insert_message(ticket_id, MessageKind.CUSTOMER, customer, body.body, now, files)
            state.last_message_id, state.message_count = message.id, 1
            tx.save_ticket(state)
            ticket = self._emit_ticket(tx, EventType.TICKET_CREATED, tx.ticket(ticket_id))
            self._emit_message(tx, queue, message)
        return ticket

    def patch_ticket(self, caller: AgentRecord, ticket_id: int, patch: TicketPatch, expected: int) -> Ticket:
        self.ensure_reader(caller)
        now = self.now()
        if (
            caller.role == Role.AGENT
            and patch.assignee_id is not None
            and patch.assignee_id not in (0, caller.id)
        ):
            raise forbidden("Only a shift lead may assign a ticket to someone else.")
        queues = {q.id: q for q in self.store.list_queues()}
        with self.store.write() as tx:
            state = tx.ticket_state(ticket_id)
            if state is None or not self.can_see(caller, state.queue):
                raise not_found()
            if state.version != expected:
                current = self.with_presence(tx.ticket(ticket_id)).model_dump(mode="json")
                raise ApiError(
                    412,
                    "precondition_failed",
                    "The ticket changed since you loaded it.",
                    {"current": current},
                )
            changed = False
            before = Tracked.of(state)
            if patch.queue is not None and patch.queue != state.queue:
                target = queues.get(patch.queue)
                if target is None:
                    raise invalid(["body", "queue"], f"No such queue {patch.queue!r}.")
                if not self.can_see(caller, target.id):
                    raise forbidden("You may only move tickets to queues you belong to.")
                if state.language not in target.languages:
                    raise invalid(["body", "queue"], "That queue does not serve the ticket's language.")
                state.queue = target.id
                if state.assignee_id is not None:
                    assignee = self.store.agent_by_id(state.assignee_id)
                    if assignee is None or not _serves(assignee, target.id):
                        state.assignee_id = None
                changed = True
            if patch.assignee_id is not None:
                new_assignee: int | None = None
                if patch.assignee_id != 0:
                    agent = self.store.agent_by_id(patch.assignee_id)
                    if agent is None or agent.role == Role.INTAKE:
                        raise invalid(["body", "assignee_id"], "No such agent.")
                    if not _serves(agent, state.queue):
                        raise invalid(["body", "assignee_id"], "That agent does not work this queue.")
                    new_assignee = agent.id
                if new_assignee != state.assignee_id:
                    state.assignee_id = new_assignee
                    changed = True
            if patch.priority is not None and patch.priority != state.priority:
                sla.set_priority(state, patch.priority)
                changed = True
            if patch.status is not None and patch.status != state.status:
                sla.set_status(state, patch.status, now)
                changed = True
            if patch.tags is not None:
                tags = normalize_tags(patch.tags)
                if tags != state.tags:
                    state.tags = tags
                    changed = True
            if not changed:
                return self.with_presence(tx.ticket(ticket_id))
            state.version += 1
            state.updated_at = now
            tx.save_ticket(state)
            self.record_changes(tx, before, state, agent_author(caller), now)
            return self._emit_ticket(tx, EventType.TICKET_UPDATED, tx.ticket(ticket_id))

    def post_message(self, caller: AgentRecord, ticket_id: int, body: MessageCreate) -> PostedMessage:
        if body.kind == MessageKind.CUSTOMER and caller.role != Role.INTAKE:
            raise forbidden("Only the intake channel may post customer messages.")
        if caller.role == Role.INTAKE:
            if body.kind != MessageKind.CUSTOMER:
                raise forbidden(INTAKE_ONLY)
            if body.status is not None:
                raise forbidden("The intake channel may not set a status.")
            if body.seen_up_to is not None:
                # A conflict would list the thread's newer messages: intake reads no thread.
                raise forbidden("The intake channel may not send seen_up_to.")
        now = self.now()
        with self.store.write() as tx:
            state = tx.ticket_state(ticket_id)
            if state is None or (caller.role != Role.INTAKE and not self.can_see(caller, state.queue)):
                raise not_found()
            if body.seen_up_to is not None:
                newer = [
                    m
                    for m in tx.messages_after(ticket_id, body.seen_up_to)
                    if m.kind == MessageKind.CUSTOMER
                    or (m.kind == MessageKind.REPLY and m.author.id != caller.login)
                ]
                if newer:
                    raise ApiError(
                        409,
                        "new_activity",
                        "New messages arrived since you loaded the ticket.",
                        {"messages": [m.model_dump(mode="json") for m in newer]},
                    )
            if body.kind == MessageKind.CUSTOMER:
                author = Author(type="customer", id=state.requester.account_id, name=state.requester.name)
            else:
                author = agent_author(caller)
            files = claim_uploads(tx, caller, body.attachment_ids, "attachment_ids")
            message = tx.insert_message(ticket_id, body.kind, author, body.body, now, files)
            state.last_message_id = message.id
            state.message_count += 1
            status_before = state.status
            before = Tracked.of(state)
            if body.kind == MessageKind.CUSTOMER:
                sla.customer_wrote(state, now)
            elif body.kind == MessageKind.REPLY:
                sla.agent_replied(state, now)
                tx.set_agent_last_reply(caller.id, now)
                if state.assignee_id is None and caller.role != Role.INTAKE:
                    state.assignee_id = caller.id
                if body.status is None and state.status == Status.NEW:
                    sla.set_status(state, Status.OPEN, now)
            if body.status is not None:
                sla.set_status(state, body.status, now)
            state.version += 1
            state.updated_at = now
            tx.save_ticket(state)
            self.record_changes(tx, before, state, author, now)
            self._emit_message(tx, state.queue, message)
            ticket = self._emit_ticket(tx, EventType.TICKET_UPDATED, tx.ticket(ticket_id))
        reopened = body.kind == MessageKind.CUSTOMER and state.status != status_before
        return PostedMessage(MessagePosted(message=message, ticket=ticket), reopened)

    # --- escalations -------------------------------------------------------------
    def create_escalation(self, caller: AgentRecord, ticket_id: int, body: EscalationCreate) -> Escalation:
        self.ensure_reader(caller)
        now = self.now()
        if body.component not in {c.id for c in self.store.list_components()}:
            raise invalid(["body", "component"], f"No such component {body.component!r}.")
        with self.store.write() as tx:
            state = tx.ticket_state(ticket_id)
            if state is None or not self.can_see(caller, state.queue):
                raise not_found()
            missing = set(body.message_ids) - tx.existing_message_ids(ticket_id, body.message_ids)
            if missing:
                raise invalid(["body", "message_ids"], f"Messages not in this ticket: {sorted(missing)}.")
            escalation = tx.insert_escalation(
                ticket_id,
                severity=body.severity,
                component=body.component,
                summary=body.summary,
                steps=body.steps,
                expected=body.expected,
                actual=body.actual,
                environment=body.environment,
                message_ids=body.message_ids,
                status=EscalationStatus.OPEN,
                at=now,
            )
            note = tx.insert_message(
                ticket_id,
                MessageKind.NOTE,
                SYSTEM_AUTHOR,
                f"{caller.name} escalated this ticket to engineering as {escalation.key} "
                f"({body.severity.value}, {body.component}): {body.summary}\n{escalation.url}",
                now,
            )
            before = Tracked.of(state)
            state.escalation_key = escalation.key
            state.last_message_id = note.id
            state.message_count += 1
            if body.set_status is not None:
                sla.set_status(state, body.set_status, now)
            state.version += 1
            state.updated_at = now
            tx.save_ticket(state)  # linked before the event counts it
            self.record_changes(tx, before, state, agent_author(caller), now)
            escalation = tx.escalation(escalation.key) or escalation
            self.emit_escalation(tx, escalation)
            self._emit_message(tx, state.queue, note)
            self._emit_ticket(tx, EventType.TICKET_UPDATED, tx.ticket(ticket_id))
        return escalation

    def record_changes(self, tx: WriteTx, before: Tracked, state: TicketState, actor: Author,
                       at: datetime) -> None:
        """The ticket's history lines for what changed since `before` (see server/history.py)."""

        def agent_name(agent_id: int) -> str | None:
            agent = self.store.agent_by_id(agent_id)
            return None if agent is None else agent.name

        record_changes(tx, before, state, actor, at, agent_name)

    def _visible_escalation(self, caller: AgentRecord, key: str) -> Escalation:
        self.ensure_reader(caller)
        escalation = self.store.get_escalation(key)
        if escalation is None:
            raise not_found("escalation")
        queue = self.store.ticket_queue(escalation.ticket_id)
        if queue is not None and self.can_see(caller, queue):
            return escalation
        # An incident spans queues: an agent of a queue with a linked ticket may see it too.
        if any(self.can_see(caller, t.queue) for t in self.store.linked_tickets(key)):
            return escalation
        raise not_found("escalation")

    def get_escalation(self, caller: AgentRecord, key: str) -> Escalation:
        return self._visible_escalation(caller, key)

    def list_escalations(self, caller: AgentRecord, statuses: Sequence[EscalationStatus]) -> list[Escalation]:
        self.ensure_lead(caller)
        return self.store.list_escalations(statuses)

    def patch_escalation(self, caller: AgentRecord, key: str, body: EscalationPatch) -> Escalation:
        escalation = self._visible_escalation(caller, key)
        if body.status == escalation.status:
            return escalation
        if body.status not in ESCALATION_MOVES[escalation.status]:
            raise invalid(
                ["body", "status"],
                f"An escalation cannot move from {escalation.status.value} to {body.status.value}.",
            )
        now = self.now()
        with self.store.write() as tx:
            status_before = escalation.status
            escalation = tx.set_escalation_status(key, body.status, now)
            self.emit_escalation(tx, escalation)
            # Every linked ticket shows the escalation's state; on `fixed` each customer is owed a reply.
            for ticket_id in tx.linked_ticket_ids(key) or [escalation.ticket_id]:
                state = tx.ticket_state(ticket_id)
                if state is None:
                    continue
                tx.record_history(state.id, agent_author(caller), HistoryKind.ESCALATION_STATUS,
                                  status_before.value, escalation.status.value, now, ref=key)
                if body.status == EscalationStatus.FIXED:
                    state.needs_reply = True
                state.version += 1
                state.updated_at = now
                tx.save_ticket(state)
                self._emit_ticket(tx, EventType.TICKET_UPDATED, tx.ticket(state.id))
        return escalation

    # --- presence ------------------------------------------------------------------
    def set_presence(self, caller: AgentRecord, ticket_id: int, state: PresenceState) -> None:
        self.ensure_reader(caller)
        queue = self.store.ticket_queue(ticket_id)
        if queue is None or not self.can_see(caller, queue):
            raise not_found()
        if self.presence.set(ticket_id, caller.ref(), state, self.now()):
            self._emit_presence([ticket_id])

    def sweep_presence(self) -> None:
        changed = self.presence.sweep(self.now())
        if changed:
            self._emit_presence(changed)

    def _emit_presence(self, ticket_ids: Sequence[int]) -> None:
        now = self.now()
        with self.store.write() as tx:
            for ticket_id in ticket_ids:
                queue = self.store.ticket_queue(ticket_id)
                if queue is None:
                    continue
                presence = [p.model_dump(mode="json") for p in self.presence.get(ticket_id, now)]
                data = {"ticket_id": ticket_id, "queue": queue, "presence": presence}
                tx.event(EventType.PRESENCE_CHANGED.value, queue, data, now)


def _serves(agent: AgentRecord, queue: str) -> bool:
    return agent.role == Role.LEAD or queue in agent.queues
