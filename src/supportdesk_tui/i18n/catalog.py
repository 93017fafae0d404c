"""Translation catalogs: `.po` entries plus the language's plural rule."""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from supportdesk_tui.i18n.po import MessageKey, PoEntry, PoError, PoFile, read_po

DOMAIN = "supportdesk"
LOCALE_DIR = Path(__file__).with_name("locale")
ENGLISH_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"


def catalog_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def parse_plural_forms(header_value: str, source: str = "<po>") -> tuple[int, Callable[[int], int]]:
    """`nplurals=3; plural=(...);` → (3, function n → form index)."""
    nplurals = re.search(r"nplurals\s*=\s*(\d+)", header_value)
    plural = re.search(r"plural\s*=\s*(.+?);?\s*$", header_value)
    if not nplurals or not plural:
        raise PoError(source, 1, f"cannot read Plural-Forms {header_value!r}")
    try:
        # c2py compiles the C expression with its own tokenizer (no eval of arbitrary code).
        rule = gettext.c2py(plural.group(1))
    except (ValueError, RecursionError) as exc:
        raise PoError(source, 1, f"bad plural expression {plural.group(1)!r}: {exc}") from exc
    return int(nplurals.group(1)), rule


@dataclass
class Catalog:
    """Translations for one language; untranslated and fuzzy entries fall back to English."""

    language: str
    nplurals: int = 2
    plural: Callable[[int], int] = field(default=lambda n: int(n != 1))
    messages: dict[MessageKey, PoEntry] = field(default_factory=dict)

    @classmethod
    def from_po(cls, language: str, po: PoFile) -> Catalog:
        nplurals, rule = parse_plural_forms(po.header.get("Plural-Forms", ENGLISH_PLURAL_FORMS), po.source)
        usable = {
            entry.key: entry
            for entry in po.entries
            if not entry.fuzzy and all(form for form in entry.forms()) and entry.forms()
        }
        return cls(language=language, nplurals=nplurals, plural=rule, messages=usable)

    @classmethod
    def load(cls, language: str, locale_dir: Path = LOCALE_DIR) -> Catalog:
        path = catalog_path(language, locale_dir)
        if not path.exists():
            return cls(language=language)
        return cls.from_po(language, read_po(path))

    def translate(self, context: str | None, message: str) -> str:
        entry = self.messages.get((context, message))
        if entry is None or entry.msgid_plural is not None:
            return message
        return entry.msgstr

    def translate_plural(self, context: str | None, singular: str, plural: str, n: int) -> str:
        entry = self.messages.get((context, singular))
        if entry is not None and entry.msgid_plural is not None:
            index = self.plural(n)
            form = entry.msgstr_plural.get(index)
            if form:
                return form
        return singular if n == 1 else plural
