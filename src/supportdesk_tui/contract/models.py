"""Typed models of the ticket API contract (`/api/v1`).

These classes are the contract: the reference backend serves them (its OpenAPI
document is generated from them) and the client validates every response
against them, so a malformed reply becomes a `MalformedResponse` error instead
of a half-filled object deep inside the UI.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Ids and other integers a request may carry stop here: a bigger number must be refused as
# invalid, not reach the database driver. 2**53 - 1 is the largest integer a JSON number holds
# exactly, so every client (and a fuzzer comparing bounds as floats) reads the bound the same way.
MAX_ID = 2**53 - 1


class Model(BaseModel):
    """Base for every contract model: unknown fields are ignored (forward compatible)."""

    # defer_build: a model's validator is built when first used, not at import; start-up only
    # needs a handful of the sixty, and building them all cost ≈ 40 ms before the first frame.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class RequestBody(Model):
    """A model the server takes as a request body: built at import, not when first used.

    FastAPI builds a body's validator from the model tagged with the parameter's name as alias,
    silencing pydantic's warning that such an alias has no effect there. A deferred model moves
    that build to the first request (or the OpenAPI document), outside the silence, and the
    warning reaches the server's terminal. The eight bodies cost the client ≈ 8 ms at import.
    """

    model_config = ConfigDict(defer_build=False)


class Role(StrEnum):
    AGENT = "agent"
    LEAD = "lead"
    INTAKE = "intake"


class Language(StrEnum):
    RU = "ru"
    EN = "en"


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting on the customer; SLA clock paused
    ON_HOLD = "on_hold"  # waiting on engineering / a third party
    SOLVED = "solved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_RANK: dict[Priority, int] = {
    Priority.URGENT: 0,
    Priority.HIGH: 1,
    Priority.NORMAL: 2,
    Priority.LOW: 3,
}


class MessageKind(StrEnum):
    CUSTOMER = "customer"
    REPLY = "reply"  # public, the customer sees it
    NOTE = "note"  # internal, agents only


class PresenceState(StrEnum):
    VIEWING = "viewing"
    COMPOSING = "composing"
    LEFT = "left"


class EscalationStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    FIXED = "fixed"
    WONT_FIX = "wont_fix"


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    TRIVIAL = "trivial"


# Limits of free text in requests. Responses carry no limits: they return what was stored,
# including anything stored before a limit existed.
TAG_MAX_LENGTH = 64
ENVIRONMENT_MAX_LENGTH = 200
NAME_MAX_LENGTH = 64
# No request text may hold NUL (U+0000): PostgreSQL can't store it, so both engines refuse it, and
# the document says so with this pattern (a client and a fuzzer know before they send).
NO_NUL = r"^[^\x00]*$"
TextIn = Annotated[str, StringConstraints(pattern=NO_NUL)]
TagIn = Annotated[str, StringConstraints(max_length=TAG_MAX_LENGTH, pattern=NO_NUL)]
NameIn = Annotated[str, StringConstraints(max_length=NAME_MAX_LENGTH, pattern=NO_NUL)]


class TicketSort(StrEnum):
    """Sort orders the list endpoint supports (keyset-paginated, ties broken by id)."""

    SLA_DUE = "sla_due"  # next SLA deadline first (default)
    CREATED = "created_at"
    CREATED_DESC = "-created_at"
    UPDATED_DESC = "-updated_at"
    PRIORITY = "priority"  # urgent first, then oldest
    WAITING = "waiting"  # longest waiting first


# --- attachments -------------------------------------------------------------

# Files travel apart from the JSON: `POST /uploads` takes the raw bytes and answers an `Attachment`
# that no one else can see yet; a message (or a new ticket) then claims it by id in the same
# request that posts it. A retried post with the same Idempotency-Key claims nothing twice.
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENTS_PER_MESSAGE = 5
ATTACHMENT_NAME_MAX_LENGTH = 120
AttachmentIds = Annotated[
    list[Annotated[int, Field(ge=1, le=MAX_ID)]],
    Field(max_length=ATTACHMENTS_PER_MESSAGE, description="Ids of the caller's own unclaimed uploads."),
]


class Attachment(Model):
    id: int
    name: str = Field(description="The sender's file name, sanitised: no path parts, no control characters.")
    content_type: str = Field(description="Sniffed from the bytes, never taken from the name or the upload.")
    size: int = Field(description="Bytes.")


# --- agents and queues -------------------------------------------------------


class AgentRef(Model):
    id: int
    login: str
    name: str


class Me(Model):
    id: int
    login: str
    name: str
    role: Role
    languages: list[Language]
    queues: list[str] = Field(description="Queue ids the caller belongs to (a lead sees all).")


class AssignableAgent(Model):
    """Someone the caller may assign tickets to (`GET /agents`), with the queues they work: a
    ticket can be assigned to them only in one of those."""

    id: int
    login: str
    name: str
    role: Role
    queues: list[str] = Field(description="Queue ids the agent works (a lead works all).")


class QueueCounts(Model):
    open: int = Field(description="Tickets not solved/closed.")
    unassigned: int
    oldest_waiting_seconds: int | None = Field(description="Age of the longest-waiting open ticket.")
    sla_at_risk: int = Field(description="Open tickets whose next deadline is within the risk window.")
    sla_breached: int


class Queue(Model):
    id: str
    name: str
    languages: list[Language]
    counts: QueueCounts


# --- tickets -----------------------------------------------------------------


class Requester(Model):
    account_id: str
    name: str
    email: str | None = None
    phone: str | None = None
    language: Language
    account_state: Literal["active", "locked", "deletion_scheduled", "deleted"] = "active"


class Environment(Model):
    platform: str | None = None
    app_version: str | None = None
    device: str | None = None


class EnvironmentIn(Environment):
    """`Environment` as a request sends it, each field at most 200 characters."""

    platform: TextIn | None = Field(default=None, max_length=ENVIRONMENT_MAX_LENGTH)
    app_version: TextIn | None = Field(default=None, max_length=ENVIRONMENT_MAX_LENGTH)
    device: TextIn | None = Field(default=None, max_length=ENVIRONMENT_MAX_LENGTH)


class Sla(Model):
    """Deadlines; a `None` due time means that clock is not running."""

    first_response_due: datetime | None = None
    first_responded_at: datetime | None = None
    next_response_due: datetime | None = None
    resolution_due: datetime | None = None
    paused: bool = False


class Presence(Model):
    agent: AgentRef
    state: PresenceState
    expires_at: datetime


class EscalationRef(Model):
    key: str
    status: EscalationStatus
    url: str


class Ticket(Model):
    id: int
    version: int = Field(description="Bumped on every change; the ETag is `\"<version>\"`.")
    subject: str
    status: Status
    priority: Priority
    queue: str
    language: Language
    category: str
    tags: list[str]
    requester: Requester
    assignee: AgentRef | None = None
    created_at: datetime
    updated_at: datetime
    waiting_since: datetime | None = Field(
        default=None, description="Since when the customer has been waiting for an agent."
    )
    last_message_id: int | None = None
    message_count: int = 0
    sla: Sla
    environment: Environment | None = None
    escalation: EscalationRef | None = None
    needs_reply: bool = Field(default=False, description="Set when a linked escalation reached `fixed`.")
    presence: list[Presence] = Field(default_factory=list)


class RequesterIn(Model):
    account_id: TextIn = Field(min_length=1, max_length=64)
    name: TextIn = Field(min_length=1, max_length=200)
    email: TextIn | None = Field(default=None, max_length=320)
    phone: TextIn | None = Field(default=None, max_length=40)
    language: Language


class TicketCreate(RequestBody):
    subject: TextIn = Field(min_length=1, max_length=300)
    category: TextIn = Field(min_length=1, max_length=64)
    language: Language
    priority: Priority = Priority.NORMAL
    tags: list[TagIn] = Field(default_factory=list, max_length=20, description="Each at most 64 characters.")
    requester: RequesterIn
    body: TextIn = Field(min_length=1, max_length=20_000, description="The first customer message.")
    attachment_ids: AttachmentIds = Field(default_factory=list)
    environment: EnvironmentIn | None = None


class TicketPatch(RequestBody):
    """Fields an agent may change; absent fields are left alone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Status | None = None
    priority: Priority | None = None
    assignee_id: int | None = Field(default=None, ge=0, le=MAX_ID, description="An agent id; `0` unassigns.")
    tags: list[TagIn] | None = Field(default=None, max_length=20, description="Each at most 64 characters.")
    queue: NameIn | None = None


