"""Only addresses that stay on this machine count as loopback: demo data and plain-http browser
sessions are refused anywhere else."""

from __future__ import annotations

import pytest

from supportdesk_tui.contract.addresses import is_loopback


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.10", "::1"])
def test_an_address_on_this_machine_is_loopback(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "127.0.0.1.example.com",
                                  "localhost.example.com", "", "127.0.0.1 ", "::ffff:8.8.8.8"])
def test_anything_that_could_reach_other_machines_is_not(host: str) -> None:
    assert not is_loopback(host)
