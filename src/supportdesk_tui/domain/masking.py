"""Masking of customer contact details for screens that others can see (sidebars, shared screens).

Masks have a fixed length so they do not leak how long the hidden part is.
"""

from __future__ import annotations

__all__ = ["BULLET", "mask_email", "mask_phone"]

BULLET = "•"
_LOCAL_MASK = BULLET * 7
_DOMAIN_MASK = BULLET * 4


def mask_email(email: str) -> str:
    """ "anna.petrova@mail.ru" → "a•••••••@m••••.ru": first letters and the top-level domain stay."""
    email = email.strip()
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at:
        return email[0] + _LOCAL_MASK
    masked_local = (local[0] if local else "") + _LOCAL_MASK
    name, dot, tld = domain.rpartition(".")
    if not dot or not name:
        return f"{masked_local}@{domain[:1]}{_DOMAIN_MASK}"
    return f"{masked_local}@{name[0]}{_DOMAIN_MASK}.{tld}"


def mask_phone(phone: str) -> str:
    """ "+7 916 123-45-67" → "+7 ••• •••-••-67".

    The layout (spaces, dashes, brackets) and a leading `+country` code stay; the last
    digit group stays when it has 2–4 digits, else the last 2 digits. Numbers with fewer
    than 6 digits are masked entirely but for the last 2.
    """
    phone = phone.strip()
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if not digits:
        return BULLET * len(phone) if phone else ""
    keep: set[int] = set()
    if phone.startswith("+"):
        end = 1
        while end < len(phone) and phone[end].isdigit():
            end += 1
        if end - 1 <= 3 and end < len(phone) and len(digits) - (end - 1) >= 6:
            keep.update(range(1, end))
    last_group = 0
    for i in reversed(digits):
        if i != digits[-1] - last_group:
            break
        last_group += 1
    tail = last_group if 2 <= last_group <= 4 and len(digits) >= 6 else 2
    keep.update(digits[-tail:])
    return "".join(ch if (not ch.isdigit() or i in keep) else BULLET for i, ch in enumerate(phone))
