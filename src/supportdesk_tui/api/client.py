"""The async client of the ticket API: one `httpx.AsyncClient` for the session, typed results.

Only this module builds URLs and parses JSON; the UI calls typed methods and
catches `ApiError` subclasses.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from supportdesk_tui.api import errors
from supportdesk_tui.api.answers import (
    PageResult,
    error_from_response,
    loggable_code,
    parse_list,
    parse_model,
    parse_page,
)
from supportdesk_tui.api.failover import DEFAULT_COOLDOWN, Instances
from supportdesk_tui.api.prefetch import PrefetchedAnswer, SignInPrefetch
from supportdesk_tui.contract.models import (
    ATTACHMENT_MAX_BYTES,
    AccountAction,
    AccountActionRequest,
    AccountActionResult,
    Article,
    AssignableAgent,
    Attachment,
    AuditCreate,
    AuditEntry,
    CannedReply,
    Component,
    Escalation,
    EscalationCreate,
    EscalationLinkRequest,
    EscalationLinkResult,
    EscalationPatch,
    Health,
    HistoryEntry,
    LiveStats,
    Me,
    Message,
    MessageCreate,
    MessageKind,
    MessagePosted,
    MessageReceipt,
    Playbook,
    PresenceState,
    PresenceUpdate,
    Queue,
    StatsHistory,
    SuggestedTicket,
    Ticket,
    TicketCounts,
    TicketCountsRequest,
    TicketCreate,
    TicketFilter,
    TicketMerge,
    TicketPatch,
    TicketReceipt,
    TicketsMerged,
    TicketStamps,
)
from supportdesk_tui.i18n import _

API_PREFIX = "/api/v1"
REQUEST_ID_HEADER = "X-Request-Id"
log = logging.getLogger("supportdesk.api")
_ORDER_PARAMS = frozenset({"sort", "reverse", "page[size]", "page[after]"})
# How an answer travelled, not what it says: a prefetched body is already whole and decoded.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "content-encoding", "connection"})


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def _is_receipt(response: httpx.Response) -> bool:
    """A receipt names the ticket `ticket_id`; a ticket has no field of that name."""
    try:
        payload = json.loads(response.content)
    except ValueError:
        return False  # parsed as a ticket, it becomes a MalformedResponse
    return isinstance(payload, dict) and "ticket_id" in payload


class SupportDeskClient:
    """Typed access to one backend. Create once per session; `aclose()` at exit.

    The backend may be several instances of one deployment (`base_url` a list): requests go to
    the instance in use and move to another when it stops answering (see `api/failover.py`).
    """

    def __init__(
        self,
        base_url: str | Sequence[str],
        token: str | None,
        *,
        timeout: float = 10.0,
        verify: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        retries: int = 2,
        retry_base_delay: float = 0.25,
        failover_cooldown: float = DEFAULT_COOLDOWN,
        prefetched: SignInPrefetch | None = None,
    ) -> None:
        """`prefetched`: GETs sent at launch (api/prefetch.py); their answers stand in for those
        requests only if they were sent to these URLs with this token."""
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self.instances = Instances(urls, cooldown=failover_cooldown)
        self._prefetched = prefetched.answers_for(urls, token) if prefetched is not None else None
        self._timeout = timeout
        self._retries = retries
        self._retry_base_delay = retry_base_delay
        headers = {"Accept": "application/json", "User-Agent": "supportdesk-tui/0.1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        # One pool for every instance: requests carry absolute URLs, so moving to another
        # instance needs no new client and keeps the session's single AsyncClient.
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            # httpx builds a certificate store up front (≈ 40 ms before the first frame); a plain
            # http:// backend never uses it: every request goes to one of these base URLs and
            # redirects are not followed, so TLS settings only matter for https://.
            verify=verify if any(url.startswith("https://") for url in self.instances.urls) else False,
            transport=transport,
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
        )

    def live_from_now(self) -> None:
        """The event stream is live: answers sent at launch are used no more (they predate it)."""
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is not None:
            prefetched.settle()

    @property
    def base_url(self) -> str:
        """The instance in use now."""
        return self.instances.current

    @property
    def http(self) -> httpx.AsyncClient:
        """The underlying client, for the event stream (same pool, same auth)."""
        return self._http

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> SupportDeskClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- transport ---------------------------------------------------------

    async def _send_once(
        self, instance: str, method: str, path: str, *, params: Mapping[str, str] | None = None,
        json_body: Any = None, headers: Mapping[str, str] | None = None, within: float | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        timeout = httpx.USE_CLIENT_DEFAULT if within is None else httpx.Timeout(within)
        # The server logs the same id: a line in our log finds its line in the server's.
        request_id = uuid.uuid4().hex
        started = time.perf_counter()
        if self._prefetched is not None and method == "GET" and json_body is None and content is None:
            answer = await self._prefetched.take(instance, path, params, wait=within or self._timeout)
            if answer is not None:
                request_id = f"{answer.request_id} (sent at launch)"
                response = self._prefetched_response(answer, method, instance + API_PREFIX + path, params)
                return self._checked(response, method, path, started, request_id)
        try:
            response = await self._http.request(
                method, instance + API_PREFIX + path, params=params, json=json_body,
                headers={**(headers or {}), REQUEST_ID_HEADER: request_id}, timeout=timeout, content=content,
            )
        except httpx.TransportError as exc:
            # The path only: the query (a search) and the body are the agent's and customers' words.
            log.warning("%s %s%s failed: %s, request id %s", method, API_PREFIX, path, type(exc).__name__,
                        request_id)
            raise self._transport_error(exc, instance) from None
        return self._checked(response, method, path, started, request_id)

    def _prefetched_response(self, answer: PrefetchedAnswer, method: str, url: str,
                             params: Mapping[str, str] | None) -> httpx.Response:
        """The launch's answer as if this client had received it (the body as it came, decoded)."""
        headers = [(name, value) for name, value in answer.headers if name.lower() not in _FRAMING_HEADERS]
        return httpx.Response(answer.status, headers=headers, content=answer.body,
                              request=self._http.build_request(method, url, params=params))

    @staticmethod
    def _checked(response: httpx.Response, method: str, path: str, started: float,
                 request_id: str) -> httpx.Response:
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code >= 400:
            error = error_from_response(response)
            log.warning("%s %s%s answered %s %s (%s) in %.0f ms, request id %s", method, API_PREFIX, path,
                        response.status_code, type(error).__name__, loggable_code(error.code), elapsed_ms,
                        request_id)
            raise error
        log.debug("%s %s%s answered %s in %.0f ms, request id %s", method, API_PREFIX, path,
                  response.status_code, elapsed_ms, request_id)
        return response

    @staticmethod
    def _transport_error(exc: httpx.TransportError, instance: str) -> errors.ApiError:
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            # Never reached the server: any request may go to another instance.
            return errors.NetworkError(
                _("Cannot reach {instance}. Check the server address and that it is running.").format(
                    instance=instance),
                sent=False, instance=instance,
            )
        if isinstance(exc, httpx.PoolTimeout):
            # Our own connection pool was full: no instance is to blame, none is left.
            return errors.RequestTimeout(
                _("Too many requests waiting for a connection. Try again in a moment."), sent=False,
            )
        if isinstance(exc, httpx.TimeoutException):
            return errors.RequestTimeout(
                _("No answer from {instance} in time. It may be overloaded; retrying later is safe.").format(
                    instance=instance),
                instance=instance,
            )
        return errors.NetworkError(
            _("Lost the connection to {instance}. Check that the server is running.").format(
                instance=instance),
            instance=instance,
        )

    async def _request(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None,
        json_body: Any = None, headers: Mapping[str, str] | None = None, safe_to_retry: bool,
        resend_elsewhere: bool | None = None, within: float | None = None, content: bytes | None = None,
    ) -> httpx.Response:
        """Send, moving to another instance when the one in use fails at the transport level.

        `safe_to_retry`: the same request may be sent again after a lost answer (reads, keyed
        POSTs), here after a backoff. `resend_elsewhere` (default: `safe_to_retry`): it may go
        to another instance at once even if the first may have applied it (a PATCH with
        If-Match answers 412 instead of applying twice). A request that never left (connection
        refused) always may. `within`: seconds each attempt may wait for its answer (instead of
        the client's timeout); one that runs out is not retried here, the caller retries later.
        """
        may_resend = safe_to_retry if resend_elsewhere is None else resend_elsewhere
        attempt = 0
        tried: set[str] = set()
        resent_after_loss = False
        while True:
            instance = self.instances.current
            try:
                response = await self._send_once(instance, method, path, params=params,
                                                 json_body=json_body, headers=headers, within=within,
                                                 content=content)
            except errors.NetworkError as exc:
                if exc.instance is not None:  # the instance failed, not our own pool
                    self.instances.failed(instance)
                    tried.add(instance)
                    if (may_resend or not exc.sent) and self.instances.alternative(tried) is not None:
                        resent_after_loss = resent_after_loss or exc.sent
                        continue
                error: errors.ApiError = exc
            except errors.ApiError as exc:
                error = exc
            else:
                self.instances.succeeded(instance)
                return response
            error.resent = resent_after_loss
            if not (safe_to_retry and error.retryable) or attempt >= self._retries:
                raise error
            if within is not None and isinstance(error, errors.RequestTimeout):
                raise error  # a server that hung once would only make the caller wait again
            delay = errors.retry_after_of(error)
            if delay is None:
                delay = random.uniform(0, self._retry_base_delay * (2**attempt))
            if delay > 5.0:  # a long wait belongs to the caller (outbox), not to a hidden loop
                raise error
            attempt += 1
            await asyncio.sleep(delay)

    @staticmethod
    def _page_params(page_size: int, after: str | None) -> dict[str, str]:
        params = {"page[size]": str(page_size)}
        if after:
            params["page[after]"] = after
        return params

    # --- endpoints ---------------------------------------------------------

    async def health(self) -> Health:
        return parse_model(await self._request("GET", "/health", safe_to_retry=True), Health)

    async def me(self) -> Me:
        return parse_model(await self._request("GET", "/me", safe_to_retry=True), Me)

    async def assignable_agents(self) -> list[AssignableAgent]:
        """Whom this caller may assign tickets to (a lead: everyone; an agent: themselves)."""
        return parse_list(await self._request("GET", "/agents", safe_to_retry=True), AssignableAgent)

    async def queues(self) -> list[Queue]:
        return parse_list(await self._request("GET", "/queues", safe_to_retry=True), Queue)

    async def list_tickets(
        self, filters: Mapping[str, str] | None = None, *, page_size: int = 50, after: str | None = None
    ) -> PageResult[Ticket]:
        params = {**(filters or {}), **self._page_params(page_size, after)}
        response = await self._request("GET", "/tickets", params=params, safe_to_retry=True)
        return parse_page(response, Ticket)

    async def get_ticket(self, ticket_id: int) -> Ticket:
        response = await self._request("GET", f"/tickets/{int(ticket_id)}", safe_to_retry=True)
        return parse_model(response, Ticket)

    async def create_ticket(
        self, ticket: TicketCreate, *, idempotency_key: str | None = None
    ) -> Ticket | TicketReceipt:
        """The new ticket, or only a receipt when the caller may not read it (the intake channel,
        or an agent whose ticket is routed outside their queues)."""
        key = idempotency_key or new_idempotency_key()
        response = await self._request(
            "POST", "/tickets",
            json_body=_without_empty_files(ticket.model_dump(mode="json", exclude_none=True)),
            headers={"Idempotency-Key": key}, safe_to_retry=True,
        )
        if _is_receipt(response):
            return parse_model(response, TicketReceipt)
        return parse_model(response, Ticket)

    async def update_ticket(self, ticket_id: int, patch: TicketPatch, *, version: int) -> Ticket:
        """Conditional update; raises `VersionConflict` with the current ticket when stale.

        Not retried after a backoff. When the instance dies with the answer lost, the same
        conditional request goes to another instance: it cannot apply twice, and a 412 whose
        current ticket is exactly this change one version on is our own write, not a conflict.
        """
        try:
            response = await self._request(
                "PATCH", f"/tickets/{int(ticket_id)}",
                json_body=patch.model_dump(mode="json", exclude_none=True),
                headers={"If-Match": f'"{version}"'}, safe_to_retry=False, resend_elsewhere=True,
            )
        except errors.VersionConflict as exc:
            if exc.resent and exc.current is not None and patch_applied(patch, exc.current, version):
                return exc.current
            raise
        return parse_model(response, Ticket)

    async def ticket_stamps(self, filters: Mapping[str, str] | None = None) -> TicketStamps:
        """Id and version of every ticket matching `filters` (the `list_tickets` filters; their
        sort and direction mean nothing here and are left out): a "select all" in one request."""
        params = {k: v for k, v in (filters or {}).items() if k not in _ORDER_PARAMS}
        response = await self._request("GET", "/ticket-ids", params=params, safe_to_retry=True)
        return parse_model(response, TicketStamps)

    async def merge_tickets(self, merge: TicketMerge, *, idempotency_key: str | None = None) -> TicketsMerged:
        """Merge duplicates into one ticket; raises `VersionConflict` (one changed since it was
        seen), `ValidationFailed` with code `different_customers`, or `ForbiddenError`."""
        key = idempotency_key or new_idempotency_key()
        response = await self._request(
            "POST", "/ticket-merges", json_body=merge.model_dump(mode="json", exclude_none=True),
            headers={"Idempotency-Key": key}, safe_to_retry=True,
        )
        return parse_model(response, TicketsMerged)

    async def list_messages(
        self, ticket_id: int, *, order: str = "asc", page_size: int = 50, after: str | None = None
    ) -> PageResult[Message]:
        params = {"order": order, **self._page_params(page_size, after)}
        response = await self._request("GET", f"/tickets/{int(ticket_id)}/messages", params=params,
                                       safe_to_retry=True)
        return parse_page(response, Message)

    async def post_message(
        self, ticket_id: int, message: MessageCreate, *, idempotency_key: str,
        answer_within: float | None = None,
    ) -> MessagePosted:
        """Keyed, so a retry after a lost response replays the first result instead of posting twice.

        `answer_within`: seconds to wait for the answer before `RequestTimeout` (the outbox then
        sends again later with the same key); None: the client's timeout, with its retries.
        """
        response = await self._request(
            "POST", f"/tickets/{int(ticket_id)}/messages", json_body=_message_json(message),
            headers={"Idempotency-Key": idempotency_key}, safe_to_retry=True, within=answer_within,
        )
        return parse_model(response, MessagePosted)

    async def upload_attachment(
        self, name: str, data: bytes, *, idempotency_key: str | None = None
    ) -> Attachment:
        """Upload a file for a message to claim (`MessageCreate.attachment_ids`); keyed, so a retry
        after a lost answer gets the same upload back instead of a second one."""
        if len(data) > ATTACHMENT_MAX_BYTES:
            limit = ATTACHMENT_MAX_BYTES // (1024 * 1024)
            raise errors.PayloadTooLarge(_("The file is over {limit} MiB.").format(limit=limit), status=413)
        response = await self._request(
            "POST", "/uploads", params={"name": name}, content=data,
            headers={"Idempotency-Key": idempotency_key or new_idempotency_key(),
                     "Content-Type": "application/octet-stream"},
            safe_to_retry=True,
        )
        return parse_model(response, Attachment)

    async def download_attachment(
        self, attachment_id: int, *, max_bytes: int = ATTACHMENT_MAX_BYTES
    ) -> bytes:
        """The file's bytes, read as a stream and refused past `max_bytes` (whatever the server says)."""
        instance = self.instances.current
        url = f"{instance}{API_PREFIX}/attachments/{int(attachment_id)}"
        too_large = errors.PayloadTooLarge(
            _("The attachment is over {limit} KiB.").format(limit=max_bytes // 1024), status=200)
        try:
            async with self._http.stream("GET", url, headers={"Accept": "*/*"}) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise error_from_response(response)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise too_large
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise too_large
                    chunks.append(chunk)
        except httpx.TimeoutException:
            raise errors.RequestTimeout(
                _("No answer from {instance} in time.").format(instance=instance), instance=instance,
            ) from None
        except httpx.TransportError:
            raise errors.NetworkError(
                _("Lost the connection to {instance}. Check that the server is running.").format(
                    instance=instance), instance=instance
            ) from None
        return b"".join(chunks)

    async def post_customer_message(
        self, ticket_id: int, body: str, *, idempotency_key: str
    ) -> MessageReceipt:
        """The intake channel's follow-up from a customer; it learns only its receipt."""
        message = MessageCreate(kind=MessageKind.CUSTOMER, body=body)
        response = await self._request(
            "POST", f"/tickets/{int(ticket_id)}/messages",
            json_body=message.model_dump(mode="json", exclude_none=True),
            headers={"Idempotency-Key": idempotency_key}, safe_to_retry=True,
        )
        return parse_model(response, MessageReceipt)

    async def canned_replies(self) -> list[CannedReply]:
        return parse_list(await self._request("GET", "/canned-replies", safe_to_retry=True),
                                CannedReply)

    async def components(self) -> list[Component]:
        return parse_list(await self._request("GET", "/components", safe_to_retry=True), Component)

    async def create_escalation(
        self, ticket_id: int, escalation: EscalationCreate, *, idempotency_key: str | None = None
    ) -> Escalation:
        response = await self._request(
            "POST", f"/tickets/{int(ticket_id)}/escalations",
            # `set_status: null` means "leave the status alone": it must reach the server as null.
            json_body=escalation.model_dump(mode="json"),
            headers={"Idempotency-Key": idempotency_key or new_idempotency_key()}, safe_to_retry=True,
        )
        return parse_model(response, Escalation)

    async def list_escalations(self, statuses: list[str] | None = None) -> list[Escalation]:
        params = {"status": ",".join(statuses)} if statuses else None
        response = await self._request("GET", "/escalations", params=params, safe_to_retry=True)
        return parse_list(response, Escalation)

    async def get_escalation(self, key: str) -> Escalation:
        response = await self._request("GET", f"/escalations/{_path_segment(key)}", safe_to_retry=True)
        return parse_model(response, Escalation)

    async def update_escalation(self, key: str, patch: EscalationPatch) -> Escalation:
        response = await self._request(
            "PATCH", f"/escalations/{_path_segment(key)}", json_body=patch.model_dump(mode="json"),
            safe_to_retry=False,
        )
        return parse_model(response, Escalation)

    async def ticket_counts(self, filters: list[TicketFilter]) -> list[int]:
        """How many tickets match each filter (saved views), in one request; nothing is written, so
        a retry is safe without a key."""
        response = await self._request(
            "POST", "/ticket-counts",
            json_body=TicketCountsRequest(filters=filters).model_dump(mode="json", exclude_defaults=True),
            safe_to_retry=True,
        )
        return parse_model(response, TicketCounts).counts

    async def link_tickets(self, key: str, ticket_ids: list[int], *,
                           idempotency_key: str | None = None) -> EscalationLinkResult:
        """Link tickets to an escalation (an incident); a retry with the key replays the answer."""
        response = await self._request(
            "POST", f"/escalations/{_path_segment(key)}/links",
            json_body=EscalationLinkRequest(ticket_ids=ticket_ids).model_dump(mode="json"),
            headers={"Idempotency-Key": idempotency_key or new_idempotency_key()}, safe_to_retry=True,
        )
        return parse_model(response, EscalationLinkResult)

    async def linked_tickets(self, key: str) -> list[Ticket]:
        response = await self._request("GET", f"/escalations/{_path_segment(key)}/tickets",
                                       safe_to_retry=True)
        return parse_list(response, Ticket)

    async def suggested_tickets(self, key: str) -> list[SuggestedTicket]:
        response = await self._request("GET", f"/escalations/{_path_segment(key)}/suggestions",
                                       safe_to_retry=True)
        return parse_list(response, SuggestedTicket)

    async def set_presence(self, ticket_id: int, state: PresenceState) -> None:
        await self._request(
            "PUT", f"/tickets/{int(ticket_id)}/presence",
            json_body=PresenceUpdate(state=state).model_dump(mode="json"), safe_to_retry=True,
        )

    async def live_stats(self) -> LiveStats:
        return parse_model(await self._request("GET", "/stats/live", safe_to_retry=True), LiveStats)

    async def stats_history(self, window_seconds: int = 3600) -> StatsHistory:
        response = await self._request("GET", "/stats/history", params={"window": str(window_seconds)},
                                       safe_to_retry=True)
        return parse_model(response, StatsHistory)

    # --- account playbooks, audit, articles ----------------------------------

    async def playbooks(self) -> list[Playbook]:
        return parse_list(await self._request("GET", "/playbooks", safe_to_retry=True), Playbook)

    async def audit(self, ticket_id: int) -> list[AuditEntry]:
        response = await self._request("GET", f"/tickets/{int(ticket_id)}/audit", safe_to_retry=True)
        return parse_list(response, AuditEntry)

    async def ticket_history(self, ticket_id: int) -> list[HistoryEntry]:
        """Every change to the ticket with who and when, oldest first."""
        response = await self._request("GET", f"/tickets/{int(ticket_id)}/history", safe_to_retry=True)
        return parse_list(response, HistoryEntry)

    async def add_audit(self, ticket_id: int, entry: AuditCreate) -> AuditEntry:
        # Not retried: a lost response would record the same step twice in the trail.
        response = await self._request(
            "POST", f"/tickets/{int(ticket_id)}/audit",
            json_body=entry.model_dump(mode="json", exclude_none=True), safe_to_retry=False,
        )
        return parse_model(response, AuditEntry)

    async def account_action(
        self, ticket_id: int, action: AccountAction, *, idempotency_key: str
    ) -> AccountActionResult:
        """Raises `VerificationIncomplete` (with `.missing_steps`) until the playbook is verified."""
        response = await self._request(
            "POST", f"/tickets/{int(ticket_id)}/account-actions",
            json_body=AccountActionRequest(action=action).model_dump(mode="json"),
            headers={"Idempotency-Key": idempotency_key}, safe_to_retry=True,
        )
        return parse_model(response, AccountActionResult)

    async def articles(self, q: str = "", lang: str | None = None) -> list[Article]:
        params: dict[str, str] = {}
        if q:
            params["q"] = q
        if lang:
            params["lang"] = lang
        response = await self._request("GET", "/articles", params=params or None, safe_to_retry=True)
        return parse_list(response, Article)


def patch_applied(patch: TicketPatch, ticket: Ticket, version: int) -> bool:
    """Whether `ticket` is `patch` applied to version `version` and nothing else after it."""
    if ticket.version != version + 1:
        return False
    wanted = patch.model_dump(mode="json", exclude_none=True)
    have = ticket.model_dump(mode="json")
    for key, value in wanted.items():
        if key == "assignee_id":
            assignee = ticket.assignee.id if ticket.assignee is not None else 0
            if assignee != value:
                return False
        elif key == "tags":
            # The server keeps tags trimmed and lower-cased.
            if {tag.strip().lower()[:64] for tag in value if tag.strip()} != set(have["tags"]):
                return False
        elif have.get(key) != value:
            return False
    return True


def _without_empty_files(body: dict[str, Any]) -> dict[str, Any]:
    # A message without files is sent exactly as before attachments existed: an Idempotency-Key
    # already in the outbox keeps matching the body the server saw first.
    if not body.get("attachment_ids"):
        body.pop("attachment_ids", None)
    return body


def _message_json(message: MessageCreate) -> dict[str, Any]:
    return _without_empty_files(message.model_dump(mode="json", exclude_none=True))


def _path_segment(value: str) -> str:
    return quote(value, safe="")
