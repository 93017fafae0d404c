# ruff: noqa: E501 (article prose reads better unwrapped)
"""The help centre: short bilingual articles agents link when teaching users."""

from __future__ import annotations

from supportdesk_tui.contract.models import Article, Language

HELP_BASE = "https://help.example.invalid"

# slug, tags, (ru title, ru summary), (en title, en summary)
_TOPICS: tuple[tuple[str, tuple[str, ...], tuple[str, str], tuple[str, str]], ...] = (
    (
        "privacy-settings",
        ("privacy", "settings", "приватность", "настройки"),
        (
            "Настройки приватности",
            "Кто видит ваши публикации, друзей и фотографии и как это изменить в разделе «Приватность».",
        ),
        ("Privacy settings", "Choose who sees your posts, friends and photos in Settings → Privacy."),
    ),
    (
        "two-factor",
        ("2fa", "security", "login", "безопасность", "вход"),
        (
            "Двухфакторная аутентификация",
            "Как включить подтверждение входа по коду из SMS или приложения и сохранить резервные коды.",
        ),
        (
            "Two-factor login",
            "Turn on login confirmation with a code from SMS or an authenticator app, and keep your backup codes.",
        ),
    ),
    (
        "recover-access",
        ("access", "login", "recovery", "доступ", "восстановление"),
        (
            "Восстановление доступа",
            "Что делать, если нет доступа к телефону или почте: заявка на восстановление и проверка личности.",
        ),
        (
            "Recovering access",
            "No access to your phone or e-mail? File a recovery request and confirm it is you.",
        ),
    ),
    (
        "music-playback",
        ("music", "playback", "музыка"),
        ("Музыка не воспроизводится", "Очистите кэш музыки, проверьте подписку и обновите приложение."),
        ("Music won't play", "Clear the music cache, check your subscription and update the app."),
    ),
    (
        "blocking",
        ("block", "blacklist", "блокировка", "чёрный список"),
        (
            "Как заблокировать пользователя",
            "Заблокированный человек не сможет писать вам и видеть вашу страницу.",
        ),
        ("Blocking someone", "A blocked person can't message you or see your profile."),
    ),
    (
        "delete-account",
        ("deletion", "delete", "удаление"),
        (
            "Удаление аккаунта",
            "Как удалить страницу, что происходит в течение 30 дней и как отменить удаление.",
        ),
        (
            "Deleting your account",
            "How to delete your profile, what happens during the 30 days and how to cancel.",
        ),
    ),
    (
        "hacked-account",
        ("hacked", "security", "взлом", "безопасность"),
        (
            "Мой аккаунт взломали",
            "Завершите все сеансы, смените пароль и проверьте привязанные телефон и почту.",
        ),
        (
            "My account was hacked",
            "Sign out of all sessions, change your password and check the linked phone and e-mail.",
        ),
    ),
    (
        "password-reset",
        ("password", "reset", "пароль", "сброс"),
        (
            "Как сбросить пароль",
            "Ссылка для сброса приходит на привязанную почту или телефон и действует 24 часа.",
        ),
        (
            "Resetting your password",
            "The reset link goes to your linked e-mail or phone and is valid for 24 hours.",
        ),
    ),
    (
        "notifications",
        ("notifications", "push", "уведомления"),
        (
            "Уведомления не приходят",
            "Проверьте разрешения приложения, режим «Не беспокоить» и настройки уведомлений.",
        ),
        (
            "Notifications don't arrive",
            "Check app permissions, Do Not Disturb and your notification settings.",
        ),
    ),
    (
        "video-playback",
        ("video", "playback", "видео"),
        (
            "Видео тормозит или не открывается",
            "Снизьте качество, проверьте соединение и обновите приложение.",
        ),
        ("Video stutters or won't open", "Lower the quality, check your connection and update the app."),
    ),
    (
        "messages-not-delivered",
        ("messages", "chat", "сообщения"),
        (
            "Сообщения не доставляются",
            "Возможно, собеседник ограничил, кто может ему писать, или вас заблокировал.",
        ),
        (
            "Messages not delivered",
            "The other person may limit who can message them, or may have blocked you.",
        ),
    ),
    (
        "payments-refunds",
        ("payment", "refund", "billing", "оплата", "возврат"),
        ("Платежи и возвраты", "Как найти чек, оформить возврат и что делать при двойном списании."),
        (
            "Payments and refunds",
            "Find a receipt, request a refund and what to do when you were charged twice.",
        ),
    ),
    (
        "subscription",
        ("subscription", "premium", "подписка"),
        ("Управление подпиской", "Как продлить, отменить или сменить способ оплаты подписки."),
        ("Managing your subscription", "Renew, cancel or change how you pay for your subscription."),
    ),
    (
        "profile-visibility",
        ("profile", "privacy", "профиль", "закрытый профиль"),
        ("Закрытый профиль", "Сделайте профиль закрытым, чтобы его видели только друзья."),
        ("Private profile", "Make your profile private so only friends can see it."),
    ),
    (
        "report-spam",
        ("spam", "report", "спам", "жалоба"),
        ("Как пожаловаться на спам", "Отправьте жалобу из меню сообщения или страницы; мы проверим её."),
        ("Reporting spam", "Report a message or a profile from its menu; we review every report."),
    ),
    (
        "login-alerts",
        ("security", "login", "alerts", "вход", "безопасность"),
        ("Оповещения о входе", "Получайте уведомление, когда в аккаунт входят с нового устройства."),
        ("Login alerts", "Get notified when someone logs in to your account from a new device."),
    ),
    (
        "data-export",
        ("export", "data", "privacy", "данные", "выгрузка"),
        ("Выгрузка своих данных", "Как получить архив с сообщениями, фотографиями и историей действий."),
        ("Downloading your data", "Get an archive of your messages, photos and activity history."),
    ),
)


def _build() -> tuple[Article, ...]:
    articles: list[Article] = []
    for slug, tags, ru, en in _TOPICS:
        for language, (title, summary) in ((Language.RU, ru), (Language.EN, en)):
            articles.append(
                Article(
                    id=f"{slug}-{language.value}",
                    language=language,
                    title=title,
                    summary=summary,
                    url=f"{HELP_BASE}/{language.value}/articles/{slug}",
                    tags=list(tags),
                )
            )
    return tuple(articles)


ARTICLES: tuple[Article, ...] = _build()


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def search_articles(q: str | None, language: Language | None) -> list[Article]:
    """Articles whose title, summary or tags contain every word of `q`; title hits rank first."""
    words = _fold(q or "").split()
    scored: list[tuple[int, int, Article]] = []
    for position, article in enumerate(ARTICLES):
        if language is not None and article.language != language:
            continue
        title = _fold(article.title)
        haystack = " ".join((title, _fold(article.summary), *(_fold(t) for t in article.tags)))
        if not all(w in haystack for w in words):
            continue
        scored.append((-sum(w in title for w in words), position, article))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [article for _, _, article in scored]
