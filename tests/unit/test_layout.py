"""The agent typed in the wrong keyboard layout; the app understands anyway."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk_tui.domain.layout import RU_TO_EN_KEY, en_to_ru, ru_to_en, swap_layout


def test_swap_layout_guesses_the_direction() -> None:
    assert swap_layout("ghbdtn") == "привет"
    assert swap_layout("руддщ") == "hello"
    assert swap_layout("Ghbdtn, vbh!") == "Приветб мир!"
    assert swap_layout("12 34") == "12 34"


def test_single_key_aliases_follow_the_physical_keys() -> None:
    expected = {
        "й": "q", "ц": "w", "у": "e", "к": "r", "е": "t", "н": "y", "г": "u", "ш": "i", "щ": "o",
        "з": "p", "х": "[", "ъ": "]", "ф": "a", "ы": "s", "в": "d", "а": "f", "п": "g", "р": "h",
        "о": "j", "л": "k", "д": "l", "ж": ";", "э": "'", "я": "z", "ч": "x", "с": "c", "м": "v",
        "и": "b", "т": "n", "ь": "m", "б": ",", "ю": ".", ".": "/", "ё": "`",
    }  # fmt: skip
    assert expected == RU_TO_EN_KEY


def test_shifted_keys_convert_too() -> None:
    assert ru_to_en("Руддщ, Цщкдв!") == "Hello? World!"
    assert en_to_ru('Ghbdtn? "z"') == "Привет, ЭяЭ"


@settings(max_examples=200)
@given(st.text(alphabet=st.sampled_from(list(RU_TO_EN_KEY) + list("ЙЦУКЕНЁ,№ 123")), max_size=30))
def test_conversion_round_trips(text: str) -> None:
    assert en_to_ru(ru_to_en(text)) == text
