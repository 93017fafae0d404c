"""What the app needs to start, resolved from flags, environment, config file and stored login.

Plain data with no Textual import, so the CLI can build it cheaply and tests can
construct it directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from supportdesk_tui.contract.clock import Clock, utc_now
from supportdesk_tui.contract.stream import SILENT_STREAM_SECONDS
from supportdesk_tui.domain.image_renderers import ImageRenderer as ImageRenderer  # re-exported

if TYPE_CHECKING:
    from supportdesk_tui.api.prefetch import SignInPrefetch
    from supportdesk_tui.domain.dashboard_state import QueueLimits
    from supportdesk_tui.domain.notifications import NotificationPolicy
    from supportdesk_tui.first_frame import CachedPage, StartKey





@dataclass(frozen=True)
class AppSettings:
    # The deployment's first (or only) base URL; it also names the agent's local drafts/outbox.
    server_url: str
    # Kept out of repr: Textual crash reports print locals, and settings are often among them.
    token: str | None = field(repr=False)
    data_dir: Path
    verify_tls: bool = True
    timeout: float = 10.0
    # A server silent this long counts as not answering: the event stream gives up on it (and the
    # status line says offline), and a send stops waiting and leaves the reply to the outbox.
    not_answering_after: float = SILENT_STREAM_SECONDS
    language: str = "en"
    theme: str = "supportdesk-dark"
    keymap: Mapping[str, str] = field(default_factory=dict)
    page_size: int = 100
    default_filter: str = ""
    # [views]: (name, filter) in sidebar order; saved back to `config_path` (None: the usual file).
    saved_views: tuple[tuple[str, str], ...] = ()
    config_path: Path | None = None
    start_mode: str | None = None  # None: by role (lead → dashboard)
    wallboard: bool = False
    live_updates: bool = True
    # [dashboard]: ring the bell on a new alarm; thresholds by queue id (config.QueueThresholds).
    dashboard_bell: bool = True
    dashboard_thresholds: Mapping[str, QueueLimits] = field(default_factory=dict)
    # [notifications]: what notifies, how, and when to stay quiet. None: the defaults.
    notifications: NotificationPolicy | None = None
    clock: Clock = utc_now
    # Pieces the launcher found wrong but that should not stop the app (e.g. a broken user theme).
    startup_warnings: tuple[str, ...] = ()
    # Freeze the objects alive after sign-in out of the garbage collector's view (app.py).
    # None: only in a real terminal; a test process runs hundreds of apps and would keep them all.
    freeze_gc_after_sign_in: bool | None = None
    # Every instance of the deployment, `server_url` first; empty: `server_url` alone.
    server_urls: tuple[str, ...] = ()
    # The live stream's wait before reconnecting, (shortest, longest) in seconds; tests shorten it.
    reconnect_backoff: tuple[float, float] = (0.5, 30.0)
    # Where the start-up queue saves its first page for the next start's pre-paint (first_frame.py);
    # None: not a plain `supportdesk` start, nothing is saved.
    first_page_cache: StartKey | None = None
    # Saved attachments go here; None: the user's Downloads folder (paths.downloads_dir).
    downloads_dir: Path | None = None
    # How images are previewed: "auto" (what the terminal supports), "kitty", "sixel" or "cells".
    image_renderer: ImageRenderer = "auto"
    # The cached first page the start painted (first_frame.py): the connect screen keeps showing it,
    # marked as cached, until the live queue replaces it. None: nothing was painted.
    cached_first_page: CachedPage | None = None
    # A browser session of `supportdesk web`: the agent signs in on the sign-in screen every time,
    # and neither the token nor UI choices are written where another session would read them.
    in_browser: bool = False
    # The sign-in's GETs, sent at launch while the app imports (api/prefetch.py); the session's
    # client uses their answers only for this server and token. None: nothing was sent early.
    sign_in_prefetch: SignInPrefetch | None = field(default=None, repr=False, compare=False)

    @property
    def instances(self) -> tuple[str, ...]:
        return self.server_urls or (self.server_url,)
