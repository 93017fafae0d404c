"""`python -m supportdesk_tui`."""

from supportdesk_tui.cli import main

main()
