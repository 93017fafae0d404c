"""The .po reader/writer and the extractor, on small inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportdesk_tui.i18n.catalog import Catalog, catalog_path, parse_plural_forms
from supportdesk_tui.i18n.check import check_catalogs, placeholders
from supportdesk_tui.i18n.extract import add_missing, extract_from_source, extract_from_tree
from supportdesk_tui.i18n.po import PoEntry, PoError, format_entry, parse_po

RU_PLURALS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
SAMPLE = f"""# comment
msgid ""
msgstr ""
"Language: ru\\n"
"Plural-Forms: {RU_PLURALS}\\n"

#: a.py:1
msgid "Queue"
msgstr "Очередь"

msgctxt "status"
msgid "Open"
msgstr "Открыт"

msgid ""
"Long "
"text with \\"quotes\\"\\n"
msgstr "Длинный текст с \\"кавычками\\"\\n"

#, fuzzy
msgid "Guess"
msgstr "Догадка"

msgid "{{n}} file"
msgid_plural "{{n}} files"
msgstr[0] "{{n}} файл"
msgstr[1] "{{n}} файла"
msgstr[2] "{{n}} файлов"

msgid "Untranslated"
msgstr ""

#~ msgid "Old"
#~ msgstr "Старое"
"""


def test_po_reader_understands_context_plurals_continuations_and_flags() -> None:
    po = parse_po(SAMPLE, "sample.po")
    assert po.header["Language"] == "ru"
    entries = po.by_key()
    assert entries[(None, "Queue")].msgstr == "Очередь"
    assert entries[(None, "Queue")].references == ["a.py:1"]
    assert entries[("status", "Open")].msgstr == "Открыт"
    assert entries[(None, 'Long text with "quotes"\n')].msgstr == 'Длинный текст с "кавычками"\n'
    assert entries[(None, "Guess")].fuzzy
    assert entries[(None, "{n} file")].forms() == ["{n} файл", "{n} файла", "{n} файлов"]
    assert (None, "Old") not in entries


def test_catalog_skips_fuzzy_and_empty_entries_and_uses_the_plural_rule() -> None:
    catalog = Catalog.from_po("ru", parse_po(SAMPLE, "sample.po"))
    assert catalog.translate(None, "Guess") == "Guess"
    assert catalog.translate(None, "Untranslated") == "Untranslated"
    assert catalog.translate("status", "Open") == "Открыт"
    assert catalog.translate(None, "Open") == "Open"
    assert [catalog.translate_plural(None, "{n} file", "{n} files", n) for n in (1, 3, 7)] == [
        "{n} файл",
        "{n} файла",
        "{n} файлов",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('msgid "a"\n', "has no msgstr"),
        ('msgid "a"\nmsgstr "b\n', "expected a quoted string"),
        ('msgid "a"\nmsgstr "\\q"\n', "unknown escape"),
        ('msgstr "b"\n', "before msgid"),
        ('msgid "a"\nmsgstr[0] "b"\n', "without msgid_plural"),
        ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', "duplicate msgid 'a'"),
        ('"orphan"\n', "continuation outside"),
        ("bogus\n", "cannot parse"),
    ],
)
def test_po_reader_reports_file_and_line_for_broken_catalogs(text: str, problem: str) -> None:
    with pytest.raises(PoError, match=problem) as caught:
        parse_po(text, "broken.po")
    assert str(caught.value).startswith("broken.po:")


def test_writer_output_reads_back_identically() -> None:
    entries = [
        PoEntry(msgid='Say "hi"\n\tnow', msgstr="Скажи \\ привет"),
        PoEntry(msgid="{n} day", msgid_plural="{n} days", msgstr_plural={0: "день"}, msgctxt="time"),
    ]
    text = "\n".join(format_entry(entry, nplurals=3) for entry in entries)
    back = parse_po(text).entries
    assert back[0].msgid == 'Say "hi"\n\tnow' and back[0].msgstr == "Скажи \\ привет"
    assert back[1].msgctxt == "time" and back[1].msgstr_plural == {0: "день", 1: "", 2: ""}


def test_plural_rule_is_read_from_the_header() -> None:
    nplurals, rule = parse_plural_forms(RU_PLURALS)
    assert nplurals == 3
    assert [rule(n) for n in (1, 2, 5, 11, 21, 22, 111)] == [0, 1, 2, 2, 0, 1, 2]
    with pytest.raises(PoError):
        parse_plural_forms("nplurals=2;")


def test_placeholders_are_named_format_fields() -> None:
    assert placeholders("{n} of {total!r} {x:>3} {{literal}}") == {"n", "total", "x"}


def test_extractor_finds_literal_calls_of_every_kind() -> None:
    source = """
