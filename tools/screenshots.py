"""Write docs/screenshots/*.svg (see supportdesk_tui.devtools.screenshots)."""

import sys

from supportdesk_tui.devtools.screenshots import main

sys.exit(main(sys.argv[1:]))
