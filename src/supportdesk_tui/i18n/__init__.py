"""Translation layer. Call `_()` at render time so a language switch applies without restart.

This stub returns the English text; the catalog-backed version keeps the same API.
"""

from __future__ import annotations


def _(message: str) -> str:
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural
