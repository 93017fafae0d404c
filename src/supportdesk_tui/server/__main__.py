"""`python -m supportdesk_tui.server serve|token create …`."""

from supportdesk_tui.server.cli import main

raise SystemExit(main())
