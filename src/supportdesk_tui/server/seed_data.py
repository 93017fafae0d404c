# ruff: noqa: E501 (customer prose reads better unwrapped than split mid-sentence)
"""The demo world: queues, agents, components, canned replies and ticket scenarios.

Plain data, kept apart from the code that turns it into rows (`seed.py`), so it
reads like what it is: a small social network's support desk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from supportdesk_tui.contract.models import (
    CannedActions,
    CannedReply,
    CannedVariable,
    Component,
    Language,
    Priority,
    Role,
    Status,
)
from supportdesk_tui.server.records import QueueRecord

RU, EN = Language.RU, Language.EN
BOTH = (RU, EN)

QUEUES: tuple[QueueRecord, ...] = (
    QueueRecord("access", "Account access", BOTH),
    QueueRecord("hacked", "Hacked accounts", BOTH),
    QueueRecord("deletion", "Account deletion", BOTH),
    QueueRecord("payments", "Payments", BOTH),
    QueueRecord("bugs-music", "Bugs: music", BOTH),
    QueueRecord("bugs-messages", "Bugs: messages", BOTH),
    QueueRecord("bugs-video", "Bugs: video", BOTH),
)
ALL_QUEUES = tuple(q.id for q in QUEUES)


@dataclass(frozen=True)
class AgentSeed:
    login: str
    name: str
    role: Role
    languages: tuple[Language, ...]
    queues: tuple[str, ...]


AGENTS: tuple[AgentSeed, ...] = (
    AgentSeed("anna", "Anna Petrova", Role.AGENT, (RU, EN), ("access", "hacked", "deletion")),
    AgentSeed(
        "boris", "Boris Ivanov", Role.AGENT, (RU,), ("payments", "bugs-music", "bugs-messages", "bugs-video")
    ),
    AgentSeed(
        "kate",
        "Kate Miller",
        Role.AGENT,
        (EN,),
        ("access", "payments", "bugs-music", "bugs-messages", "bugs-video"),
    ),
    AgentSeed("dmitry", "Dmitry Sokolov", Role.AGENT, (RU, EN), ("hacked", "deletion", "payments")),
    AgentSeed("lena", "Elena Smirnova", Role.LEAD, (RU, EN), ALL_QUEUES),
    AgentSeed("intake", "Channel gateway", Role.INTAKE, (RU, EN), ()),
)

COMPONENTS: tuple[Component, ...] = (
    Component(id="music", name="Music player"),
    Component(id="messages", name="Messages and chats"),
    Component(id="video", name="Video playback"),
    Component(id="calls", name="Voice and video calls"),
    Component(id="feed", name="News feed"),
    Component(id="login", name="Login and 2FA"),
    Component(id="payments", name="Payments and subscriptions"),
    Component(id="profile", name="Profile and settings"),
    Component(id="notifications", name="Push notifications"),
    Component(id="search", name="Search"),
)


# --- canned replies ---------------------------------------------------------------


def _var(name: str, ru: str, en: str, required: bool = True, default: str | None = None) -> CannedVariable:
    return CannedVariable(name=name, prompt={RU: ru, EN: en}, required=required, default=default)


def _reply(
    id_: str,
    shortcut: str,
    title: tuple[str, str],
    tags: list[str],
    ru: str,
    en: str,
    variables: list[CannedVariable] | None = None,
    actions: CannedActions | None = None,
) -> CannedReply:
    return CannedReply(
        id=id_,
        shortcut=shortcut,
        title={RU: title[0], EN: title[1]},
        tags=tags,
        bodies={RU: ru, EN: en},
        variables=variables or [],
        actions=actions,
    )


SIGN_RU = "\n\nС уважением,\n{agent.first_name}, служба поддержки"
SIGN_EN = "\n\nBest regards,\n{agent.first_name}, Support team"

CANNED_REPLIES: tuple[CannedReply, ...] = (
    _reply(
        "greeting",
        "hi",
        ("Приветствие", "Greeting"),
        ["general"],
        "Здравствуйте, {customer.first_name|}! Спасибо, что написали нам. Я уже разбираюсь с вашим "
        "обращением #{ticket.id}." + SIGN_RU,
        "Hi {customer.first_name|there}, thanks for reaching out. I'm looking into your request "
        "#{ticket.id} now." + SIGN_EN,
    ),
    _reply(
        "password-reset-link",
        "pwreset",
        ("Ссылка для сброса пароля", "Password reset link"),
        ["access", "password"],
        "Здравствуйте, {customer.first_name|}! Мы отправили ссылку для сброса пароля: {reset_link}\n"
        "Ссылка действует 24 часа. Если письмо не пришло, проверьте папку «Спам»." + SIGN_RU,
        "Hi {customer.first_name|there}, here is your password reset link: {reset_link}\n"
        "It is valid for 24 hours. If the email doesn't arrive, please check your spam folder." + SIGN_EN,
        [_var("reset_link", "Ссылка для сброса", "Reset link")],
        CannedActions(status=Status.PENDING, add_tags=["password-reset"]),
    ),
    _reply(
        "verify-identity",
        "verify",
        ("Подтверждение личности", "Identity verification"),
        ["access", "hacked", "security"],
        "Здравствуйте, {customer.first_name|}! Чтобы защитить ваш аккаунт, нам нужно убедиться, что он "
        "принадлежит вам. Пришлите, пожалуйста, фото, на котором вы держите лист с текстом "
        "«{verification_code}» рядом с лицом." + SIGN_RU,
        "Hi {customer.first_name|there}, to protect your account we need to confirm it belongs to you. "
        "Please send a photo of yourself holding a sheet of paper with the text "
        '"{verification_code}" next to your face.' + SIGN_EN,
        [_var("verification_code", "Код для фото", "Code for the photo")],
        CannedActions(status=Status.PENDING, add_tags=["verification"]),
    ),
    _reply(
        "2fa-lost",
        "2fa",
        ("Потерян доступ к 2FA", "Lost 2FA device"),
        ["access", "2fa"],
        "Здравствуйте, {customer.first_name|}! Если у вас нет доступа к приложению-аутентификатору, "
        "используйте один из резервных кодов. Если кодов нет, мы отключим двухфакторную защиту после "
        "проверки личности — это займёт до {review_days} дней." + SIGN_RU,
        "Hi {customer.first_name|there}, if you can't reach your authenticator app, please use one of your "
        "backup codes. If you don't have them, we can turn off two-factor protection after an identity "
        "check; this takes up to {review_days} days." + SIGN_EN,
        [_var("review_days", "Срок проверки (дней)", "Review time (days)", default="3")],
    ),
    _reply(
        "hacked-secured",
        "secured",
        ("Аккаунт защищён", "Account secured"),
        ["hacked", "security"],
        "Здравствуйте, {customer.first_name|}! Мы завершили все активные сеансы, сбросили пароль и "
        "отвязали чужой номер телефона. Задайте новый пароль по ссылке: {reset_link}\n"
        "Рекомендуем включить двухфакторную аутентификацию." + SIGN_RU,
        "Hi {customer.first_name|there}, we've ended all active sessions, reset your password and removed "
        "the phone number the intruder added. Set a new password here: {reset_link}\n"
        "We strongly recommend turning on two-factor authentication." + SIGN_EN,
        [_var("reset_link", "Ссылка для сброса", "Reset link")],
        CannedActions(status=Status.PENDING, add_tags=["secured"]),
    ),
    _reply(
        "hacked-spam",
        "spam",
        ("Рассылка спама от имени пользователя", "Spam sent from the account"),
        ["hacked"],
        "Здравствуйте, {customer.first_name|}! Сообщения со ссылками отправлялись с вашего аккаунта без "
        "вашего ведома. Мы заблокировали эти ссылки и уведомили получателей." + SIGN_RU,
        "Hi {customer.first_name|there}, the messages with links were sent from your account without your "
        "knowledge. We've blocked those links and warned the people who received them." + SIGN_EN,
    ),
    _reply(
        "deletion-confirm",
        "delconfirm",
        ("Подтверждение удаления", "Deletion confirmed"),
        ["deletion"],
        "Здравствуйте, {customer.first_name|}! Аккаунт будет удалён {deletion_date}. До этой даты вы "
        "можете отменить удаление, просто войдя в аккаунт." + SIGN_RU,
        "Hi {customer.first_name|there}, your account will be deleted on {deletion_date}. Until then you can "
        "cancel the deletion simply by logging in." + SIGN_EN,
        [_var("deletion_date", "Дата удаления", "Deletion date")],
        CannedActions(status=Status.SOLVED, add_tags=["deletion-scheduled"]),
    ),
    _reply(
        "deletion-data-export",
        "export",
        ("Выгрузка данных перед удалением", "Data export before deletion"),
        ["deletion", "privacy"],
        "Здравствуйте, {customer.first_name|}! Перед удалением вы можете скачать архив своих данных: "
        "Настройки → Конфиденциальность → Скачать мои данные. Архив готовится до 48 часов." + SIGN_RU,
        "Hi {customer.first_name|there}, before deleting you can download an archive of your data: "
        "Settings → Privacy → Download my data. The archive takes up to 48 hours to prepare." + SIGN_EN,
    ),
    _reply(
        "deletion-cancel",
        "delcancel",
        ("Отмена удаления", "Deletion cancelled"),
        ["deletion"],
        "Здравствуйте, {customer.first_name|}! Мы отменили удаление аккаунта — все данные на месте."
        + SIGN_RU,
        "Hi {customer.first_name|there}, we've cancelled the deletion; all your data is still there."
        + SIGN_EN,
        actions=CannedActions(status=Status.SOLVED),
    ),
    _reply(
        "refund-issued",
        "refund",
        ("Возврат оформлен", "Refund issued"),
        ["payments", "refund"],
        "Здравствуйте, {customer.first_name|}! Мы оформили возврат {amount}. Деньги вернутся на карту "
        "в течение 3–10 рабочих дней, в зависимости от банка." + SIGN_RU,
        "Hi {customer.first_name|there}, we've issued a refund of {amount}. It will reach your card within "
        "3–10 business days, depending on your bank." + SIGN_EN,
        [_var("amount", "Сумма возврата", "Refund amount")],
        CannedActions(status=Status.SOLVED, add_tags=["refunded"]),
    ),
    _reply(
        "double-charge",
        "double",
        ("Двойное списание", "Charged twice"),
        ["payments"],
        "Здравствуйте, {customer.first_name|}! Второе списание — это временная блокировка средств банком, "
        "она снимется автоматически в течение 72 часов. Если этого не произойдёт, ответьте на это письмо."
        + SIGN_RU,
        "Hi {customer.first_name|there}, the second charge is a temporary hold by your bank and will be "
        "released automatically within 72 hours. If it isn't, just reply to this email." + SIGN_EN,
        actions=CannedActions(status=Status.PENDING),
    ),
    _reply(
        "receipt-request",
        "receipt",
        ("Запрос чека", "Ask for the receipt"),
        ["payments"],
        "Здравствуйте, {customer.first_name|}! Пришлите, пожалуйста, чек или последние 4 цифры карты и дату "
        "платежа — так мы быстрее найдём транзакцию." + SIGN_RU,
        "Hi {customer.first_name|there}, could you send the receipt, or the last 4 digits of the card and "
        "the payment date? That helps us find the transaction quickly." + SIGN_EN,
        actions=CannedActions(status=Status.PENDING),
    ),
    _reply(
        "music-cache",
        "cache",
        ("Очистка кэша музыки", "Clear the music cache"),
        ["bugs", "music"],
        "Здравствуйте, {customer.first_name|}! Попробуйте, пожалуйста, очистить кэш: Настройки → Музыка → "
        "Очистить кэш, затем перезапустите приложение. Если не поможет, напишите версию приложения."
        + SIGN_RU,
        "Hi {customer.first_name|there}, please try clearing the cache: Settings → Music → Clear cache, then "
        "restart the app. If that doesn't help, tell us your app version." + SIGN_EN,
        actions=CannedActions(status=Status.PENDING),
    ),
    _reply(
        "need-details",
        "details",
        ("Запрос деталей об ошибке", "Ask for bug details"),
        ["bugs"],
        "Здравствуйте, {customer.first_name|}! Чтобы передать ошибку разработчикам, уточните, пожалуйста: "
        "модель устройства, версию приложения и примерное время, когда это произошло. Скриншот или запись "
        "экрана тоже очень помогут." + SIGN_RU,
        "Hi {customer.first_name|there}, to pass this on to our engineers, could you tell us your device model, "
        "app version and roughly when it happened? A screenshot or screen recording helps a lot." + SIGN_EN,
        actions=CannedActions(status=Status.PENDING, add_tags=["need-info"]),
    ),
    _reply(
        "escalated",
        "escalated",
        ("Передано разработчикам", "Passed to engineering"),
        ["bugs", "escalation"],
        "Здравствуйте, {customer.first_name|}! Мы передали проблему разработчикам (номер {escalation_key}). "
        "Как только появится исправление, я сразу напишу вам." + SIGN_RU,
        "Hi {customer.first_name|there}, we've passed this on to our engineers (reference {escalation_key}). "
        "I'll write to you as soon as there's a fix." + SIGN_EN,
        [_var("escalation_key", "Номер задачи", "Escalation key")],
        CannedActions(status=Status.ON_HOLD),
    ),
    _reply(
        "fix-released",
        "fixed",
        ("Исправление выпущено", "Fix released"),
        ["bugs", "escalation"],
        "Здравствуйте, {customer.first_name|}! Хорошие новости: ошибка исправлена в версии {app_version}. "
        "Обновите приложение, пожалуйста, и дайте знать, если что-то ещё не так." + SIGN_RU,
        "Hi {customer.first_name|there}, good news: the bug is fixed in version {app_version}. Please update "
        "the app and let us know if anything is still wrong." + SIGN_EN,
        [_var("app_version", "Версия с исправлением", "Version with the fix")],
        CannedActions(status=Status.SOLVED),
    ),
    _reply(
        "messages-not-delivered",
        "undelivered",
        ("Сообщения не доставляются", "Messages not delivered"),
        ["bugs", "messages"],
        "Здравствуйте, {customer.first_name|}! Проверьте, пожалуйста, не добавил ли вас собеседник в чёрный "
        "список и не ограничены ли сообщения в его настройках приватности." + SIGN_RU,
        "Hi {customer.first_name|there}, please check whether the other person has blocked you or limited who "
        "can message them in their privacy settings." + SIGN_EN,
    ),
    _reply(
        "video-quality",
        "video",
        ("Видео тормозит", "Video stutters"),
        ["bugs", "video"],
        "Здравствуйте, {customer.first_name|}! Попробуйте выбрать качество «Авто» в плеере и отключить "
        "режим экономии трафика. Если видео всё ещё тормозит, пришлите ссылку на ролик." + SIGN_RU,
        'Hi {customer.first_name|there}, please try setting the player quality to "Auto" and turning off '
        "data saver. If the video still stutters, send us a link to it." + SIGN_EN,
    ),
    _reply(
        "waiting-for-reply",
        "nudge",
        ("Напоминание клиенту", "Nudge the customer"),
        ["general"],
        "Здравствуйте, {customer.first_name|}! Напоминаю о вашем обращении #{ticket.id} — нам всё ещё нужна "
        "информация от вас. Если вопрос решён, просто ответьте «решено»." + SIGN_RU,
        "Hi {customer.first_name|there}, just following up on request #{ticket.id}: we still need a bit of "
        'information from you. If it\'s sorted, just reply "solved".' + SIGN_EN,
        actions=CannedActions(status=Status.PENDING),
    ),
    _reply(
        "closing",
        "bye",
        ("Завершение", "Closing"),
        ["general"],
        "Рады, что всё получилось, {customer.first_name|}! Если понадобится помощь, просто ответьте на это "
        "письмо." + SIGN_RU,
        "Glad it's sorted, {customer.first_name|}! If you need anything else, just reply to this email."
        + SIGN_EN,
        actions=CannedActions(status=Status.SOLVED),
    ),
    _reply(
        "wrong-queue",
        "transfer",
        ("Передача в другую очередь", "Transferred"),
        ["general"],
        "Здравствуйте, {customer.first_name|}! Я передал(а) ваш вопрос коллегам из отдела «{queue.name}» — "
        "они ответят в ближайшее время." + SIGN_RU,
        "Hi {customer.first_name|there}, I've passed your question to our {queue.name} team; they'll get back "
        "to you shortly." + SIGN_EN,
    ),
    _reply(
        "urgent-ack",
        "urgent",
        ("Срочное: приняли в работу", "Urgent: on it"),
        ["general", "urgent"],
        "Здравствуйте, {customer.first_name|}! Мы видим, что дело срочное, и уже занимаемся им. "
        "Следующее обновление — в течение {eta}." + SIGN_RU,
        "Hi {customer.first_name|there}, we can see this is urgent and we're on it. You'll hear from us "
        "again within {eta}." + SIGN_EN,
        [_var("eta", "Срок следующего ответа", "Time to next update", default="1 hour")],
        CannedActions(priority=Priority.URGENT, add_tags=["urgent"]),
    ),
)


# --- people --------------------------------------------------------------------

RU_FIRST = (
    "Алексей", "Мария", "Иван", "Ольга", "Сергей", "Наталья", "Андрей", "Екатерина", "Павел", "Татьяна",
    "Михаил", "Юлия", "Никита", "Анастасия", "Артём", "Светлана", "Владимир", "Ксения", "Егор", "Дарья",
)  # fmt: skip
RU_LAST = (
    ("Смирнов", "Смирнова"), ("Кузнецов", "Кузнецова"), ("Попов", "Попова"), ("Васильев", "Васильева"),
    ("Новиков", "Новикова"), ("Фёдоров", "Фёдорова"), ("Морозов", "Морозова"), ("Волков", "Волкова"),
    ("Алексеев", "Алексеева"), ("Лебедев", "Лебедева"), ("Семёнов", "Семёнова"), ("Егоров", "Егорова"),
)  # fmt: skip
RU_FEMALE = frozenset(
    {"Мария", "Ольга", "Наталья", "Екатерина", "Татьяна", "Юлия", "Анастасия", "Светлана", "Ксения", "Дарья"}
)
RU_LATIN = {
    "Алексей": "alexey", "Мария": "maria", "Иван": "ivan", "Ольга": "olga", "Сергей": "sergey",
    "Наталья": "natalia", "Андрей": "andrey", "Екатерина": "ekaterina", "Павел": "pavel", "Татьяна": "tatiana",
    "Михаил": "mikhail", "Юлия": "yulia", "Никита": "nikita", "Анастасия": "anastasia", "Артём": "artem",
    "Светлана": "svetlana", "Владимир": "vladimir", "Ксения": "ksenia", "Егор": "egor", "Дарья": "daria",
}  # fmt: skip
EN_FIRST = (
    "James", "Emily", "Michael", "Sarah", "David", "Jessica", "Daniel", "Laura", "Chris", "Olivia",
    "Ryan", "Sophie", "Tom", "Hannah", "Jack", "Grace", "Luke", "Chloe", "Ben", "Megan",
)  # fmt: skip
EN_LAST = (
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Roberts", "Walker",
    "Wright", "Green", "Hall", "Wood", "Clarke", "Hughes",
)  # fmt: skip
MAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")

PLATFORMS = (
    ("Android 14", "Samsung Galaxy S23"),
    ("Android 13", "Xiaomi Redmi Note 12"),
    ("Android 12", "Google Pixel 6"),
    ("iOS 18.1", "iPhone 15"),
    ("iOS 17.6", "iPhone 12 mini"),
    ("iOS 18.0", "iPad Air"),
    ("Web", "Chrome 131 on Windows 11"),
    ("Web", "Firefox 133 on Ubuntu"),
)
APP_VERSIONS = ("8.41.0", "8.40.2", "8.40.1", "8.39.0", "8.38.5")


# --- ticket scenarios ------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    category: str
    weight: int
    subjects: dict[Language, tuple[str, ...]]
    bodies: dict[Language, tuple[str, ...]]
    followups: dict[Language, tuple[str, ...]]
    replies: dict[Language, tuple[str, ...]]
    notes: tuple[str, ...]
    tags: tuple[str, ...]
    priorities: tuple[tuple[Priority, int], ...] = (
        (Priority.NORMAL, 6),
        (Priority.HIGH, 2),
        (Priority.LOW, 2),
    )
    bug: bool = False
    account_states: tuple[str, ...] = ("active",)
    component: str | None = None
    extra_tags: tuple[str, ...] = field(default=())


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        category="password",
        weight=14,
        subjects={
            RU: (
                "Не могу войти — забыла пароль",
                "Не приходит письмо для сброса пароля",
                "Не помню пароль от аккаунта",
                "Сброс пароля не работает",
            ),
            EN: (
                "Can't log in, forgot my password",
                "Password reset email never arrives",
                "Forgot password",
                "Reset link says it has expired",
            ),
        },
        bodies={
            RU: (
                "Здравствуйте! Не могу войти в аккаунт, пароль не подходит. Нажимаю «Забыли пароль», но письмо "
                "не приходит уже второй день. Почта та же, что и при регистрации.",
                "Добрый день. Сменила телефон и не помню пароль. Код по СМС не приходит, номер старый. "
                "Помогите восстановить доступ, там все мои фотографии.",
                "Пытаюсь сбросить пароль, а сайт пишет «ссылка устарела». Пробовал три раза.",
            ),
            EN: (
                'Hello, I can\'t log into my account. I clicked "Forgot password" but the reset email never '
                "arrives. I checked spam too.",
                "Hi, I got a new phone and I don't remember my password. The SMS code goes to my old number. "
                "Please help, all my photos are there.",
                "Every time I open the reset link it says it has expired. Tried three times today.",
            ),
        },
        followups={
            RU: (
                "Письмо так и не пришло, что делать?",
                "Есть новости? Мне очень нужен доступ.",
                "Проверил спам — пусто.",
            ),
            EN: (
                "Still no email, what should I do?",
                "Any news? I really need access to my account.",
                "Checked spam, nothing there.",
            ),
        },
        replies={
            RU: (
                "Здравствуйте! Отправили новую ссылку для сброса пароля на вашу почту, она действует 24 часа.",
                "Здравствуйте! Привязали новый номер после проверки, попробуйте войти по коду из СМС.",
            ),
            EN: (
                "Hi! We've sent a fresh password reset link to your email; it's valid for 24 hours.",
                "Hi! After the check we've linked your new number; please try logging in with the SMS code.",
            ),
        },
        notes=(
            "Почта подтверждена, последний вход 3 недели назад с того же устройства.",
            "Checked mail logs: reset emails were bounced by the provider, resent via backup sender.",
        ),
        tags=("password",),
        priorities=((Priority.NORMAL, 6), (Priority.HIGH, 2), (Priority.LOW, 2)),
    ),
    Scenario(
        category="hacked",
        weight=11,
        subjects={
            RU: (
                "Мой аккаунт взломали",
                "От моего имени рассылают спам",
                "Кто-то сменил пароль и почту",
                "Взлом страницы, срочно!",
            ),
            EN: (
                "My account was hacked",
                "Someone is sending spam from my account",
                "Password and email changed, not by me",
                "Hacked — please lock my account",
            ),
        },
        bodies={
            RU: (
                "Здравствуйте, мою страницу взломали: сменили пароль и почту, друзьям приходят сообщения с "
                "просьбой занять денег. Я ничего такого не писал!",
                "Сегодня утром пришло уведомление о входе из другого города, а потом меня выкинуло из аккаунта. "
                "Пароль не подходит.",
            ),
            EN: (
                "Hi, my account has been hacked. The password and email were changed and my friends are getting "
                "messages asking for money. That's not me!",
                "This morning I got a login alert from another country and then I was logged out. My password "
                "no longer works.",
            ),
        },
        followups={
            RU: (
                "Пожалуйста, быстрее, они продолжают писать моим друзьям!",
                "Отправил фото, как вы просили.",
            ),
            EN: ("Please hurry, they keep messaging my friends!", "I've sent the photo you asked for."),
        },
        replies={
            RU: (
                "Здравствуйте! Мы временно заблокировали аккаунт, чтобы остановить рассылку. Для восстановления "
                "нужно подтвердить личность.",
            ),
            EN: (
                "Hi! We've temporarily locked the account to stop the messages. To restore it we need to confirm "
                "your identity.",
            ),
        },
        notes=(
            "Вход с нового IP, смена почты через 4 минуты после входа. Похоже на фишинг.",
            "Sessions terminated, phone number added by attacker removed.",
        ),
        tags=("hacked", "security"),
        priorities=((Priority.URGENT, 4), (Priority.HIGH, 5), (Priority.NORMAL, 1)),
        account_states=("locked", "locked", "active"),
    ),
    Scenario(
        category="deletion",
        weight=8,
        subjects={
            RU: ("Удалить аккаунт", "Прошу удалить мои данные", "Как отменить удаление страницы?"),
            EN: ("Delete my account", "Please erase my personal data", "How do I cancel account deletion?"),
        },
        bodies={
            RU: (
                "Здравствуйте. Хочу полностью удалить свой аккаунт и все данные. В настройках кнопка не "
                "срабатывает.",
                "Случайно нажал «удалить страницу». Можно это отменить? Там переписка за много лет.",
            ),
            EN: (
                "Hello. I want to delete my account and all my data permanently. The button in settings does "
                "nothing.",
                "I accidentally requested account deletion. Can it be undone? Years of messages are in there.",
            ),
        },
        followups={
            RU: ("Когда аккаунт будет удалён?", "Спасибо, а фотографии тоже удалятся?"),
            EN: ("When will the account actually be deleted?", "Thanks, will my photos be deleted too?"),
        },
        replies={
            RU: (
                "Здравствуйте! Удаление запланировано, до его даты можно передумать, просто войдя в аккаунт.",
            ),
            EN: ("Hi! The deletion is scheduled; until then you can change your mind simply by logging in.",),
        },
        notes=("Запрос по GDPR/152-ФЗ, срок ответа 30 дней.", "Identity confirmed by email link."),
        tags=("deletion", "privacy"),
        priorities=((Priority.NORMAL, 5), (Priority.LOW, 4), (Priority.HIGH, 1)),
        account_states=("deletion_scheduled", "active", "active"),
    ),
    Scenario(
        category="payment",
        weight=11,
        subjects={
            RU: (
                "Деньги списали дважды",
                "Подписка оплачена, но не активна",
                "Верните деньги за подписку",
                "Не проходит оплата картой",
            ),
            EN: (
                "Charged twice for the subscription",
                "Paid but premium is not active",
                "Refund request",
                "Card payment keeps failing",
            ),
        },
        bodies={
            RU: (
                "Здравствуйте! За музыкальную подписку с карты списали 299 ₽ два раза подряд. Верните, "
                "пожалуйста, лишний платёж.",
                "Оплатил подписку, деньги списались, а в приложении всё ещё бесплатный тариф.",
            ),
            EN: (
                "Hi, I was charged $4.99 twice for the music subscription on the same day. Please refund the "
                "extra payment.",
                "I paid for premium, the money left my account, but the app still shows the free plan.",
            ),
        },
        followups={
            RU: ("Прикладываю чек из банка.", "Прошла неделя, деньги так и не вернулись."),
            EN: ("Attaching the bank statement.", "It's been a week and the refund hasn't arrived."),
        },
        replies={
            RU: ("Здравствуйте! Нашли оба платежа, оформили возврат второго. Деньги вернутся за 3–10 дней.",),
            EN: ("Hi! We found both payments and refunded the second one. It'll reach you in 3–10 days.",),
        },
        notes=(
            "Двойное списание из-за повтора запроса платёжным шлюзом, см. PAY-incident.",
            "Store receipt verified; subscription re-synced manually.",
        ),
        tags=("payments",),
        priorities=((Priority.HIGH, 4), (Priority.NORMAL, 5), (Priority.URGENT, 1)),
    ),
    Scenario(
        category="music",
        weight=10,
        subjects={
            RU: (
                "Музыка не воспроизводится",
                "Треки обрываются на середине",
                "Не скачивается музыка в офлайн",
            ),
            EN: ("Music won't play", "Songs stop halfway through", "Offline downloads fail"),
        },
        bodies={
            RU: (
                "После обновления приложения музыка не играет: нажимаю на трек, крутится загрузка и всё.",
                "Песни обрываются примерно на середине и переключаются на следующую. Интернет нормальный.",
            ),
            EN: (
                "Since the last update music won't play: I tap a song, the spinner goes round forever.",
                "Songs cut off around the middle and skip to the next one. My connection is fine.",
            ),
        },
        followups={
            RU: ("Кэш очистил, не помогло.", "Версия 8.41.0, телефон Samsung."),
            EN: ("Cleared the cache, didn't help.", "Version 8.41.0 on a Pixel."),
        },
        replies={
            RU: ("Здравствуйте! Попробуйте очистить кэш музыки и перезапустить приложение.",),
            EN: ("Hi! Please try clearing the music cache and restarting the app.",),
        },
        notes=("Похоже на регрессию в 8.41.0, несколько похожих обращений за сутки.",),
        tags=("bug", "music"),
        bug=True,
        component="music",
    ),
    Scenario(
        category="messages",
        weight=9,
        subjects={
            RU: ("Сообщения не доставляются", "Не приходят уведомления о сообщениях", "Пропала переписка"),
            EN: ("Messages not delivered", "No notifications for new messages", "A whole chat disappeared"),
        },
        bodies={
            RU: (
                "Отправляю сообщения другу, а они висят с часиками и не доставляются уже час.",
                "Пропала вся переписка с одним человеком, у него она на месте.",
            ),
            EN: (
                "My messages to a friend are stuck with a clock icon and haven't been delivered for an hour.",
                "A whole conversation with one person vanished; they still see it on their side.",
            ),
        },
        followups={
            RU: ("Теперь то же самое и в других чатах.", "Переустановил приложение — без изменений."),
            EN: ("Now it's happening in other chats too.", "Reinstalled the app, no change."),
        },
        replies={
            RU: ("Здравствуйте! Уточните, пожалуйста, модель телефона и версию приложения.",),
            EN: ("Hi! Could you tell us your phone model and app version?",),
        },
        notes=("Проблема воспроизводится на Android 14 при слабом сигнале.",),
        tags=("bug", "messages"),
        bug=True,
        component="messages",
    ),
    Scenario(
        category="video",
        weight=7,
        subjects={
            RU: ("Видео тормозит", "Нет звука в видео", "Видеозвонок обрывается"),
            EN: ("Video stutters", "No sound in videos", "Video calls drop after a minute"),
        },
        bodies={
            RU: (
                "Любое видео в ленте дёргается и зависает, хотя на YouTube всё нормально.",
                "Во время видеозвонка через минуту пропадает картинка, потом звонок обрывается.",
            ),
            EN: (
                "Every video in the feed stutters and freezes, while other apps play fine.",
                "During video calls the picture freezes after about a minute and then the call drops.",
            ),
        },
        followups={
            RU: ("Качество «Авто» не помогло.", "Вот запись экрана."),
            EN: ("Setting quality to Auto didn't help.", "Here's a screen recording."),
        },
        replies={
            RU: ("Здравствуйте! Попробуйте выставить качество «Авто» и отключить экономию трафика.",),
            EN: ('Hi! Please try "Auto" quality and turning off data saver.',),
        },
        notes=("CDN в регионе клиента деградировал вчера вечером.",),
        tags=("bug", "video"),
        bug=True,
        component="video",
    ),
)

ESCALATION_SUMMARIES: dict[str, tuple[str, str, str, str]] = {
    # component: (summary, steps, expected, actual)
    "music": (
        "Playback spinner never ends after 8.41.0 update",
        "1. Update to 8.41.0\n2. Open Music\n3. Tap any track",
        "The track starts within a second",
        "Endless spinner; nothing plays",
    ),
    "messages": (
        "Messages stuck in 'sending' on weak connections",
        "1. Android 14, throttle network to 2G\n2. Send a message in any chat",
        "Message is delivered once the connection recovers",
        "Message stays with the clock icon forever",
    ),
    "video": (
        "Feed videos stutter on mid-range Android devices",
        "1. Open the feed on a Redmi Note 12\n2. Play any video",
        "Smooth playback",
        "Frames drop every second, audio desyncs",
    ),
}

# The follow-ups that say a photo was sent carry one (server/seed_image.py).
PHOTO_SENT = frozenset({"Отправил фото, как вы просили.", "I've sent the photo you asked for."})
