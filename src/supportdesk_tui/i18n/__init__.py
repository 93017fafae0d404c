"""Translation layer. Call `_()` at render time so a language switch applies without restart.

    from supportdesk_tui.i18n import _, ngettext, pgettext, N_

    label = _("Queue")
    count = ngettext("{n} ticket", "{n} tickets", n).format(n=n)
    status = pgettext("status", "Open")      # same English word, different Russian one
    DESCRIPTION = N_("Reply")                # marked for extraction, translated later with _()

Languages: "en", "ru", and the pseudo-locale "xx", which wraps every string that went through
this module in ⟦…⟧ so a test can spot text that was never translated.

After adding `_("...")` calls, run `python -m supportdesk_tui.i18n.extract`, translate the
new Russian entries, and `python -m supportdesk_tui.i18n.check` must pass.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Literal

from supportdesk_tui.i18n.catalog import Catalog

UILanguage = Literal["en", "ru"]
LANGUAGES: tuple[str, ...] = ("en", "ru")
PSEUDO_LANGUAGE = "xx"
PSEUDO_OPEN = "⟦"
PSEUDO_CLOSE = "⟧"

_language = "en"
_catalogs: dict[str, Catalog] = {}
_listeners: list[Callable[[str], None]] = []


def _catalog(language: str) -> Catalog:
    # Parsed on first use: `--help` and the English default cost nothing until text is shown.
    catalog = _catalogs.get(language)
    if catalog is None:
        catalog = Catalog.load("en" if language == PSEUDO_LANGUAGE else language)
        _catalogs[language] = catalog
    return catalog


def _wrap(text: str) -> str:
    return f"{PSEUDO_OPEN}{text}{PSEUDO_CLOSE}" if _language == PSEUDO_LANGUAGE else text


def _(message: str) -> str:
    """Translate `message` into the current language."""
    return _wrap(_catalog(_language).translate(None, message))


gettext = _


def ngettext(singular: str, plural: str, n: int) -> str:
    """Pick and translate the plural form for `n` (Russian has three)."""
    return _wrap(_catalog(_language).translate_plural(None, singular, plural, n))


def pgettext(context: str, message: str) -> str:
    """Translate `message` in `context`, for English words with several Russian meanings."""
    return _wrap(_catalog(_language).translate(context, message))


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return _wrap(_catalog(_language).translate_plural(context, singular, plural, n))


def gettext_in(language: str, message: str) -> str:
    """Translate `message` into `language` rather than the interface's: text shown in a ticket's
    language (a Russian customer's playbook reads in Russian whatever the agent's interface is)."""
    return _wrap(_catalog(language if language in LANGUAGES else "en").translate(None, message))


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now (translate it when shown)."""
    return message


def NP_(context: str, message: str) -> str:
    """Mark `message` in `context` for extraction; translate it later with `pgettext(context, …)`."""
    return message


def set_language(language: str) -> None:
    """Switch the language for every later `_()` call and tell the listeners."""
    global _language
    if language not in (*LANGUAGES, PSEUDO_LANGUAGE):
        raise ValueError(f"unsupported language {language!r}; expected one of en, ru, {PSEUDO_LANGUAGE}")
    _catalog(language)
    changed = language != _language
    _language = language
    if changed:
        for listener in list(_listeners):
            listener(language)


def current_language() -> str:
    return _language


def on_language_change(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call `listener(language)` after each switch; returns a function that unsubscribes."""
    _listeners.append(listener)

    def unsubscribe() -> None:
        if listener in _listeners:
            _listeners.remove(listener)

    return unsubscribe


def _normalise(value: str | None) -> UILanguage | None:
    if not value:
        return None
    code = value.strip().lower().replace("-", "_")
    if code.startswith("ru"):
        return "ru"
    if code.startswith("en"):
        return "en"
    return None


def detect_language(
    cli_lang: str | None,
    config_lang: str | None,
    env: Mapping[str, str] | None = None,
) -> UILanguage:
    """The UI language: --lang, then the config (unless "auto"), then the locale, else English.

    For the locale the first non-empty of LC_ALL, LC_MESSAGES, LANG decides, as POSIX does;
    any locale other than Russian means English.
    """
    for explicit in (cli_lang, config_lang):
        language = _normalise(explicit)
        if language is not None:
            return language
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return _normalise(value) or "en"
    return "en"


__all__ = [
    "LANGUAGES",
    "NP_",
    "N_",
    "PSEUDO_LANGUAGE",
    "UILanguage",
    "_",
    "current_language",
    "detect_language",
    "gettext",
    "gettext_in",
    "ngettext",
    "npgettext",
    "on_language_change",
    "pgettext",
    "set_language",
]
