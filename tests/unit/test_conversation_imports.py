"""The conversation screen is prepared in every session soon after sign-in (navigator.py): what it
imports is resident from then on, so libraries only some tickets need load when first used."""

from __future__ import annotations

from test_start_imports import loaded_after


def test_the_conversation_screen_loads_no_image_library() -> None:
    # Pillow is ≈ 2 MiB resident: it loads with the first attachment preview.
    code = "import supportdesk_tui.app, supportdesk_tui.screens.conversation"
    assert loaded_after(code, ("PIL", "textual_image", "click", "pygments")) == []


def test_an_image_preview_still_decodes_once_pillow_loads() -> None:
    code = ("import io\n"
            "from PIL import Image\n"
            "from supportdesk_tui.domain.image_decode import decode_preview\n"
            "buffer = io.BytesIO(); Image.new('RGB', (4, 3), 'red').save(buffer, 'PNG')\n"
            "decoded = decode_preview(buffer.getvalue())\n"
            "assert decoded.image is not None and (decoded.width, decoded.height) == (4, 3), decoded\n"
            "assert decode_preview(b'not an image').problem == 'not_image'")
    assert loaded_after(code, ("PIL",)) == ["PIL"]
