"""Write docs/keys.md from the binding ids (see supportdesk_tui.devtools.keyref)."""

import sys

from supportdesk_tui.devtools.keyref import main

sys.exit(main(sys.argv[1:]))
