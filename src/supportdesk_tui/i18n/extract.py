"""Find translatable strings in the source and add the missing ones to both catalogs.

    python -m supportdesk_tui.i18n.extract           # add missing msgids (Russian left empty)
    python -m supportdesk_tui.i18n.extract --dry-run # list them only

Recognised calls (plain or as attributes, e.g. `i18n._`), with string literals only:
`_("…")`, `N_("…")`, `gettext("…")`, `ngettext("…", "…", n)`, `pgettext("ctx", "…")`,
`npgettext("ctx", "…", "…", n)`. An f-string inside one of them is reported, because its
text can never match a catalog entry.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

from supportdesk_tui.i18n.catalog import LOCALE_DIR, catalog_path, parse_plural_forms
from supportdesk_tui.i18n.po import MessageKey, PoEntry, format_entry, read_po

PACKAGE_DIR = Path(__file__).resolve().parents[1]
CATALOG_LANGUAGES: tuple[str, ...] = ("en", "ru")

# Function name → (index of msgctxt or None, index of msgid, index of msgid_plural or None)
_SIGNATURES: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "N_": (None, 0, None),
    "NP_": (0, 1, None),
    "gettext": (None, 0, None),
    "ngettext": (None, 0, 1),
    "pgettext": (0, 1, None),
    "npgettext": (0, 1, 2),
}


@dataclass
class FoundMessage:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> MessageKey:
        return (self.msgctxt, self.msgid)


@dataclass
class Extraction:
    messages: dict[MessageKey, FoundMessage] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def extract_from_source(text: str, reference: str, into: Extraction | None = None) -> Extraction:
    """Collect translatable literals from one Python source text."""
    result = into if into is not None else Extraction()
    try:
        tree = ast.parse(text, filename=reference)
    except SyntaxError as exc:
        result.problems.append(f"{reference}:{exc.lineno}: cannot parse ({exc.msg})")
        return result
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name not in _SIGNATURES:
            continue
        ctx_index, id_index, plural_index = _SIGNATURES[name]
        where = f"{reference}:{node.lineno}"
        wanted = [index for index in (ctx_index, id_index, plural_index) if index is not None]
        if len(node.args) <= max(wanted):
            continue
        if any(isinstance(node.args[index], ast.JoinedStr) for index in wanted):
            result.problems.append(f"{where}: {name}() with an f-string cannot be translated; use .format()")
            continue
        values = {index: _literal(node.args[index]) for index in wanted}
        if any(value is None for value in values.values()):
            # A variable: the caller translates something marked elsewhere (N_), which is fine.
            continue
        msgid = values[id_index] or ""
        if not msgid:
            result.problems.append(f"{where}: {name}('') is the catalog header, not a message")
            continue
        found = FoundMessage(
            msgid=msgid,
            msgctxt=values[ctx_index] if ctx_index is not None else None,
            msgid_plural=values[plural_index] if plural_index is not None else None,
        )
        existing = result.messages.setdefault(found.key, found)
        if existing.msgid_plural != found.msgid_plural:
            result.problems.append(
                f"{where}: {msgid!r} is used both with and without (or with another) plural form"
            )
        existing.references.append(where)
    return result


def extract_from_tree(root: Path = PACKAGE_DIR) -> Extraction:
    result = Extraction()
    base = root.parent
    for path in sorted(root.rglob("*.py")):
        if "locale" in path.relative_to(root).parts:
            continue
        reference = path.relative_to(base).as_posix()
        extract_from_source(path.read_text(encoding="utf-8"), reference, result)
    return result


def add_missing(
    extraction: Extraction,
    locale_dir: Path = LOCALE_DIR,
    languages: tuple[str, ...] = CATALOG_LANGUAGES,
) -> dict[str, list[MessageKey]]:
    """Append entries for msgids the catalogs lack; returns what was added per language."""
    added: dict[str, list[MessageKey]] = {}
    for language in languages:
        path = catalog_path(language, locale_dir)
        po = read_po(path)
        nplurals, _rule = parse_plural_forms(po.header.get("Plural-Forms", "nplurals=2; plural=(n != 1);"))
        known = po.by_key()
        blocks: list[str] = []
        for key, found in extraction.messages.items():
            if key in known:
                continue
            entry = PoEntry(
                msgid=found.msgid,
                msgctxt=found.msgctxt,
                msgid_plural=found.msgid_plural,
                references=found.references[:3],
            )
            blocks.append(format_entry(entry, nplurals))
            added.setdefault(language, []).append(key)
        if blocks:
            text = path.read_text(encoding="utf-8")
            if not text.endswith("\n"):
                text += "\n"
            path.write_text(text + "\n" + "\n".join(blocks), encoding="utf-8")
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m supportdesk_tui.i18n.extract", description=__doc__)
    parser.add_argument("--dry-run", action="store_true", help="list missing msgids without writing")
    parser.add_argument("--root", type=Path, default=PACKAGE_DIR, help="package directory to scan")
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    args = parser.parse_args(argv)

    extraction = extract_from_tree(args.root)
    for problem in extraction.problems:
        print(f"warning: {problem}", file=sys.stderr)
    if args.dry_run:
        for language in CATALOG_LANGUAGES:
            known = read_po(catalog_path(language, args.locale_dir)).by_key()
            for key in extraction.messages:
                if key not in known:
                    print(f"{language}: missing {_describe(key)}")
        return 0
    added = add_missing(extraction, args.locale_dir)
    for language, keys in added.items():
        for key in keys:
            print(f"{language}: added {_describe(key)}")
    if not added:
        print("catalogs already list every msgid")
    return 0


def _describe(key: MessageKey) -> str:
    context, msgid = key
    return f"{msgid!r}" + (f" (context {context!r})" if context is not None else "")


if __name__ == "__main__":
    raise SystemExit(main())
