"""`python -m supportdesk_tui.server serve|token create …`."""

import sys

from supportdesk_tui.extras import SERVER, missing_extra_sentence

# A client-only install (no `server` extra) gets what to install instead of a traceback, as
# `supportdesk serve` does.
if (missing := missing_extra_sentence("python -m supportdesk_tui.server", SERVER)) is not None:
    print(missing, file=sys.stderr)
    raise SystemExit(2)

from supportdesk_tui.server.cli import main  # lazy: only once its packages are known to be installed

raise SystemExit(main())
