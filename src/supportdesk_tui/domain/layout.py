"""Russian ЙЦУКЕН ↔ US QWERTY conversion by physical key.

Agents switch layouts all day: "ghbdtn" typed with the wrong layout is "привет",
and a single-key binding such as `r` arrives as `к` while the Russian layout is on.
"""

from __future__ import annotations

__all__ = ["RU_TO_EN_KEY", "en_to_ru", "ru_to_en", "swap_layout"]

# Unshifted keys, row by row: US character, then the Russian one on the same key.
_EN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./"
_RU_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю."
# Shifted keys (including the digit row where the layouts differ).
_EN_SHIFTED = '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?@#$^&'
_RU_SHIFTED = 'ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,"№;:?'

RU_TO_EN_KEY: dict[str, str] = dict(zip(_RU_KEYS, _EN_KEYS, strict=True))
"""Lower-case Russian character → the US key it is on (й→q, х→[, ю→., .→/, ё→`); for binding aliases."""

_RU_TO_EN: dict[str, str] = {**RU_TO_EN_KEY, **dict(zip(_RU_SHIFTED, _EN_SHIFTED, strict=True))}
_EN_TO_RU: dict[str, str] = {en: ru for ru, en in _RU_TO_EN.items()}


def ru_to_en(text: str) -> str:
    """What `text` typed on the Russian layout would have been on the US one: "руддщ" → "hello"."""
    return "".join(_RU_TO_EN.get(ch, ch) for ch in text)


def en_to_ru(text: str) -> str:
    """What `text` typed on the US layout would have been on the Russian one: "ghbdtn" → "привет"."""
    return "".join(_EN_TO_RU.get(ch, ch) for ch in text)


def _is_cyrillic(ch: str) -> bool:
    return "а" <= ch.lower() <= "я" or ch in "ёЁ"


def swap_layout(text: str) -> str:
    """Convert `text` to the other layout, guessing the direction from its letters.

    More Cyrillic than Latin letters means it was typed on the Russian layout; text
    without letters of either alphabet is returned unchanged.
    """
    cyrillic = sum(1 for ch in text if _is_cyrillic(ch))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if cyrillic == latin == 0:
        return text
    return ru_to_en(text) if cyrillic > latin else en_to_ru(text)
