"""Fail when the catalogs and the source disagree.

    python -m supportdesk_tui.i18n.check            # exit 1 on problems
    python -m supportdesk_tui.i18n.check --strict   # also fail on catalog entries no code uses

Problems: a msgid used in the source but missing from a catalog; a msgid in one catalog but
not the other; a Russian entry that is empty or fuzzy; plural forms that do not match the
language's Plural-Forms; `{placeholders}` that differ between msgid and translation.
Entries no code uses yet are warnings: the catalogs are seeded ahead of the screens.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from supportdesk_tui.i18n.catalog import LOCALE_DIR, catalog_path, parse_plural_forms
from supportdesk_tui.i18n.extract import CATALOG_LANGUAGES, PACKAGE_DIR, extract_from_tree
from supportdesk_tui.i18n.po import MessageKey, PoEntry, PoError, PoFile, read_po

# Languages whose every entry needs a translation; English msgstr may stay empty (= msgid).
TRANSLATED_LANGUAGES: tuple[str, ...] = ("ru",)
_PLACEHOLDER_RE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:[!:][^{}]*)?\}")


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER_RE.findall(text))


def _describe(key: MessageKey) -> str:
    context, msgid = key
    return f"{msgid!r}" + (f" (context {context!r})" if context is not None else "")


def _check_entry(language: str, po: PoFile, entry: PoEntry, nplurals: int, report: CheckReport) -> None:
    where = f"{po.source}:{entry.line}"
    name = _describe(entry.key)
    forms = entry.forms()
    if entry.msgid_plural is not None and len(forms) != nplurals:
        report.problems.append(f"{where}: {name} has {len(forms)} plural forms, {language} needs {nplurals}")
    translated = [form for form in forms if form]
    if language in TRANSLATED_LANGUAGES:
        if entry.fuzzy:
            report.problems.append(f"{where}: {name} is marked fuzzy; review the {language} translation")
        elif len(translated) != len(forms) or not forms:
            report.problems.append(f"{where}: {name} is not translated into {language}")
    expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
    for form in translated:
        found = placeholders(form)
        if found != expected:
            report.problems.append(
                f"{where}: {name}: placeholders {sorted(found)} in {form!r} differ from {sorted(expected)}"
            )


def check_catalogs(
    root: Path = PACKAGE_DIR,
    locale_dir: Path = LOCALE_DIR,
    languages: tuple[str, ...] = CATALOG_LANGUAGES,
    strict: bool = False,
) -> CheckReport:
    report = CheckReport()
    extraction = extract_from_tree(root)
    report.problems.extend(extraction.problems)
    catalogs: dict[str, PoFile] = {}
    for language in languages:
        path = catalog_path(language, locale_dir)
        try:
            catalogs[language] = read_po(path)
        except FileNotFoundError:
            report.problems.append(f"{path}: catalog is missing")
        except PoError as exc:
            report.problems.append(str(exc))
    if not catalogs:
        return report

    all_keys: set[MessageKey] = set()
    for po in catalogs.values():
        all_keys.update(po.by_key())
    for language, po in catalogs.items():
        try:
            nplurals, _rule = parse_plural_forms(po.header.get("Plural-Forms", ""), po.source)
        except PoError as exc:
            report.problems.append(str(exc))
            nplurals = 2
        entries = po.by_key()
        for key, found in extraction.messages.items():
            if key not in entries:
                report.problems.append(
                    f"{po.source}: missing {_describe(key)} used at {found.references[0]}"
                    " (run python -m supportdesk_tui.i18n.extract)"
                )
            elif entries[key].msgid_plural != found.msgid_plural:
                report.problems.append(
                    f"{po.source}:{entries[key].line}: {_describe(key)} plural form differs from the source"
                    f" ({entries[key].msgid_plural!r} vs {found.msgid_plural!r} at {found.references[0]})"
                )
        for key in sorted(all_keys - set(entries), key=lambda k: (k[0] or "", k[1])):
            others = [other for other, other_po in catalogs.items() if key in other_po.by_key()]
            report.problems.append(f"{po.source}: lacks {_describe(key)}, which {', '.join(others)} has")
        for entry in po.entries:
            _check_entry(language, po, entry, nplurals, report)

    unused = sorted(all_keys - set(extraction.messages), key=lambda k: (k[0] or "", k[1]))
    for key in unused:
        message = f"{_describe(key)} is in the catalogs but no code uses it"
        (report.problems if strict else report.warnings).append(message)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m supportdesk_tui.i18n.check", description=__doc__)
    parser.add_argument("--strict", action="store_true", help="fail on unused catalog entries too")
    parser.add_argument("--quiet", action="store_true", help="do not list warnings")
    parser.add_argument("--root", type=Path, default=PACKAGE_DIR)
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    args = parser.parse_args(argv)

    report = check_catalogs(args.root, args.locale_dir, strict=args.strict)
    if not args.quiet:
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    if report.ok:
        print(f"catalogs OK ({len(report.warnings)} warnings)")
        return 0
    print(f"{len(report.problems)} problem(s)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
