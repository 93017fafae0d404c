"""The secret detector: what customers paste is masked, ordinary text in both languages is not."""

from __future__ import annotations

import pytest

from supportdesk_tui.domain.secrets import (
    find_secrets,
    looks_sensitive_for_sending,
    luhn_ok,
    mask_secrets,
)


@pytest.mark.parametrize(
    ("text", "hidden", "shown"),
    [
        ("Мне пришёл код 482913, что делать?", "482913", "••••••"),
        ("Код из СМС: 4829", "4829", "••••••"),
        ("my code is 482 913", "482 913", "••••••"),
        ("OTP: 55120937", "55120937", "••••••"),
        ("Вот одноразовый код — 731204", "731204", "••••••"),
    ],
)
def test_agent_sees_one_time_codes_masked(text: str, hidden: str, shown: str) -> None:
    masked, secrets = mask_secrets(text)
    assert hidden not in masked
    assert shown in masked
    assert [s.kind for s in secrets] == ["code"]


@pytest.mark.parametrize(
    "text",
    [
        "Номер карты 4111 1111 1111 1111, спишите деньги",
        "card 4111111111111111 was charged twice",
        "карта 5500-0000-0000-0004",
    ],
)
def test_agent_sees_card_numbers_masked_with_last_four_digits(text: str) -> None:
    masked, secrets = mask_secrets(text)
    assert [s.kind for s in secrets] == ["card"]
    assert ("•••• 1111" in masked) or ("•••• 0004" in masked)
    assert "1111 1111 1111" not in masked


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Мой пароль: Qwerty2024!", "Qwerty2024!"),
        ("password: hunter2x", "hunter2x"),
        ("новый пароль — кошка1987", "кошка1987"),
        ("my password is S3cr3t-pass.", "S3cr3t-pass"),
    ],
)
def test_agent_sees_passwords_masked(text: str, value: str) -> None:
    masked, secrets = mask_secrets(text)
    assert value not in masked
    assert [s.kind for s in secrets] == ["password"]


def test_agent_sees_api_tokens_masked() -> None:
    text = "here is my token ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4 please check"
    masked, secrets = mask_secrets(text)
    assert [s.kind for s in secrets] == ["token"]
    assert "ghp_" not in masked
    assert masked.startswith("here is my token ••••")


@pytest.mark.parametrize(
    "text",
    [
        "Здравствуйте! Не могу войти в аккаунт с 12.03.2024, помогите пожалуйста.",
        "Мой телефон +7 916 123-45-67, перезвоните",
        "Call me at +1 (415) 555-0132 or 8 800 555 35 35",
        "Заказ №123456789012 не пришёл, код заказа 48291",
        "Order #4111111111111111 is missing",
        "Ошибка с кодом 500, код ошибки 4040",
        "Error code 1042 when I open the app",
        "Почтовый код 119019, Москва",
        "Пароль не помню, пароль: не приходит письмо",
        "I forgot my password: reset it please",
        "Тикет 48213, обращение 2024-05-17 в 14:30",
        "Музыка не играет уже 3 дня, версия 7.12.1",
        "See https://help.example.com/articles/privacy-settings-and-two-factor-login",
        "В 2023 году я сменил номер, код страны 7",
    ],
)
def test_ordinary_text_stays_readable(text: str) -> None:
    assert find_secrets(text) == []
    assert mask_secrets(text)[0] == text
    assert not looks_sensitive_for_sending(text)


def test_composer_warns_before_a_reply_with_a_password_or_card() -> None:
    assert looks_sensitive_for_sending("Ваш временный пароль: Xk9-22mmP")
    assert looks_sensitive_for_sending("Your card 4111 1111 1111 1111 was refunded")
    assert not looks_sensitive_for_sending("Your card ending in 1111 was refunded")
    assert not looks_sensitive_for_sending("Введите код из СМС в приложении")


def test_masks_do_not_depend_on_secret_length() -> None:
    short, _ = mask_secrets("code 1234")
    long, _ = mask_secrets("code 12345678")
    assert short == long


def test_spans_point_into_the_original_text() -> None:
    text = "код 482913 и карта 4111111111111111"
    secrets = find_secrets(text)
    assert [text[s.start:s.end] for s in secrets] == ["482913", "4111111111111111"]


def test_luhn_check() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")
    assert not luhn_ok("41x1")


def test_a_reset_link_after_the_word_password_is_not_a_password() -> None:
    from supportdesk_tui.domain.secrets import looks_sensitive_for_sending

    assert not looks_sensitive_for_sending("Ссылка для сброса пароля: https://example.com/r/2")
    assert not looks_sensitive_for_sending("Password reset link: https://vk.example/reset/abc")
    assert looks_sensitive_for_sending("Ваш новый пароль: Qwerty2024!")
