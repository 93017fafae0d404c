"""The README as a package index shows it: every link absolute and pointing at a file that exists,
and an install section before the checkout's `make demo`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
URLS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
# A package index has no repository next to the README: files are linked on the project site.
OWNER_AND_NAME = URLS["Repository"].removeprefix("https://github.com/")
FILE_PREFIXES = (f"https://github.com/{OWNER_AND_NAME}/blob/main/",
                 f"https://raw.githubusercontent.com/{OWNER_AND_NAME}/main/")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def test_every_link_of_the_readme_is_absolute_and_its_files_exist() -> None:
    links = LINK.findall(README)
    assert len(links) > 10
    relative = [link for link in links if not link.startswith(("https://", "http://", "#"))]
    assert not relative, f"on a package index these point at nothing; link them under {FILE_PREFIXES[0]}"
    ours = [re.split(r"[?#]", link)[0] for link in links if link.startswith(FILE_PREFIXES)]
    missing = [link for link in ours if not (REPO / link.removeprefix(
        next(prefix for prefix in FILE_PREFIXES if link.startswith(prefix)))).exists()]
    assert not missing, f"the README links files the repository does not have: {missing}"


def test_the_readme_says_how_to_install_before_it_says_make_demo() -> None:
    install = README.find("## Install")
    assert 0 <= install < README.find("make demo"), "Install comes first: a package index has no Makefile"
    section = README[install:README.find("\n## ", install + 1)]
    assert "pip install supportdesk-tui" in section  # the agent's app
    assert "pip install 'supportdesk-tui[server]'" in section  # the backend
