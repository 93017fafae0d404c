"""The help-article picker: fuzzy search, preview, returns the snippet to insert into a reply.

Articles come from the backend, so every title and summary is rendered from plain
strings into `Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from supportdesk_tui.api.errors import ApiError
from supportdesk_tui.contract.models import Article, Language
from supportdesk_tui.domain.fuzzy import rank
from supportdesk_tui.domain.safe_text import one_line, safe_format, safe_text, sanitize
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.widgets.safe_notify import SafeNotify

ArticleLoader = Callable[[Language], Awaitable[list[Article]]]

__all__ = ["ArticleLoader", "ArticlePicker", "article_snippet", "search_articles"]


def article_snippet(article: Article) -> str:
    """What goes into the reply: title, link and the short summary, in the article's language."""
    return f"{one_line(article.title)}\n{one_line(article.url)}\n{sanitize(article.summary).strip()}\n"


def search_articles(articles: list[Article], query: str) -> list[Article]:
    return rank(query, articles, key=lambda a: f"{a.title} {' '.join(a.tags)} {a.summary}")


class ArticlePicker(SafeNotify, ModalScreen[str | None]):
    """Dismisses with the snippet of the chosen article, or None."""

    DEFAULT_CSS = """
    ArticlePicker { align: center middle; }
    ArticlePicker > #articles-box {
        width: 90%; max-width: 130; height: 80%; min-height: 14;
        border: round $primary; border-title-color: $primary; border-subtitle-color: $text-muted;
        background: $surface; padding: 0 1;
    }
    ArticlePicker #articles-search { margin-top: 1; border: tall $border-blurred; }
    ArticlePicker #articles-search:focus { border: tall $primary; }
    ArticlePicker #articles-main { height: 1fr; }
    ArticlePicker #articles-list { width: 2fr; height: 1fr; border: none; background: $surface; }
    ArticlePicker #articles-preview-box {
        width: 3fr; height: 1fr; border-left: vkey $panel; padding-left: 2;
    }
    ArticlePicker #articles-status { height: 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Close"), id="articles.close"),
        Binding("down", "move(1)", N_("Next"), id="articles.down", show=False),
        Binding("up", "move(-1)", N_("Previous"), id="articles.up", show=False),
    ]

    def __init__(self, loader: ArticleLoader, *, language: Language, query: str = "") -> None:
        super().__init__()
        self._loader = loader
        self.language = language
        self._query = query
        self._articles: list[Article] = []
        self.shown: list[Article] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="articles-box"):
            yield Input(value=self._query, id="articles-search")
            with Horizontal(id="articles-main"):
                yield OptionList(id="articles-list")
                with VerticalScroll(id="articles-preview-box"):
                    yield Static(Text(_("Loading help articles…")), id="articles-preview")
            yield Static("", id="articles-status")

    def on_mount(self) -> None:
        self._show_labels()
        self.query_one("#articles-search", Input).focus()
        self.load()

    def _show_labels(self) -> None:
        box = self.query_one("#articles-box")
        box.border_title = _("Help articles")
        box.border_subtitle = _("↑↓ choose · enter insert · esc close")
        self.query_one("#articles-search", Input).placeholder = _("Search help articles…")

    def relabel(self) -> None:
        self._show_labels()
        if self.loaded:
            self._show_count()
            self._show_preview()

    @work(exclusive=True, group="articles-load")
    async def load(self) -> None:
        try:
            articles = await self._loader(self.language)
        except ApiError as exc:
            self.query_one("#articles-preview", Static).update(Text(one_line(exc.message)))
            self.notify(safe_text(exc.message), title=_("Help articles"), severity="error")
            return
        self._articles = [a for a in articles if a.language is self.language] or articles
        self.loaded = True
        self._refilter()

    @property
    def highlighted(self) -> Article | None:
        index = self.query_one("#articles-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self.shown):
            return None
        return self.shown[index]

    def _refilter(self) -> None:
        self.shown = search_articles(self._articles, self.query_one("#articles-search", Input).value)
        options = self.query_one("#articles-list", OptionList)
        options.clear_options()
        options.add_options([Option(Text(one_line(a.title), no_wrap=True, overflow="ellipsis"), id=str(i))
                             for i, a in enumerate(self.shown)])
        if self.shown:
            options.highlighted = 0
        self._show_count()
        self._show_preview()

    def _show_count(self) -> None:
        self.query_one("#articles-status", Static).update(
            safe_format(_("{shown} of {total} articles"), shown=len(self.shown), total=len(self._articles)))

    def _show_preview(self) -> None:
        preview = self.query_one("#articles-preview", Static)
        article = self.highlighted
        if article is None:
            preview.update(Text(_("No article matches.") if self.loaded else _("Loading help articles…")))
            return
        text = Text()
        text.append(one_line(article.title), style="bold")
        text.append("\n" + one_line(article.url) + "\n\n", style="dim")
        text.append(sanitize(article.summary))
        if article.tags:
            text.append("\n\n" + " · ".join(one_line(t) for t in article.tags), style="dim")
        preview.update(text)

    @on(Input.Changed, "#articles-search")
    def _search_changed(self) -> None:
        if self.loaded:
            self._refilter()

    @on(OptionList.OptionHighlighted, "#articles-list")
    def _highlight_changed(self) -> None:
        self._show_preview()

    @on(Input.Submitted, "#articles-search")
    @on(OptionList.OptionSelected, "#articles-list")
    def _choose(self) -> None:
        article = self.highlighted
        if article is not None:
            self.dismiss(article_snippet(article))

    def action_move(self, delta: int) -> None:
        options = self.query_one("#articles-list", OptionList)
        if not self.shown:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(len(self.shown) - 1, current + delta))

    def action_cancel(self) -> None:
        self.dismiss(None)