# --- messages ----------------------------------------------------------------


class Author(Model):
    type: Literal["customer", "agent", "system"]
    id: str
    name: str


class Message(Model):
    id: int
    ticket_id: int
    kind: MessageKind
    author: Author
    body: str
    created_at: datetime
    attachments: list[Attachment] = Field(default_factory=list)


class MessageCreate(RequestBody):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: MessageKind
    body: TextIn = Field(min_length=1, max_length=20_000)
    attachment_ids: AttachmentIds = Field(default_factory=list)
    status: Status | None = Field(default=None, description="Set this status in the same transaction.")
    seen_up_to: int | None = Field(
        default=None,
        ge=0,
        le=MAX_ID,
        description=(
            "Id of the newest message the author had seen. If a customer message or another agent's "
            "reply is newer, the send is refused with 409 `new_activity` listing them."
        ),
    )


class MessagePosted(Model):
    message: Message
    ticket: Ticket


# --- receipts: what a caller that may not read the ticket learns from its own write ------------


class TicketReceipt(Model):
    """`POST /tickets` for a caller that may not read the new ticket (intake always; an agent whose
    ticket was routed outside their queues): the ids of what it sent, nothing the ticket holds."""

    ticket_id: int
    message_id: int = Field(description="Id of the first customer message (the ticket's body).")


