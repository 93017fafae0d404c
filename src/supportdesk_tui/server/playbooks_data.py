# ruff: noqa: E501 (checklist prose reads better unwrapped)
"""Account-security playbooks: ordered, bilingual checklists for the account queues.

Plain data. Steps marked `verification` must each be recorded on the ticket
before the backend performs any account action (see `accounts.py`).
"""

from __future__ import annotations

from supportdesk_tui.contract.models import AccountAction, Language, Playbook, PlaybookStep

RU, EN = Language.RU, Language.EN
DELETION_COOLING_OFF_DAYS = 30


def _t(ru: str, en: str) -> dict[Language, str]:
    return {RU: ru, EN: en}


def _check(step_id: str, title: tuple[str, str], hint: tuple[str, str], *fields: str) -> PlaybookStep:
    return PlaybookStep(
        id=step_id,
        kind="evidence" if fields else "check",
        title=_t(*title),
        hint=_t(*hint),
        evidence_fields=list(fields),
        verification=True,
    )


def _action(
    step_id: str, action: AccountAction, title: tuple[str, str], hint: tuple[str, str]
) -> PlaybookStep:
    return PlaybookStep(id=step_id, kind="action", title=_t(*title), hint=_t(*hint), action=action)


def _reply(step_id: str, canned: str, title: tuple[str, str]) -> PlaybookStep:
    return PlaybookStep(id=step_id, kind="reply", title=_t(*title), canned_reply=canned)


ASK_FOR_PROOF = _reply(
    "ask-proof", "verify-identity", ("Запросить данные для проверки", "Ask for proof of ownership")
)
LAST_LOGIN = _check(
    "last-login",
    ("Место последнего успешного входа", "Last successful login place"),
    (
        "Сравните с журналом входов; город должен совпасть.",
        "Compare with the login log; the city must match.",
    ),
    "last_login_city",
    "last_login_device",
)
RECENT_PAYMENT = _check(
    "recent-payment",
    ("Недавний платёж", "Recent payment"),
    ("Дата и сумма одного из последних платежей.", "Date and amount of one recent payment."),
    "recent_payment",
)
PHONE_DIGITS = _check(
    "phone-digits",
    ("Последние цифры привязанного телефона", "Last digits of the linked phone"),
    (
        "Попросите 4 последние цифры; никогда не называйте номер сами.",
        "Ask for the last 4 digits; never read the number out.",
    ),
    "phone_last_digits",
)
EMAIL_MATCH = _check(
    "email-match",
    ("Письмо пришло с привязанного адреса", "Message came from the linked e-mail"),
    ("Адрес отправителя совпадает с адресом аккаунта.", "The sender address matches the account's address."),
    "email_matches",
)

PLAYBOOKS: tuple[Playbook, ...] = (
    Playbook(
        id="hacked-account",
        categories=["hacked", "security"],
        title=_t("Взломанный аккаунт", "Hacked account"),
        steps=[
            ASK_FOR_PROOF,
            LAST_LOGIN,
            RECENT_PAYMENT,
            _check(
                "creation-details",
                ("Когда и где создан аккаунт", "When and where the account was created"),
                ("Примерный год и город регистрации.", "Rough year and city of sign-up."),
                "signup_year",
                "signup_city",
            ),
            _action(
                "sign-out",
                AccountAction.SIGN_OUT_ALL,
                ("Завершить все сеансы", "Sign out all sessions"),
                ("Выкидывает злоумышленника со всех устройств.", "Kicks the intruder off every device."),
            ),
            _action(
                "reset-link",
                AccountAction.SEND_RESET_LINK,
                ("Отправить ссылку для сброса пароля", "Send a password reset link"),
                ("Только на подтверждённый адрес или телефон.", "Only to the verified address or phone."),
            ),
            _reply(
                "secured",
                "hacked-secured",
                ("Сообщить, что аккаунт защищён", "Tell them the account is secure"),
            ),
        ],
    ),
    Playbook(
        id="lost-access",
        categories=["access", "lost_access", "login", "2fa"],
        title=_t("Нет доступа к телефону и почте", "Lost access (no phone or e-mail)"),
        steps=[
            ASK_FOR_PROOF,
            LAST_LOGIN,
            RECENT_PAYMENT,
            PHONE_DIGITS,
            _action(
                "unlink-phone",
                AccountAction.UNLINK_PHONE,
                ("Отвязать старый телефон", "Unlink the old phone"),
                (
                    "Клиент привяжет новый номер после входа.",
                    "The customer links a new number after logging in.",
                ),
            ),
            _action(
                "reset-link",
                AccountAction.SEND_RESET_LINK,
                ("Отправить ссылку для сброса пароля", "Send a password reset link"),
                ("На новый подтверждённый адрес.", "To the newly verified address."),
            ),
            _reply("lost-2fa", "2fa-lost", ("Объяснить восстановление 2FA", "Explain 2FA recovery")),
        ],
    ),
    Playbook(
        id="forgotten-password",
        categories=["password"],
        title=_t("Забытый пароль", "Forgotten password"),
        steps=[
            EMAIL_MATCH,
            PHONE_DIGITS,
            _action(
                "reset-link",
                AccountAction.SEND_RESET_LINK,
                ("Отправить ссылку для сброса пароля", "Send a password reset link"),
                ("Ссылка действует 24 часа.", "The link is valid for 24 hours."),
            ),
            _reply("reset-sent", "password-reset-link", ("Отправить инструкцию", "Send the instructions")),
        ],
    ),
    Playbook(
        id="account-deletion",
        categories=["deletion", "delete"],
        title=_t("Удаление аккаунта", "Account deletion"),
        cooling_off_days=DELETION_COOLING_OFF_DAYS,
        steps=[
            EMAIL_MATCH,
            LAST_LOGIN,
            _reply(
                "offer-export", "deletion-data-export", ("Предложить выгрузку данных", "Offer a data export")
            ),
            _action(
                "schedule-deletion",
                AccountAction.SCHEDULE_DELETION,
                ("Запланировать удаление", "Schedule the deletion"),
                (
                    f"Аккаунт удалится через {DELETION_COOLING_OFF_DAYS} дней; до этого удаление можно отменить.",
                    f"The account is deleted after {DELETION_COOLING_OFF_DAYS} days; until then it can be cancelled.",
                ),
            ),
            _reply(
                "deletion-confirmed", "deletion-confirm", ("Подтвердить удаление", "Confirm the deletion")
            ),
            _reply(
                "deletion-cancelled",
                "deletion-cancel",
                ("Если передумал — отмена", "If they change their mind: cancel"),
            ),
        ],
    ),
)


def playbook_for(category: str) -> Playbook | None:
    wanted = category.strip().lower()
    return next((p for p in PLAYBOOKS if wanted in p.categories), None)


def allowed_actions(playbook: Playbook) -> set[AccountAction]:
    actions = {s.action for s in playbook.steps if s.action is not None}
    if AccountAction.SCHEDULE_DELETION in actions:
        actions.add(AccountAction.CANCEL_DELETION)
    return actions
