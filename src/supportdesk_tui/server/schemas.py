"""Response envelopes the contract describes in prose but models.py does not name."""

from __future__ import annotations

from typing import Generic, TypeVar

from supportdesk_tui.contract.models import Model

T = TypeVar("T")


class DataList(Model, Generic[T]):
    """`{"data": [...]}`: an unpaginated list."""

    data: list[T]
