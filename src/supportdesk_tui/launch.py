"""Resolve settings from flags, environment, config and stored login; run the app or a small command.

Every failure here is a sentence on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from supportdesk_tui import paths
from supportdesk_tui.api.failover import ServerListError, parse_server_list, same_deployment
from supportdesk_tui.settings import AppSettings

if TYPE_CHECKING:
    from supportdesk_tui.api.prefetch import SignInPrefetch
    from supportdesk_tui.domain.terminal_probe import GraphicsProbe
    from supportdesk_tui.first_frame import CachedPage, PrePaint, StartKey

EXIT_USAGE = 2


def _stored_for(stored_server: str, urls: Sequence[str]) -> bool:
    try:
        return same_deployment(parse_server_list(stored_server), urls)
    except ServerListError:
        return False


def _fail(message: str) -> int:
    print(f"supportdesk: {message}", file=sys.stderr)
    return EXIT_USAGE


def resolve_settings(args: argparse.Namespace, *, mode: str | None = None,
                     wallboard: bool = False, in_browser: bool = False) -> AppSettings | str:
    """Settings to run with, or the error sentence to print. Without a token the app opens on its
    sign-in screen. `in_browser`: a session of `supportdesk web`, which reads no token at all
    (each person signs in with their own) and uses the web keymap."""
    # lazy: each command loads only what it needs (`supportdesk config path` reads no config)
    from supportdesk_tui.config import ConfigError, load_config
    from supportdesk_tui.credentials import load_login
    from supportdesk_tui.i18n import detect_language

    try:
        config = load_config()
    except ConfigError as exc:
        return str(exc)
    stored = load_login()
    wanted = getattr(args, "server", None) or config.server.url or (stored.server if stored else None)
    if not wanted and not in_browser:
        return ("no server configured. Pass --server URL (several instances: URL1,URL2), set "
                "SUPPORTDESK_SERVER, or run `supportdesk login --server URL`. To try the app with "
                "demo data: `make demo`.")
    try:
        urls = parse_server_list(wanted) if wanted else ("",)
    except ServerListError as exc:
        return str(exc)
    token: str | None = None
    if not in_browser:
        token = os.environ.get("SUPPORTDESK_TOKEN") or config.server.token
        if not token and stored and _stored_for(stored.server, urls):
            # A token belongs to the deployment: any list sharing an instance with the stored one.
            token = stored.token
    language = detect_language(getattr(args, "lang", None), config.ui.language, os.environ)
    return AppSettings(
        server_url=urls[0],
        server_urls=urls if len(urls) > 1 else (),
        token=token,
        data_dir=paths.data_dir(),
        verify_tls=config.server.verify_tls and not getattr(args, "insecure", False),
        timeout=config.server.timeout,
        language=language,
        theme=getattr(args, "theme", None) or config.ui.theme,
        image_renderer=config.ui.image_renderer,
        keymap=_web_keymap(config.keymap) if in_browser else dict(config.keymap),
        page_size=config.queue.page_size,
        default_filter=config.queue.default_filter,
        saved_views=tuple(config.views.items()),
        config_path=config.source,
        start_mode=mode,
        wallboard=wallboard,
        dashboard_bell=config.dashboard.bell,
        dashboard_thresholds=dict(config.dashboard.thresholds),
        in_browser=in_browser,
        notifications=config.notifications.policy(),
    )


def _web_keymap(user_keymap: Mapping[str, str]) -> dict[str, str]:
    from supportdesk_tui.keymap import web_keymap  # lazy: Textual loads with the app, not before

    return web_keymap(user_keymap)


def run_app(args: argparse.Namespace, *, mode: str | None = None, wallboard: bool = False,
            first_page: StartKey | None = None, painted: PrePaint | None = None,
            probe: GraphicsProbe | None = None, early: SignInPrefetch | None = None) -> int:
    """`first_page`: where the queue caches its first page for the next start (plain starts only);
    `painted`: the pre-paint (first_frame.py, first_start.py), handed over right before Textual
    starts;
    `probe`: the terminal's graphics questions, if the caller has already asked them;
    `early`: the sign-in's requests the caller already sent (first_start.py)."""
    probe = probe or _ask_the_terminal()
    try:
        settings = resolve_settings(args, mode=mode, wallboard=wallboard)
        if isinstance(settings, str):
            probe.finish()  # the terminal's mode as the start found it, for the message
            if painted is not None:
                painted.leave_unless_handed_over(sys.stdout)
            return _fail(settings)
        settings = replace(settings, first_page_cache=first_page,
                           sign_in_prefetch=_send_sign_in_early(settings, early))
        return run_with_settings(settings, painted, debug=bool(getattr(args, "debug", False)), probe=probe)
    finally:
        probe.finish()


def _send_sign_in_early(settings: AppSettings, early: SignInPrefetch | None = None) -> SignInPrefetch | None:
    """The requests sign-in waits for, sent now from a thread, so the server answers them while
    Textual and the app import (api/prefetch.py); `early`'s, if the start sent them already for
    this very server and token."""
    from supportdesk_tui.api.prefetch import SignInPrefetch  # lazy: stdlib only, but not for `login`

    if settings.token is None or settings.in_browser:
        return None
    if early is not None and (same := early.answers_for(settings.instances, settings.token)) is not None:
        return same
    return SignInPrefetch.start(settings.instances, settings.token, timeout=settings.timeout)


def _page_to_keep(painted: PrePaint, prefetch: SignInPrefetch | None) -> CachedPage | None:
    """What the connect screen keeps showing of the pre-paint (none is painted after this): the
    cached page, or rows read at launch only if read for the server and token the app signs in with."""
    page = painted.close()
    if painted.read_by is not None and painted.read_by is not prefetch:
        return None  # read for another sign-in than the settings' (first_start.py misread them)
    return page


def _ask_the_terminal() -> GraphicsProbe:
    from supportdesk_tui.domain.terminal_probe import GraphicsProbe  # lazy: stdlib only, but not for `login`

    return GraphicsProbe().start()


def run_with_settings(settings: AppSettings, painted: PrePaint | None = None, *,
                      debug: bool = False, probe: GraphicsProbe | None = None) -> int:
    """Run the app with its log open (`debug`: a line per request too)."""
    probe = probe or _ask_the_terminal()
    try:
        # lazy: each command loads only what it needs
        from supportdesk_tui.app import SupportDeskApp
        from supportdesk_tui.client_log import client_log

        if painted is not None and settings.first_page_cache is not None:
            # The pre-paint stops here; the connect screen keeps showing what it painted.
            settings = replace(settings, cached_first_page=_page_to_keep(painted, settings.sign_in_prefetch))
        app = SupportDeskApp(settings)
    finally:
        # The answers are in (or never coming) and the terminal's mode is restored before Textual
        # reads the terminal.
        probe.finish()
    with client_log(debug=debug, secrets=[settings.token or ""]) as log_path:
        if painted is not None:
            painted.hand_over()
        app.run()
    if app.return_code and log_path is not None:
        print(f"supportdesk: the log is {log_path}", file=sys.stderr)
    return app.return_code or 0


def run_login(args: argparse.Namespace) -> int:
    # lazy: httpx and the keyring load only for `supportdesk login`
    from supportdesk_tui.api.client import SupportDeskClient
    from supportdesk_tui.api.errors import ApiError
    from supportdesk_tui.credentials import save_login

    wanted = args.server or os.environ.get("SUPPORTDESK_SERVER")
    if not wanted:
        wanted = input("Server URL (e.g. https://support.example.com; several: URL1,URL2): ").strip()
    try:
        urls = parse_server_list(wanted)
    except ServerListError as exc:
        return _fail(str(exc))
    server = ",".join(urls)
    token = sys.stdin.readline().strip() if args.token_stdin else getpass.getpass("Token: ").strip()
    if not token:
        return _fail("no token given.")

    async def check() -> str:
        async with SupportDeskClient(urls, token, verify=not args.insecure) as client:
            me = await client.me()
            return f"{me.name} ({me.role})"

    try:
        who = asyncio.run(check())
    except ApiError as exc:
        return _fail(f"{exc.title}: {exc.message}")
    # Stored under the whole list: `supportdesk` alone then uses every instance.
    where = save_login(server, token)
    print(f"Signed in to {server} as {who}. Token stored in {where}.")
    return 0


def run_logout() -> int:
    from supportdesk_tui.credentials import delete_login  # lazy: each command loads only what it needs

    print("Signed out; the stored token was removed." if delete_login() else "No stored token.")
    return 0


def run_config(action: str) -> int:
    from supportdesk_tui.config import ConfigError, load_config  # lazy: as above
    from supportdesk_tui.config_file import config_as_toml  # lazy: as above

    path = paths.config_file()
    if action == "path":
        print(path)
        return 0
    try:
        config = load_config()
    except ConfigError as exc:
        return _fail(str(exc))
    if action == "show":
        print(config_as_toml(config), end="")
    else:
        print(f"{path}: OK" if path.exists() else f"{path}: not found; using the defaults (OK)")
    return 0