from supportdesk_tui import i18n
from supportdesk_tui.i18n import _, ngettext, pgettext, N_
a = _("Queue")
b = ngettext("{n} ticket", "{n} tickets", n)
c = pgettext("status", "Open")
d = N_("Reply")
e = i18n._("Subject")
f = _(variable)
g = _("Queue")
h = _(f"Hello {name}")
i = npgettext("time", "{n} day", "{n} days", n)
"""
    found = extract_from_source(source, "mod.py")
    assert set(found.messages) == {
        (None, "Queue"),
        (None, "{n} ticket"),
        ("status", "Open"),
        (None, "Reply"),
        (None, "Subject"),
        ("time", "{n} day"),
    }
    assert found.messages[(None, "Queue")].references == ["mod.py:4", "mod.py:10"]
    assert found.messages[(None, "{n} ticket")].msgid_plural == "{n} tickets"
    assert any("f-string" in problem and "mod.py:11" in problem for problem in found.problems)


def _mini_project(tmp_path: Path, source: str, en: str, ru: str) -> tuple[Path, Path]:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "mod.py").write_text(source, encoding="utf-8")
    locale = tmp_path / "locale"
    for language, body in (("en", en), ("ru", ru)):
        path = catalog_path(language, locale)
        path.parent.mkdir(parents=True)
        plural = RU_PLURALS if language == "ru" else "nplurals=2; plural=(n != 1);"
        path.write_text(f'msgid ""\nmsgstr ""\n"Plural-Forms: {plural}\\n"\n\n{body}', encoding="utf-8")
    return root, locale


def test_extract_adds_missing_msgids_to_both_catalogs_and_check_then_asks_for_translations(
    tmp_path: Path,
) -> None:
    root, locale = _mini_project(
        tmp_path,
        'x = _("Queue")\ny = ngettext("{n} ticket", "{n} tickets", n)\n',
        'msgid "Queue"\nmsgstr ""\n',
        'msgid "Queue"\nmsgstr "Очередь"\n',
    )
    report = check_catalogs(root, locale)
    assert any("missing '{n} ticket'" in problem for problem in report.problems)

    added = add_missing(extract_from_tree(root), locale)
    assert added == {"en": [(None, "{n} ticket")], "ru": [(None, "{n} ticket")]}
    ru_text = catalog_path("ru", locale).read_text(encoding="utf-8")
    assert 'msgstr[2] ""' in ru_text and "#: pkg/mod.py:2" in ru_text
    assert add_missing(extract_from_tree(root), locale) == {}

    report = check_catalogs(root, locale)
    assert report.problems == [f"{catalog_path('ru', locale)}:9: '{{n}} ticket' is not translated into ru"]


def test_check_reports_entries_only_one_catalog_has_and_bad_placeholders(tmp_path: Path) -> None:
    root, locale = _mini_project(
        tmp_path,
        'x = _("Hello {name}")\n',
        'msgid "Hello {name}"\nmsgstr ""\n\nmsgid "Extra"\nmsgstr ""\n',
        'msgid "Hello {name}"\nmsgstr "Привет, {nmae}"\n',
    )
    report = check_catalogs(root, locale)
    assert any("lacks 'Extra', which en has" in problem for problem in report.problems)
    assert any("placeholders ['nmae']" in problem for problem in report.problems)
    assert any("'Extra' is in the catalogs but no code uses it" in warning for warning in report.warnings)
    strict = check_catalogs(root, locale, strict=True)
    assert any("no code uses it" in problem for problem in strict.problems)


def test_check_flags_wrong_number_of_russian_plural_forms(tmp_path: Path) -> None:
    root, locale = _mini_project(
        tmp_path,
        'x = ngettext("{n} day", "{n} days", n)\n',
        'msgid "{n} day"\nmsgid_plural "{n} days"\nmsgstr[0] ""\nmsgstr[1] ""\n',
        'msgid "{n} day"\nmsgid_plural "{n} days"\nmsgstr[0] "{n} день"\nmsgstr[1] "{n} дней"\n',
    )
    report = check_catalogs(root, locale)
    assert any("has 2 plural forms, ru needs 3" in problem for problem in report.problems)
