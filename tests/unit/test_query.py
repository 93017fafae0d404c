"""The agent filters the queue by typing a query in the filter bar."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk_tui.contract.models import Language, Priority, Status, TicketSort
from supportdesk_tui.domain.query import QueryError, TicketQuery, format_query, parse_query


def test_agent_filters_by_every_key_at_once() -> None:
    q = parse_query(
        "status:open,pending lang:ru tag:hacked priority:urgent assignee:me queue:ru-security "
        "sort:-created_at #1234 can't log in"
    )
    assert q == TicketQuery(
        statuses=(Status.OPEN, Status.PENDING),
        priorities=(Priority.URGENT,),
        language=Language.RU,
        tags=("hacked",),
        assignee="me",
        queue="ru-security",
        sort=TicketSort.CREATED_DESC,
        text="#1234 can't log in",
    )
    assert q.to_params() == {
        "status": "open,pending",
        "priority": "urgent",
        "language": "ru",
        "tag": "hacked",
        "assignee": "me",
        "queue": "ru-security",
        "sort": "-created_at",
        "q": "#1234 can't log in",
    }


def test_empty_query_sends_no_filters() -> None:
    q = parse_query("   ")
    assert q.is_empty
    assert q.to_params() == {}
    assert format_query(q) == ""


def test_language_is_an_alias_of_lang_and_keys_ignore_case() -> None:
    assert parse_query("language:EN").language is Language.EN
    assert parse_query("LANG:ru Status:OPEN").statuses == (Status.OPEN,)


def test_quoted_tag_values_may_contain_spaces_and_commas() -> None:
    assert parse_query('tag:"two words"').tags == ("two words",)
    assert parse_query('tag:"a,b"').tags == ("a,b",)


def test_repeated_list_keys_accumulate_without_duplicates() -> None:
    q = parse_query("status:open status:pending,open tag:x tag:x")
    assert q.statuses == (Status.OPEN, Status.PENDING)
    assert q.tags == ("x",)


def test_the_api_filters_by_one_tag_at_a_time() -> None:
    with pytest.raises(QueryError) as info:
        parse_query("tag:x tag:y")
    assert info.value.message == "tag: one tag at a time for now"
    assert info.value.position == 10


def test_friendly_aliases_for_status_and_sort() -> None:
    q = parse_query("status:on-hold sort:newest")
    assert q.statuses == (Status.ON_HOLD,)
    assert q.sort is TicketSort.CREATED_DESC


def test_assignee_accepts_me_none_and_a_login() -> None:
    assert parse_query("assignee:NONE").assignee == "none"
    assert parse_query("assignee:a.petrova").assignee == "a.petrova"


def test_agent_is_told_which_statuses_exist() -> None:
    with pytest.raises(QueryError) as info:
        parse_query("lang:ru status:open,opn")
    assert info.value.message == (
        "unknown status 'opn' — use one of new, open, pending, on_hold, solved, closed"
    )
    assert info.value.position == 20


@pytest.mark.parametrize(
    ("query", "fragment", "position"),
    [
        ("stauts:open", "unknown filter 'stauts:'", 0),
        ("x priority:hgh", "unknown priority 'hgh'", 11),
        ("lang:de", "unknown language 'de' — use one of ru, en", 5),
        ("sort:name", "unknown sort order 'name'", 5),
        ("status:", "status: needs a value", 0),
        ("status:open,", "status: needs a value", 12),
        ("lang:ru lang:en", "lang: takes one value", 8),
        ("lang:ru,en", "lang: takes one value", 0),
        ('tag:"unclosed', "unclosed quote", 4),
        ('tag:a"b"', "separate values with commas", 5),
        ("assignee:who?", "is not a login", 9),
    ],
)
def test_agent_gets_a_clear_error_with_a_position(query: str, fragment: str, position: int) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(query)
    assert fragment in str(info.value)
    assert info.value.position == position


def test_prose_with_colons_and_urls_is_free_text() -> None:
    q = parse_query("Note: see https://example.com/x at 10:30")
    assert q.text == "Note: see https://example.com/x at 10:30"


def test_quotes_let_the_agent_search_for_text_that_looks_like_a_filter() -> None:
    q = parse_query('"status:open" "two  words"')
    assert q.statuses == ()
    assert q.text == "status:open two words"
    assert parse_query(format_query(q)) == q


def test_cyrillic_free_text_and_tags() -> None:
    q = parse_query("tag:взлом не могу войти")
    assert q.tags == ("взлом",)
    assert q.text == "не могу войти"


def test_format_query_is_canonical() -> None:
    q = parse_query("#12 language:en prio:high,low status:new tag:'x' sort:sla")
    assert format_query(q) == "status:new priority:high,low lang:en tag:'x' sort:sla_due #12"


@settings(max_examples=200)
@given(
    st.text(
        alphabet=st.sampled_from(list('status:open,pending lang:ru tag:"a b",c\\ ё#1 prio:low http://x')),
        max_size=40,
    )
)
def test_any_query_that_parses_round_trips_through_format(source: str) -> None:
    try:
        q = parse_query(source)
    except QueryError as exc:
        assert 0 <= exc.position <= len(source)
        return
    assert parse_query(format_query(q)) == q


words = st.text(st.characters(exclude_categories=("Cs", "Z", "Cc")), min_size=1, max_size=8)


@settings(max_examples=200)
@given(
    st.builds(
        TicketQuery,
        statuses=st.lists(st.sampled_from(Status), unique=True).map(tuple),
        priorities=st.lists(st.sampled_from(Priority), unique=True).map(tuple),
        language=st.none() | st.sampled_from(Language),
        tags=st.lists(words, unique=True, max_size=1).map(tuple),
        assignee=st.none() | st.sampled_from(["me", "none", "a.petrova"]),
        queue=st.none() | words,
        sort=st.none() | st.sampled_from(TicketSort),
        text=st.lists(words, max_size=4).map(" ".join),
    )
)
def test_any_query_object_survives_format_then_parse(q: TicketQuery) -> None:
    assert parse_query(format_query(q)) == q


def test_a_lone_ticket_number_can_be_opened_directly() -> None:
    assert parse_query(" #1234 ").ticket_ref == 1234
    assert parse_query("#1234 login").ticket_ref is None
    assert parse_query("status:open #1234").ticket_ref is None
    assert parse_query("#12a").ticket_ref is None
