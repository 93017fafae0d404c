"""The agent keeps personal canned replies in TOML files; mistakes are named by file and line."""

from __future__ import annotations

from pathlib import Path

from supportdesk_tui.contract.models import CannedReply, Language
from supportdesk_tui.domain.canned_library import (
    LibraryEntry,
    load_personal_library,
    merge_library,
    parse_library_file,
    personal_library_dir,
)

ONE_REPLY = """\
# refund.toml — one reply per file
shortcut = "myrefund"
title = { ru = "Мой возврат", en = "My refund" }
tags = ["payments"]

[bodies]
ru = "Здравствуйте, {customer.first_name|}! Вернули {amount}."
en = "Hi {customer.first_name|there}, we refunded {amount}."

[[variables]]
name = "amount"
prompt = { ru = "Сумма", en = "Amount" }

[actions]
status = "solved"
add_tags = ["Refunded"]
"""

MANY_REPLIES = """\
[[reply]]
shortcut = "thanks"
title = "Thanks"
[reply.bodies]
en = "Thank you!"

[[reply]]
id = "bye-ru"
shortcut = "poka"
title = { ru = "Пока" }
[reply.bodies]
ru = "До свидания, {customer.first_name|}!"
[[reply.variables]]
name = "unused"
required = false
"""


def problems_of(tmp_path: Path, name: str, text: str) -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    entries, problems = parse_library_file(path, text)
    assert not entries or not problems or len(entries) >= 1
    return [str(p) for p in problems]


def test_a_reply_per_file_loads_with_variables_and_actions(tmp_path: Path) -> None:
    (tmp_path / "refund.toml").write_text(ONE_REPLY, encoding="utf-8")
    library = load_personal_library(tmp_path)
    assert library.problems == []
    [entry] = library.entries
    assert entry.personal and entry.key == "personal:myrefund" and entry.source == tmp_path / "refund.toml"
    reply = entry.reply
    assert reply.id == "myrefund" and reply.title[Language.EN] == "My refund"
    assert reply.variables[0].name == "amount" and reply.variables[0].required
    assert reply.actions is not None and reply.actions.status == "solved"
    assert reply.actions.add_tags == ["refunded"]


def test_one_file_can_hold_many_replies(tmp_path: Path) -> None:
    (tmp_path / "all.toml").write_text(MANY_REPLIES, encoding="utf-8")
    library = load_personal_library(tmp_path)
    assert library.problems == []
    assert [e.reply.id for e in library.entries] == ["thanks", "bye-ru"]
    thanks, bye = (e.reply for e in library.entries)
    assert thanks.title == {Language.RU: "Thanks", Language.EN: "Thanks"}  # one title for both
    assert set(bye.bodies) == {Language.RU}
    assert bye.variables[0].required is False


def test_a_wrong_type_names_the_file_the_line_and_the_key(tmp_path: Path) -> None:
    text = ONE_REPLY.replace('ru = "Здравствуйте, {customer.first_name|}! Вернули {amount}."', "ru = 7")
    assert problems_of(tmp_path, "refund.toml", text) == [
        f"{tmp_path / 'refund.toml'}:7: bodies.ru: expected a string"
    ]


def test_problems_in_the_second_reply_of_a_file_point_into_that_reply(tmp_path: Path) -> None:
    text = MANY_REPLIES.replace('name = "unused"', 'name = "unused"\ncolour = "red"').replace(
        'title = { ru = "Пока" }', 'title = { de = "Tschüss" }')
    assert problems_of(tmp_path, "all.toml", text) == [
        f"{tmp_path / 'all.toml'}:10: title.de: unknown language (expected ru or en)",
        f"{tmp_path / 'all.toml'}:15: variables[0].colour: unknown key (expected name, prompt, required, "
        "default)",
    ]


def test_broken_toml_reports_its_line(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "bad.toml", 'shortcut = "x"\ntitle = "X"\nbodies = {en = "a"\n')
    assert problem.startswith(f"{tmp_path / 'bad.toml'}:3: not valid TOML: ")


def test_missing_fields_unknown_keys_and_bad_actions_are_all_reported(tmp_path: Path) -> None:
    text = 'title = "X"\nsubject = "?"\n[bodies]\nen = "Hi"\n[actions]\nstatus = "done"\npriority = "high"\n'
    assert problems_of(tmp_path, "x.toml", text) == [
        f"{tmp_path / 'x.toml'}:2: subject: unknown key (expected one of actions, bodies, id, shortcut, "
        "tags, title, variables)",
        f"{tmp_path / 'x.toml'}:1: shortcut: missing",
        f"{tmp_path / 'x.toml'}:6: actions.status: expected one of open, pending, on_hold, solved, closed",
    ]


def test_template_mistakes_are_caught_when_loading(tmp_path: Path) -> None:
    text = 'shortcut = "t"\ntitle = "T"\n[bodies]\nen = "Hi {custmer.name}"\nru = "Привет {name"\n'
    assert problems_of(tmp_path, "t.toml", text) == [
        f"{tmp_path / 't.toml'}:4: bodies.en: unknown placeholder {{custmer.name}} (declare it under "
        "[[variables]] or fix the spelling)",
        f"{tmp_path / 't.toml'}:5: bodies.ru: unclosed '{{' — write '{{{{' for a literal brace",
    ]


def test_a_bad_reply_is_left_out_and_the_others_still_load(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(ONE_REPLY, encoding="utf-8")
    (tmp_path / "b.toml").write_text('shortcut = "b"\ntitle = "B"\n[bodies]\nfr = "Salut"\n',
                                     encoding="utf-8")
    (tmp_path / "c.toml").write_text(ONE_REPLY, encoding="utf-8")  # same id again
    (tmp_path / "d.toml").write_bytes(b'shortcut = "\xff"')
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    library = load_personal_library(tmp_path)
    assert [e.reply.id for e in library.entries] == ["myrefund"]
    assert [str(p) for p in library.problems] == [
        f"{tmp_path / 'b.toml'}:4: bodies.fr: unknown language (expected ru or en)",
        f"{tmp_path / 'c.toml'}:1: id 'myrefund' is already used in a.toml",
        f"{tmp_path / 'd.toml'}: not UTF-8 text",
    ]


def test_no_directory_means_an_empty_library(tmp_path: Path) -> None:
    library = load_personal_library(tmp_path / "nothing-here")
    assert library.entries == [] and library.problems == []


def test_the_directory_follows_supportdesk_home(tmp_path: Path) -> None:
    assert personal_library_dir({"SUPPORTDESK_HOME": str(tmp_path)}) == tmp_path / "config" / "canned"


def test_personal_replies_come_first_and_keep_their_own_identity() -> None:
    team = CannedReply(id="greeting", title={Language.EN: "Greeting"}, shortcut="hi", tags=[],
                       bodies={Language.EN: "Hi"})
    mine = LibraryEntry(team.model_copy(update={"title": {Language.EN: "My greeting"}}), personal=True)
    merged = merge_library([team], [mine])
    assert [(e.key, e.personal) for e in merged] == [("personal:greeting", True), ("team:greeting", False)]
