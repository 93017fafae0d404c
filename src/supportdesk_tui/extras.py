"""The optional parts of an install (pip extras), and the sentence a missing one gives.

`pip install supportdesk-tui` is the agent's app; the reference backend's packages come with the
`server` extra. The commands that start the backend look for its packages before importing any
of it, so a client-only install answers `supportdesk serve` with what to install, never with a
ModuleNotFoundError traceback. Standard library only: it runs before anything heavy is loaded.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

DISTRIBUTION = "supportdesk-tui"


@dataclass(frozen=True)
class Extra:
    """One `[extra]` of pyproject.toml: the modules it brings (those our code imports) and what for."""

    name: str
    purpose: str
    modules: tuple[str, ...]

    @property
    def install_command(self) -> str:
        return f"pip install '{DISTRIBUTION}[{self.name}]'"

    def missing_modules(self) -> list[str]:
        # find_spec only looks: nothing of the backend is imported to find out.
        return [module for module in self.modules if importlib.util.find_spec(module) is None]


SERVER = Extra(
    name="server",
    purpose="the reference backend",
    # Every third-party module server/ imports that the agent's install does not bring (anyio
    # comes with httpx); tests/packaging/test_dependencies.py holds this to pyproject's extra.
    modules=("fastapi", "starlette", "uvicorn", "psycopg", "psycopg_pool"),
)

WEB = Extra(
    name="web",
    purpose="the agent app for browsers",
    # aiohttp comes with textual-serve; web/serve.py types its handlers with it.
    modules=("textual_serve", "aiohttp"),
)


def missing_extra_sentence(command: str, extra: Extra) -> str | None:
    """None when `extra` is installed; else one sentence saying what `command` needs and how to get it."""
    missing = extra.missing_modules()
    if not missing:
        return None
    return (f"`{command}` runs {extra.purpose}, which this install leaves out "
            f"(missing: {', '.join(missing)}); add it with: {extra.install_command}")