class MessageReceipt(Model):
    """`POST /tickets/{id}/messages` for the intake channel: the ids of what it sent and whether
    that message reopened the ticket; nothing about the requester, assignee or thread."""

    ticket_id: int
    message_id: int
    reopened: bool = Field(description="The message moved the ticket from pending or solved back to open.")


# --- canned replies ------------------------------------------------------------


class CannedVariable(Model):
    name: str
    prompt: dict[Language, str]
    required: bool = True
    default: str | None = None


class CannedActions(Model):
    status: Status | None = None
    priority: Priority | None = None
    add_tags: list[str] = Field(default_factory=list)


class CannedReply(Model):
    id: str
    title: dict[Language, str]
    shortcut: str
    tags: list[str]
    bodies: dict[Language, str] = Field(description="Per-language template bodies, see docs/templates.md.")
    variables: list[CannedVariable] = Field(default_factory=list)
    actions: CannedActions | None = None


# --- escalations -------------------------------------------------------------


class Component(Model):
    id: str
    name: str


class EscalationCreate(RequestBody):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # An id from `GET /components`: engineering's list is data the server keeps, not part of the
    # contract, so the document bounds the string and the server answers 422 for an unknown one.
    component: NameIn = Field(min_length=1)
    severity: Severity
    summary: TextIn = Field(min_length=5, max_length=300)
    steps: TextIn = Field(min_length=1, max_length=10_000)
    expected: TextIn = Field(min_length=1, max_length=5_000)
    actual: TextIn = Field(min_length=1, max_length=5_000)
    environment: EnvironmentIn = Field(default_factory=EnvironmentIn)
    message_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(default_factory=list, max_length=50)
    set_status: Status | None = Field(default=Status.ON_HOLD)


class Escalation(Model):
    key: str
    ticket_id: int
    status: EscalationStatus
    url: str
    severity: Severity
    component: str
    summary: str
    steps: str
    expected: str
    actual: str
    environment: Environment
    message_ids: list[int]
    created_at: datetime
    updated_at: datetime
    linked_tickets: int = Field(default=0, description="Tickets linked to it, the escalated one included.")
    affected_customers: int = Field(
        default=0, description="Distinct customers among the linked tickets (one may write twice)."
    )


class EscalationPatch(RequestBody):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: EscalationStatus


MAX_VIEWS_COUNTED = 30


