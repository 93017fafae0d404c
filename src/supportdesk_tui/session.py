"""One signed-in session: the API client, who I am, my queues, and the live event pump."""

from __future__ import annotations

import asyncio
import hashlib

from supportdesk_tui import messages
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.api.errors import ApiError
from supportdesk_tui.api.events import EventStream, StreamStatus
from supportdesk_tui.contract.models import (
    CannedReply,
    Escalation,
    Event,
    EventType,
    Me,
    MessageCreatedData,
    PresenceChangedData,
    Queue,
    QueueCountsData,
    Ticket,
)
from supportdesk_tui.domain.background_writer import BackgroundWriter
from supportdesk_tui.domain.canned_library import (
    LibraryEntry,
    load_personal_library,
    merge_library,
    personal_library_dir,
)
from supportdesk_tui.domain.canned_usage import UsageStore
from supportdesk_tui.domain.drafts import DraftStore
from supportdesk_tui.domain.outbox import Outbox
from supportdesk_tui.sending import Sender
from supportdesk_tui.settings import AppSettings


def _store_name(server_url: str, login: str) -> str:
    digest = hashlib.sha256(f"{server_url.rstrip('/')}\0{login}".encode()).hexdigest()[:16]
    return f"{login}-{digest}"


class Session:
    def __init__(self, api: SupportDeskClient, me: Me, queues: list[Queue], settings: AppSettings) -> None:
        self.api = api
        self.me = me
        self.queues = queues
        self.settings = settings
        # Drafts and the outbox are per server and agent: two accounts never mix their replies.
        store_dir = settings.data_dir / _store_name(settings.server_url, me.login)
        # One writer thread for both, the outbox's writes first: a send's key waits for no disk,
        # and its draft is never emptied on disk before the outbox holds the text.
        writer = BackgroundWriter()
        self.drafts = DraftStore(store_dir / "drafts", writer)
        self.sender = Sender(api, Outbox(store_dir / "outbox.json", writer=writer), self.drafts,
                             settings.clock,
                             answer_within=settings.not_answering_after)
        self.canned_usage = UsageStore(store_dir / "canned-usage.json", settings.clock)
        self._team_canned: list[CannedReply] | None = None
        self.stream_state = "connecting"
        # The instance the stream is on or moving to; shown only when there are several.
        self.stream_instance = api.instances.current if api.instances.several else ""
        self.stream: EventStream | None = None

    @classmethod
    async def open(cls, settings: AppSettings) -> Session:
        api = SupportDeskClient(settings.instances, settings.token, timeout=settings.timeout,
                                verify=settings.verify_tls, prefetched=settings.sign_in_prefetch)
        try:
            # Both at once: sign-in waits for one round trip, not two. Intake tokens have no
            # queues to list; their refusal is ignored below.
            me, queues_or_error = await asyncio.gather(api.me(), api.queues(), return_exceptions=True)
            if isinstance(me, BaseException):
                raise me
            if me.role == "intake":
                queues: list[Queue] = []
            elif isinstance(queues_or_error, BaseException):
                raise queues_or_error
            else:
                queues = queues_or_error
        except BaseException:
            await api.aclose()
            raise
        return cls(api, me, queues, settings)

    async def close(self) -> None:
        # The last text typed and the last reply sent are on disk before we go.
        await asyncio.to_thread(self.drafts.flush)
        await self.api.aclose()

    def queue_name(self, queue_id: str) -> str:
        for queue in self.queues:
            if queue.id == queue_id:
                return queue.name
        return queue_id

    async def canned_library(self) -> tuple[list[LibraryEntry], list[str]]:
        """The team's canned replies (fetched once per session) and the agent's own files
        (re-read each time, so an edited file counts without a restart), with any problems."""
        problems: list[str] = []
        team = self._team_canned
        if team is None:
            try:
                team = self._team_canned = await self.api.canned_replies()
            except ApiError as exc:
                problems.append(f"{exc.title}: {exc.message}")
                team = []
        personal = await asyncio.to_thread(load_personal_library, personal_library_dir())
        problems += [str(problem) for problem in personal.problems]
        return merge_library(team, personal.entries), problems

    async def live_updates(self, publish: messages.Publish) -> None:
        """Pump server events into `publish` (to the views subscribed to them) until cancelled."""
        shortest, longest = self.settings.reconnect_backoff
        self.stream = EventStream(self.api, read_timeout=self.settings.not_answering_after,
                                  min_backoff=shortest, max_backoff=longest)
        interrupted = False
        async for item in self.stream.items():
            if isinstance(item, StreamStatus):
                if item.state == "live":
                    self.api.live_from_now()
                if item.state in ("polling", "reconnecting"):
                    interrupted = True
                elif item.state == "live" and interrupted:
                    # The server answers again: what waited for it goes now, not after its backoff.
                    interrupted = False
                    self.sender.hurry()
                self.stream_state = item.state
                if self.api.instances.several and item.instance:
                    self.stream_instance = item.instance
                publish(messages.ConnectionChanged, state=item.state, detail=item.detail,
                        instance=self.stream_instance)
                continue
            self._dispatch(publish, item)

    def server_answered(self) -> None:
        """A request just succeeded: if the event stream is waiting to retry, retry now."""
        if self.stream is not None and self.stream_state in ("polling", "reconnecting"):
            self.stream.wake()

    def _dispatch(self, publish: messages.Publish, event: Event) -> None:
        try:
            if event.type in (EventType.TICKET_CREATED, EventType.TICKET_UPDATED):
                publish(messages.TicketChanged, ticket=Ticket.model_validate(event.data),
                        created=event.type == EventType.TICKET_CREATED)
            elif event.type == EventType.MESSAGE_CREATED:
                data = MessageCreatedData.model_validate(event.data)
                publish(messages.MessageArrived, ticket_id=data.ticket_id, message=data.message)
            elif event.type == EventType.PRESENCE_CHANGED:
                presence = PresenceChangedData.model_validate(event.data)
                publish(messages.PresenceChanged, ticket_id=presence.ticket_id,
                        presence=presence.presence)
            elif event.type == EventType.QUEUE_COUNTS:
                counts = QueueCountsData.model_validate(event.data)
                self.queues = counts.queues
                publish(messages.QueuesChanged, queues=counts.queues)
            elif event.type == EventType.ESCALATION_UPDATED:
                publish(messages.EscalationChanged, escalation=Escalation.model_validate(event.data))
            elif event.type == EventType.RESET:
                publish(messages.StreamReset)
        except ValueError:
            # A malformed event costs freshness only; a reset makes views reload from the API.
            publish(messages.StreamReset)
