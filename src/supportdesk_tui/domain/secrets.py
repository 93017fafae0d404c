"""Finding secrets customers paste into messages: one-time codes, passwords, card numbers, tokens.

The detector errs towards ordinary text staying readable: a number is a one-time
code only when a word like "код"/"code"/"OTP" stands right before it, a digit run
is a card only when it passes the Luhn check, and a token must mix letters and
digits over a long run. Dates, phone numbers and order/ticket numbers are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Secret",
    "SecretKind",
    "find_secrets",
    "looks_sensitive_for_sending",
    "luhn_ok",
    "mask_secrets",
    "masked_except",
]

SecretKind = Literal["code", "password", "card", "token"]

_BULLET = "•"
_CODE_MASK = _BULLET * 6
_PASSWORD_MASK = _BULLET * 6
_TOKEN_MASK = _BULLET * 8


@dataclass(frozen=True, slots=True)
class Secret:
    kind: SecretKind
    start: int  # span in the original text
    end: int
    mask: str  # what is shown instead of text[start:end]


_CARD = re.compile(r"(?<![\d#№/.\-])(?:\d[ \-]?){12,18}\d(?![\d/.\-])")

# "код", "кода", "коду", "code", "OTP", "одноразовый", "SMS" … and then, a few words later, the digits.
_CODE = re.compile(
    r"(?P<kw>\b(?:код\w{0,2}|code|codes|otp|one[- ]time|одноразов\w*|pin|пин|2fa|passcode)\b)"
    r"(?P<gap>[^\d\n]{0,30}?)"
    r"(?<![\d#№])(?P<num>\d{3}[ \-]?\d{1,5})(?![\d/.:\-]?\d)",
    re.IGNORECASE,
)
# Kinds of "code" that are not secret: an error code, a postcode, a promo code, an order code.
_NOT_SECRET_CODE = re.compile(
    r"(ошибк|error|status|http|почтов|post|zip|промо|promo|заказ|order|ticket|тикет|обращени|"
    r"страны|country|регион|region|area|товар|product|купон|coupon)",
    re.IGNORECASE,
)

_PASSWORD = re.compile(
    r"\b(?:пароль|парол[еяю]м?|password|passwd|pwd|pass)\b\s*(?:[:=]|—|-|\bis\b|\bэто\b)\s*"
    r"(?P<value>[^\s,;]+)",
    re.IGNORECASE,
)
_PASSWORD_STOPWORDS = frozenset({
    "не", "нет", "забыл", "забыла", "сброшен", "изменен", "изменён", "неверный", "неправильный",
    "not", "no", "none", "forgotten", "forgot", "reset", "wrong", "incorrect", "changed", "the", "my",
    "a", "correct", "invalid", "expired", "мой", "новый", "старый", "new", "old",
})

_TOKEN = re.compile(r"(?<![\w/.@\-])(?:[A-Za-z0-9_\-]{24,}|[A-Za-z0-9+/]{28,}={0,2})(?![\w@])")


def luhn_ok(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _cards(text: str) -> list[Secret]:
    out: list[Secret] = []
    for m in _CARD.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        if not 13 <= len(digits) <= 19 or not luhn_ok(digits) or len(set(digits)) < 2:
            continue
        # Only uniform groups (4-4-4-4 or no separators) look like a card; phones are grouped 3-2-2.
        groups = re.split(r"[ \-]", raw)
        if len(groups) > 1 and any(len(g) < 3 for g in groups):
            continue
        out.append(Secret("card", m.start(), m.end(), f"{_BULLET * 4} {digits[-4:]}"))
    return out


def _codes(text: str) -> list[Secret]:
    out: list[Secret] = []
    for m in _CODE.finditer(text):
        before = text[max(0, m.start() - 20):m.start("num")]
        if _NOT_SECRET_CODE.search(before) or _NOT_SECRET_CODE.search(text[m.end():m.end() + 12]):
            continue
        digits = re.sub(r"\D", "", m.group("num"))
        if not 4 <= len(digits) <= 8:
            continue
        out.append(Secret("code", m.start("num"), m.end("num"), _CODE_MASK))
    return out


def _passwords(text: str) -> list[Secret]:
    out: list[Secret] = []
    for m in _PASSWORD.finditer(text):
        value = m.group("value").rstrip(".!?)")
        # "ссылка для сброса пароля: https://…" names a link, not a password.
        lowered = value.lower()
        if len(value) < 4 or lowered in _PASSWORD_STOPWORDS or lowered.startswith(("http", "www.")):
            continue
        start = m.start("value")
        out.append(Secret("password", start, start + len(value), _PASSWORD_MASK))
    return out


def _tokens(text: str) -> list[Secret]:
    out: list[Secret] = []
    for m in _TOKEN.finditer(text):
        value = m.group(0)
        letters = sum(ch.isalpha() for ch in value)
        digits = sum(ch.isdigit() for ch in value)
        # A long word-like run (a hyphenated slug, a German compound) is not a token: it needs digits.
        if letters < 4 or digits < 4:
            continue
        out.append(Secret("token", m.start(), m.end(), _TOKEN_MASK))
    return out


def find_secrets(text: str) -> list[Secret]:
    """Non-overlapping secrets in text order; on overlap the earlier-listed kind wins."""
    found: list[Secret] = []
    for candidates in (_passwords(text), _cards(text), _tokens(text), _codes(text)):
        for secret in candidates:
            if all(secret.end <= s.start or secret.start >= s.end for s in found):
                found.append(secret)
    return sorted(found, key=lambda s: s.start)


def mask_secrets(text: str) -> tuple[str, list[Secret]]:
    """The text with every secret replaced by its mask, and the secrets (spans in the original)."""
    secrets = find_secrets(text)
    parts: list[str] = []
    pos = 0
    for secret in secrets:
        parts.append(text[pos:secret.start])
        parts.append(secret.mask)
        pos = secret.end
    parts.append(text[pos:])
    return "".join(parts), secrets


def masked_except(text: str, secrets: list[Secret], shown: set[int]) -> str:
    """The text with every secret masked but those whose index (in `secrets`) is in `shown`."""
    parts: list[str] = []
    pos = 0
    for index, secret in enumerate(secrets):
        parts.append(text[pos:secret.start])
        parts.append(text[secret.start:secret.end] if index in shown else secret.mask)
        pos = secret.end
    parts.append(text[pos:])
    return "".join(parts)


def looks_sensitive_for_sending(text: str) -> bool:
    """True when an agent's reply seems to carry a password, a full card number or a token."""
    return any(s.kind in ("password", "card", "token") for s in find_secrets(text))