class TicketFilter(RequestBody):
    """The filters of `GET /tickets` as one object (a saved view), without sort or paging."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    queue: NameIn | None = Field(default=None, max_length=64)
    status: list[Status] = Field(default_factory=list, max_length=len(Status))
    priority: list[Priority] = Field(default_factory=list, max_length=len(Priority))
    language: Language | None = None
    assignee: NameIn | None = Field(default=None, max_length=64,
                                    description="`me`, `none`, or an agent login.")
    tag: NameIn | None = Field(default=None, max_length=64)
    q: TextIn | None = Field(default=None, max_length=200, description="Free text, as `q` of `GET /tickets`.")


class TicketCountsRequest(RequestBody):
    model_config = ConfigDict(extra="forbid", frozen=True)

    filters: list[TicketFilter] = Field(min_length=1, max_length=MAX_VIEWS_COUNTED)


class TicketCounts(Model):
    counts: list[int] = Field(description="How many visible tickets match each filter, in request order.")


MAX_LINKED_AT_ONCE = 200


class EscalationLinkRequest(RequestBody):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ticket_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=MAX_LINKED_AT_ONCE
    )


class LinkSkipReason(StrEnum):
    NOT_FOUND = "not_found"  # no such ticket, or one the caller may not see
    ALREADY_LINKED = "already_linked"  # linked to this escalation already
    OTHER_ESCALATION = "other_escalation"  # linked to another one: unlink there first


class LinkSkip(Model):
    ticket_id: int
    reason: LinkSkipReason
    other_key: str | None = Field(default=None, description="For `other_escalation`: which one.")


class EscalationLinkResult(Model):
    escalation: Escalation
    linked: list[int]
    skipped: list[LinkSkip]


class SuggestedTicket(Model):
    ticket: Ticket
    reasons: list[Literal["component", "words"]]
    shared_words: list[str] = Field(default_factory=list)


class PresenceUpdate(RequestBody):
    model_config = ConfigDict(extra="forbid", frozen=True)

    state: PresenceState


# --- stats (lead only) -------------------------------------------------------


class CountByKey(Model):
    key: str
    open: int
    unassigned: int
    oldest_waiting_seconds: int | None
    sla_at_risk: int
    sla_breached: int


class AgentActivity(Model):
    agent: AgentRef
    state: Literal["online", "busy", "away", "offline"]
    working_on: list[int] = Field(description="Ticket ids the agent is viewing/composing on now.")
    open_assigned: int
    last_reply_at: datetime | None


class WorstTicket(Model):
    id: int
    subject: str
    queue: str
    priority: Priority
    due: datetime | None
    breached: bool


class LiveStats(Model):
    at: datetime
    by_queue: list[CountByKey]
    by_language: list[CountByKey]
    by_priority: list[CountByKey]
    total: CountByKey
    worst: list[WorstTicket]
    agents: list[AgentActivity]
    open_escalations: list[Escalation]


class HistoryPoint(Model):
    at: datetime
    queue: str
    open: int
    created: int
    solved: int


class StatsHistory(Model):
    window_seconds: int
    interval_seconds: int
    points: list[HistoryPoint]


# --- envelopes ---------------------------------------------------------------

T = TypeVar("T")


class PageMeta(Model):
    has_more: bool
    page_size: int


class PageLinks(Model):
    next: str | None = None
    prev: str | None = Field(
        default=None,
        description="Message lists only, on a page read from a cursor: the messages on the other side of "
        "this page's first item, read outward from it (the same list with `order` flipped). How a client "
        "that let part of a long conversation go reads it again from where it still holds messages.",
    )


class Page(Model, Generic[T]):
    data: list[T]
    meta: PageMeta
    links: PageLinks


class ErrorBody(Model):
    code: str
    message: str
    details: dict[str, Any] | list[Any] | None = None


class ErrorEnvelope(Model):
    error: ErrorBody


class Health(Model):
    status: Literal["ok"]
    version: str


class EventType(StrEnum):
    TICKET_CREATED = "ticket.created"
    TICKET_UPDATED = "ticket.updated"
    MESSAGE_CREATED = "message.created"
    PRESENCE_CHANGED = "presence.changed"
    QUEUE_COUNTS = "queue.counts"
    ESCALATION_UPDATED = "escalation.updated"
    RESET = "reset"


class Event(Model):
    """One Server-Sent Event, parsed. `data` keeps the raw JSON object of the event."""

    id: int
    type: EventType
    data: dict[str, Any]


class MessageCreatedData(Model):
    ticket_id: int
    queue: str
    message: Message


class PresenceChangedData(Model):
    ticket_id: int
    queue: str
    presence: list[Presence]


class QueueCountsData(Model):
    queues: list[Queue]


# --- account playbooks, audit, help articles --------------------------------------------


class AccountAction(StrEnum):
    SIGN_OUT_ALL = "sign_out_all"
    SEND_RESET_LINK = "send_reset_link"
    UNLINK_PHONE = "unlink_phone"
    SCHEDULE_DELETION = "schedule_deletion"
    CANCEL_DELETION = "cancel_deletion"


class PlaybookStep(Model):
    id: str
    kind: Literal["check", "evidence", "action", "reply"]
    title: dict[Language, str]
    hint: dict[Language, str] = Field(default_factory=dict)
    evidence_fields: list[str] = Field(default_factory=list, description="Names of facts to record.")
    action: AccountAction | None = None
    canned_reply: str | None = Field(default=None, description="Canned reply id to use at this step.")
    verification: bool = Field(default=False, description="Must be done before account actions.")


class Playbook(Model):
    id: str
    categories: list[str] = Field(description="Ticket categories this playbook opens for.")
    title: dict[Language, str]
    cooling_off_days: int | None = None
    steps: list[PlaybookStep]


class AuditEntry(Model):
    id: int
    ticket_id: int
    agent: AgentRef
    kind: Literal["step", "reveal", "action"]
    step_id: str | None = None
    action: AccountAction | None = Field(
        default=None, description="For `action`: which account action was done."
    )
    summary: str = Field(description="What was checked or done — never the secret or evidence value.")
    created_at: datetime


class HistoryKind(StrEnum):
    """What changed on a ticket. A client shows kinds it does not know as a plain "changed" line."""

    STATUS = "status"
    PRIORITY = "priority"
    TAGS = "tags"  # old/new: the tags, comma-separated
    ASSIGNEE = "assignee"  # old/new: the agents' names (None: unassigned)
    QUEUE = "queue"  # old/new: queue ids
    ESCALATED = "escalated"  # new: the escalation's key
    ESCALATION_STATUS = "escalation_status"  # ref: the key; old/new: its statuses
    ESCALATION_LINKED = "escalation_linked"  # ref: the key the ticket was linked to
    ESCALATION_UNLINKED = "escalation_unlinked"
    MERGED_INTO = "merged_into"  # ref: the surviving ticket's id
    MERGED_FROM = "merged_from"  # ref: the id of a ticket merged into this one
    ACCOUNT_ACTION = "account_action"  # new: the `AccountAction` done


class HistoryEntry(Model):
    """One change to a ticket: who, when, what it was and what it became."""

    id: int
    ticket_id: int
    kind: HistoryKind
    actor: Author = Field(description="Who made the change (an agent, the customer, or the system).")
    old: str | None = None
    new: str | None = None
    ref: str | None = Field(default=None, description="What the change points to: an escalation "
                                                      "key, another ticket's id.")
    at: datetime


class AuditCreate(RequestBody):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["step", "reveal"]
    step_id: NameIn | None = None
    evidence_fields: list[NameIn] = Field(default_factory=list, max_length=20,
                                       description="Which facts were checked (names only, no values).")
    message_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="For `reveal`: the message shown unmasked."
    )


class AccountActionRequest(RequestBody):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: AccountAction


class AccountActionResult(Model):
    action: AccountAction
    done_at: datetime
    account_state: Literal["active", "locked", "deletion_scheduled", "deleted"]
    deletion_scheduled_for: datetime | None = None
    ticket: Ticket


class Article(Model):
    id: str
    language: Language
    title: str
    summary: str
    url: str
    tags: list[str] = Field(default_factory=list)


# --- bulk selection and merge --------------------------------------------------------------

# One "select all that match" answers at most this many ids: a bulk action over more is a
# backlog migration, not triage (and the agent sees the count before anything happens).
MAX_SELECTION = 1000
MAX_MERGE = 20


class TicketStamp(Model):
    """A ticket as a selection holds it: its id and the version an `If-Match` will name."""

    id: int
    version: int


class TicketStamps(Model):
    """`GET /ticket-ids`: every ticket matching the filters (ids and versions only, oldest first)."""

    data: list[TicketStamp]
    total: int = Field(description="How many tickets match; more than `data` holds when truncated.")
    truncated: bool = Field(description=f"More than {MAX_SELECTION} match: only the oldest are listed.")


class MergeItem(RequestBody):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int = Field(ge=1, le=MAX_ID)
    version: int = Field(ge=0, le=MAX_ID, description="The version the caller saw (as in `If-Match`).")


class TicketMerge(RequestBody):
    """Merge duplicates of one customer into one ticket. The survivor is the oldest ticket unless
    `survivor_id` names one of `tickets`; every other one is closed with a note pointing to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tickets: list[MergeItem] = Field(min_length=2, max_length=MAX_MERGE)
    survivor_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class TicketsMerged(Model):
    survivor: Ticket = Field(description="The ticket that now holds every message, in time order.")
    closed: list[Ticket] = Field(description="The duplicates, closed, each with a note naming the survivor.")
    moved_message_ids: list[int]
