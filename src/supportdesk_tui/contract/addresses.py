"""Which listening addresses stay on this machine.

Both programs refuse something on any other address unless told to: the reference server refuses
demo data (well-known logins), the browser app refuses to serve without TLS. Standard library only.
"""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """`localhost` or a loopback IP (127.0.0.0/8, ::1); a name we would have to resolve is not."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
