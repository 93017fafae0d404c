"""The playbook checklist and the help-article picker, driven from the keyboard."""

from __future__ import annotations

from test_widget_fakes import WidgetHost
from textual.widgets import Input

from supportdesk_tui.contract.models import Article, Language, Playbook
from supportdesk_tui.screens.articles import ArticlePicker, article_snippet, search_articles
from supportdesk_tui.widgets.playbook_panel import PlaybookPanel, StepRow

PLAYBOOK = Playbook.model_validate({
    "id": "hacked",
    "categories": ["account_hacked"],
    "title": {"ru": "Взлом аккаунта", "en": "Hacked account"},
    "steps": [
        {"id": "last_login", "kind": "check", "verification": True,
         "title": {"ru": "Город последнего входа", "en": "Last login city"},
         "evidence_fields": ["city"]},
        {"id": "sign_out", "kind": "action", "action": "sign_out_all",
         "title": {"ru": "Завершить все сеансы", "en": "Sign out everywhere"}},
    ],
})

ARTICLES = [
    Article(id="2fa-ru", language=Language.RU, title="Двухфакторная защита входа",
            summary="Включите защиту в настройках безопасности.", url="https://help.example/ru/2fa",
            tags=["безопасность"]),
    Article(id="music-ru", language=Language.RU, title="Музыка не играет",
            summary="Проверьте подписку и перезапустите приложение.", url="https://help.example/ru/music"),
    Article(id="2fa-en", language=Language.EN, title="Two-factor login",
            summary="Turn it on in security settings.", url="https://help.example/en/2fa"),
]


class PanelHost(WidgetHost):
    def __init__(self) -> None:
        super().__init__([PlaybookPanel(PLAYBOOK, Language.RU)])
        self.ticked: list[PlaybookPanel.StepTicked] = []
        self.actions: list[PlaybookPanel.ActionRequested] = []

    def on_playbook_panel_step_ticked(self, event: PlaybookPanel.StepTicked) -> None:
        self.ticked.append(event)

    def on_playbook_panel_action_requested(self, event: PlaybookPanel.ActionRequested) -> None:
        self.actions.append(event)


async def test_agent_ticks_a_step_and_only_field_names_leave_the_panel() -> None:
    app = PanelHost()
    async with app.run_test() as pilot:
        panel = app.query_one(PlaybookPanel)
        rows = panel.rows()
        rows[0].query_one(Input).value = "Казань"
        rows[0].focus()
        await pilot.press("space")
        await pilot.pause()
        assert [e.step.id for e in app.ticked] == ["last_login"]
        assert app.ticked[0].evidence_fields == ["city"]
        assert "Казань" not in repr(app.ticked[0].evidence_fields)


async def test_action_step_says_why_it_is_refused_until_verification_is_done() -> None:
    app = PanelHost()
    async with app.run_test() as pilot:
        panel = app.query_one(PlaybookPanel)
        action_row = panel.query_one("#step-sign_out", StepRow)
        assert "Город последнего входа" in action_row.refusal
        action_row.focus()
        await pilot.press("space")
        await pilot.pause()
        assert [e.action.value for e in app.actions] == ["sign_out_all"]
        panel.mark_done("last_login")
        assert action_row.refusal == ""
        assert panel.missing_verification() == []


def test_russian_article_snippet_has_title_link_and_summary() -> None:
    found = search_articles(ARTICLES, "двухф")
    snippet = article_snippet(found[0])
    assert snippet.splitlines() == ["Двухфакторная защита входа", "https://help.example/ru/2fa",
                                    "Включите защиту в настройках безопасности."]


async def test_agent_picks_an_article_in_the_customers_language() -> None:
    results: list[str | None] = []

    async def loader(language: Language) -> list[Article]:
        return ARTICLES

    app = WidgetHost([])
    async with app.run_test() as pilot:
        app.push_screen(ArticlePicker(loader, language=Language.RU), results.append)
        await pilot.pause()
        await pilot.press(*"музыка")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert results and results[0] is not None
    assert results[0].startswith("Музыка не играет\nhttps://help.example/ru/music")


async def test_one_time_code_is_masked_in_the_thread_and_revealed_on_demand() -> None:
    from test_widget_fakes import NOW, make_message

    from supportdesk_tui.widgets.thread import MessageCard, Thread

    thread = Thread(clock=lambda: NOW, id="thread")
    app = WidgetHost([thread])
    async with app.run_test() as pilot:
        thread.set_messages([make_message(1, "customer", "Пришёл код 482913, это мошенники?")])
        await pilot.pause()
        card = thread.last_masked_card()
        assert card is not None
        assert "482913" not in card.shown_text()
        card.reveal(60)
        assert "482913" in card.shown_text()
        card.hide_secrets()
        assert "482913" not in card.shown_text()
        assert isinstance(card, MessageCard)
