"""Display names for enum values (ticket status, priority, message kind, escalation status and
severity, language, agent state, dashboard alarm level and metric) and for the playbooks' evidence
fields, translated when called.

The one table of each: every screen and widget that names one of these values asks here.
Takes the enum's string value so this module imports neither the contract models nor the
domain; unknown values (a newer server) are shown as they are rather than failing.
"""

from __future__ import annotations

from supportdesk_tui.i18n import N_, _, gettext_in, pgettext


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


def escalation_status_label(status: str) -> str:
    labels = {
        "open": pgettext("escalation", "open"),
        "in_progress": pgettext("escalation", "in progress"),
        "fixed": pgettext("escalation", "fixed"),
        "wont_fix": pgettext("escalation", "won't fix"),
    }
    return labels.get(str(status), str(status))


def severity_label(severity: str) -> str:
    labels = {
        "critical": pgettext("severity", "Critical"),
        "major": pgettext("severity", "Major"),
        "minor": pgettext("severity", "Minor"),
        "trivial": pgettext("severity", "Trivial"),
    }
    return labels.get(str(severity), str(severity))


def language_label(language: str) -> str:
    labels = {"ru": _("Russian"), "en": _("English")}
    return labels.get(str(language), str(language))


def agent_state_label(state: str) -> str:
    labels = {
        "online": pgettext("agent state", "online"),
        "busy": pgettext("agent state", "busy"),
        "away": pgettext("agent state", "away"),
        "offline": pgettext("agent state", "offline"),
    }
    return labels.get(str(state), str(state))


def alarm_level_label(level: str) -> str:
    labels = {
        "ok": pgettext("alarm level", "OK"),
        "warning": pgettext("alarm level", "WARNING"),
        "alarm": pgettext("alarm level", "ALARM"),
    }
    return labels.get(str(level), str(level))


def metric_short_label(metric: str) -> str:
    labels = {
        "length": _("length"),
        "oldest": _("oldest, min"),
        "at_risk": _("at risk"),
    }
    return labels.get(str(metric), str(metric))


def evidence_field_label(field: str, language: str) -> str:
    """A playbook evidence field (`last_login_city`) as the agent reads it, in the ticket's `language`."""
    labels = {
        "last_login_city": N_("City of the last login"),
        "last_login_device": N_("Device of the last login"),
        "recent_payment": N_("Date and amount of a recent payment"),
        "signup_year": N_("Year of sign-up"),
        "signup_city": N_("City of sign-up"),
        "phone_last_digits": N_("Last 4 digits of the phone"),
        "email_matches": N_("Sender's address = the account's (yes/no)"),
    }
    message = labels.get(str(field))
    if message is None:  # a newer server's field: readable all the same
        return str(field).replace("_", " ").capitalize()
    return gettext_in(language, message)
