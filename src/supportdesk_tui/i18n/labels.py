"""Display names for API enum values (status, priority, message kind), translated when called.

Takes the enum's string value so this module does not import the API models; unknown values
(a newer server) are shown as they are rather than failing.
"""

from __future__ import annotations

from supportdesk_tui.i18n import pgettext


def status_label(status: str) -> str:
    labels = {
        "new": pgettext("status", "New"),
        "open": pgettext("status", "Open"),
        "pending": pgettext("status", "Pending"),
        "on_hold": pgettext("status", "On hold"),
        "solved": pgettext("status", "Solved"),
        "closed": pgettext("status", "Closed"),
    }
    return labels.get(str(status), str(status))


def priority_label(priority: str) -> str:
    labels = {
        "low": pgettext("priority", "Low"),
        "normal": pgettext("priority", "Normal"),
        "high": pgettext("priority", "High"),
        "urgent": pgettext("priority", "Urgent"),
    }
    return labels.get(str(priority), str(priority))


def kind_label(kind: str) -> str:
    labels = {
        "customer": pgettext("kind", "Customer"),
        "reply": pgettext("kind", "Reply"),
        "note": pgettext("kind", "Internal note"),
    }
    return labels.get(str(kind), str(kind))
