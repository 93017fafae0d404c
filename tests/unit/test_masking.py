"""Contact details are masked on screens others may see."""

from __future__ import annotations

import pytest

from supportdesk_tui.domain.masking import mask_email, mask_phone


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("anna.petrova@mail.ru", "a•••••••@m••••.ru"),
        ("x@yandex.com.tr", "x•••••••@y••••.tr"),
        ("broken-address", "b•••••••"),
        ("@host", "•••••••@h••••"),
        ("", ""),
    ],
)
def test_email_is_masked_to_a_fixed_length(email: str, masked: str) -> None:
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+7 916 123-45-67", "+7 ••• •••-••-67"),
        ("+1 (415) 555-0123", "+1 (•••) •••-0123"),
        ("89161234567", "•••••••••67"),
        ("+79161234567", "+•••••••••67"),
        ("12345", "•••45"),
        ("n/a", "•••"),
    ],
)
def test_phone_keeps_layout_country_code_and_last_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked
