"""Finding a canned reply and filling it in: search fields, language, variables, actions."""

from __future__ import annotations

from domain_builders import make_ticket

from supportdesk_tui.contract.models import (
    CannedActions,
    CannedReply,
    CannedVariable,
    Language,
    Priority,
    Status,
)
from supportdesk_tui.domain.canned_library import LibraryEntry
from supportdesk_tui.domain.canned_pick import (
    describe_actions,
    initial_values,
    merge_actions,
    render_canned,
    search,
    used_variables,
    variable_prompt,
)
from supportdesk_tui.domain.templates import context_for

RU, EN = Language.RU, Language.EN


def reply(id_: str, shortcut: str, title: str, tags: list[str], body: str, **extra: object) -> CannedReply:
    return CannedReply.model_validate({"id": id_, "shortcut": shortcut, "title": {"en": title}, "tags": tags,
                                       "bodies": {"en": body}, **extra})


LIBRARY = [
    LibraryEntry(reply("reset", "pwreset", "Password reset link", ["access"], "Here is your link.")),
    LibraryEntry(reply("refund", "refund", "Refund issued", ["payments"], "We issued a refund.")),
    LibraryEntry(reply("cache", "cache", "Clear the music cache", ["music"], "Settings → Music → Clear.")),
    LibraryEntry(reply("mine", "mine", "My sign-off", ["personal"], "Cheers, spaceship captain"),
                 personal=True),
]


def ids(entries: list[LibraryEntry]) -> list[str]:
    return [e.reply.id for e in entries]


def test_search_looks_at_shortcut_title_tags_and_body() -> None:
    assert ids(search(LIBRARY, "pwreset"))[0] == "reset"
    assert ids(search(LIBRARY, "refund iss"))[0] == "refund"
    assert ids(search(LIBRARY, "payments")) == ["refund"]
    assert ids(search(LIBRARY, "spaceship")) == ["mine"]  # only in the body


def test_search_in_the_wrong_keyboard_layout_still_finds_it() -> None:
    assert ids(search(LIBRARY, "куагтв"))[:1] == ["refund"]  # "refund" typed with ЙЦУКЕН on


def test_usage_boosts_decide_the_order_of_an_empty_query_and_break_close_calls() -> None:
    boosts = {"team:cache": 3.0, "personal:mine": 2.5}
    assert ids(search(LIBRARY, "", boosts)) == ["cache", "mine", "reset", "refund"]
    assert ids(search(LIBRARY, "re", {"team:refund": 3.0}))[0] == "refund"


def test_the_ticket_language_body_is_used_and_never_another() -> None:
    both = CannedReply(id="x", shortcut="x", title={EN: "X"}, tags=[], bodies={EN: "Hi", RU: "Привет"})
    only_en = CannedReply(id="y", shortcut="y", title={EN: "Y"}, tags=[], bodies={EN: "Hi"})
    assert render_canned(both, RU, {}).text == "Привет"
    result = render_canned(only_en, RU, {})
    assert not result.has_language and not result.insertable and result.text == ""


def test_variables_defaults_prompts_and_optional_ones() -> None:
    canned = CannedReply(
        id="v", shortcut="v", title={EN: "V"}, tags=[],
        bodies={EN: "Hi {customer.first_name}, in {eta}: {link}{note}", RU: "{eta}"},
        variables=[
            CannedVariable(name="eta", prompt={RU: "Срок", EN: "Time"}, default="1 hour"),
            CannedVariable(name="link", prompt={EN: "Link"}),
            CannedVariable(name="note", prompt={}, required=False),
            CannedVariable(name="unused", prompt={}),
        ],
    )
    context = context_for(make_ticket(), "Oleg Smirnov", "RU Access", "en")
    values = initial_values(canned, context)
    assert [v.name for v in used_variables(canned, EN)] == ["eta", "link", "note"]
    assert [v.name for v in used_variables(canned, RU)] == ["eta"]
    first = render_canned(canned, EN, values)
    assert first.missing == ("link",) and not first.insertable
    preview = render_canned(canned, EN, values, mark_missing=True)
    assert preview.text == "Hi Анна, in 1 hour: ‹link›‹note›"
    done = render_canned(canned, EN, {**values, "link": "https://ex.com/{x}"})
    assert done.insertable and done.text == "Hi Анна, in 1 hour: https://ex.com/{x}"
    assert variable_prompt(canned.variables[0], "ru") == "Срок"
    assert variable_prompt(canned.variables[1], "ru") == "Link"
    assert variable_prompt(canned.variables[2], "ru") == "note"


def test_unknown_placeholders_make_a_reply_uninsertable() -> None:
    canned = CannedReply(id="u", shortcut="u", title={EN: "U"}, tags=[], bodies={EN: "Hi {custmer.name}"})
    result = render_canned(canned, EN, {})
    assert result.unknown == ("custmer.name",) and not result.insertable and "{" not in result.text


def test_actions_of_two_snippets_add_up_and_read_as_one_line() -> None:
    first = CannedActions(status=Status.PENDING, add_tags=["urgent"])
    then = CannedActions(priority=Priority.URGENT, add_tags=["password-reset", "urgent"])
    merged = merge_actions(first, then)
    assert merged == CannedActions(status=Status.PENDING, priority=Priority.URGENT,
                                   add_tags=["urgent", "password-reset"])
    assert describe_actions(merged) == "status → Pending · priority → Urgent · tags + urgent, password-reset"
    assert merge_actions(None, None) is None
