"""The ways an image preview can be drawn, shared by the config file and the app's settings."""

from __future__ import annotations

from typing import Literal, get_args

# What the terminal supports ("auto"), one graphics protocol, or half-block characters.
ImageRenderer = Literal["auto", "kitty", "sixel", "cells"]
IMAGE_RENDERERS: tuple[str, ...] = get_args(ImageRenderer)
