"""What a start imports before its first frame (issue 17: cold start is import-bound)."""

from __future__ import annotations

import subprocess
import sys


def loaded_after(code: str, candidates: tuple[str, ...]) -> list[str]:
    script = (f"import sys\n{code}\n"
              f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(candidates)!r}))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded: list[str] = eval(result.stdout)  # a printed list of module names
    return loaded


def test_the_app_queue_and_session_load_neither_httpx_cli_nor_image_libraries() -> None:
    """httpx's command-line tool (click, pygments) and Pillow/textual-image are for later or never:
    images load with the first preview, and the terminal's graphics are asked at launch."""
    code = ("import supportdesk_tui.launch, supportdesk_tui.app, supportdesk_tui.session\n"
            "import supportdesk_tui.screens.queue")
    assert loaded_after(code, ("click", "pygments", "PIL", "textual_image")) == []


def test_httpx_still_works_without_its_command_line_tool() -> None:
    code = ("import supportdesk_tui.api.client, httpx\n"
            "assert httpx.Response(200, content=b'{}').json() == {}")
    assert loaded_after(code, ("click",)) == []
