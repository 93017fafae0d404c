"""A lint that keeps untrusted text off the markup parser and away from the terminal.

The rule, checked on the AST of the app's UI code (`app.py`, `commands.py`, `navigator.py`, `screens/`,
`widgets/`):

A *sink* is anywhere Textual or Rich may parse markup or pass bytes to the terminal:
`notify(…)` (message and `title=`), `Static(…)`, `Label(…)`, `Button(…)`, `Option(…)`, `.update(…)`,
`Hit(…)` / `DiscoveryHit(…)` (what is shown and `help=`), `.add_row(…)` / `.add_column(…)`,
`Binding(…)`'s description and any `tooltip=`, and assignments to `.border_title`,
`.border_subtitle` and `.tooltip`.

A sink must not receive a string *built* from parts: an f-string with a placeholder, a
`.format(…)` / `.format_map(…)` call, `%` or `+` on strings, or a `.join(…)`; nor the `str` that
`one_line` / `sanitize` / `strip_unsafe` return (still parsed as markup), nor what
`textual.markup.escape(…)` (blind to an unclosed `[tag=value:`) or `Matcher.highlight(…)` (parses
markup) return. Build such text with
`safe_format(_("… {name} …"), name=…)` or `safe_text(…)` (domain/safe_text.py), which return a
literal `rich.text.Text`. Our own words - a literal, or `_("literal")` - are fine as they are.
`Text(…)` / `Content(…)` given to a sink are looked into by the same rule (they stop markup, not
escape bytes). Both branches of `a if c else b` are checked.

What it cannot see: a plain variable holding untrusted text (`Static(name)`); review and the
hostile-corpus tests (tests/e2e/test_hostile_names.py) cover those. `notify` is safe at runtime
too: `SupportDeskApp.notify` sanitises whatever it gets and never parses markup.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "supportdesk_tui"
SCANNED = [SRC / "app.py", SRC / "commands.py", SRC / "navigator.py",
           *sorted((SRC / "screens").rglob("*.py")), *sorted((SRC / "widgets").rglob("*.py"))]

SINK_CALLS = {"notify", "Static", "Label", "Button", "Option", "update", "Hit", "DiscoveryHit",
              "add_row", "add_column"}
SINK_KEYWORDS = {"title", "help", "tooltip", "prompt", "description", "label"}
SINK_ATTRIBUTES = {"border_title", "border_subtitle", "tooltip"}
RAW_STR_FUNCTIONS = {"one_line", "sanitize", "strip_unsafe"}
WRAPPERS = {"Text", "Content"}  # literal but byte-transparent: look inside
SAFE_BUILDERS = {"safe_text", "safe_format", "literal_markup", "_"}
# Arguments of these calls that are not shown (scores, callbacks, ids...).
SHOWN_POSITIONALS: dict[str, tuple[int, ...]] = {"Hit": (1,), "DiscoveryHit": (0,), "Binding": (2,)}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _sanitised(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) or (
        isinstance(node, ast.Call) and _name(node.func) in RAW_STR_FUNCTIONS | SAFE_BUILDERS)


def unsafe_reason(node: ast.expr, *, literal: bool = False) -> str | None:
    """Why `node`, given to a sink, may carry untrusted text unsanitised (None when it can't).

    `literal`: inside `Text(…)`/`Content(…)`, where markup is off: there a string may be built,
    but only from literals and `one_line(…)`/`sanitize(…)` results.
    """
    if isinstance(node, ast.IfExp):
        return unsafe_reason(node.body, literal=literal) or unsafe_reason(node.orelse, literal=literal)
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        if parts and not (literal and all(_sanitised(p) for p in parts)):
            return "f-string"
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        if literal and isinstance(node.op, ast.Add):
            if not (_sanitised(node.left) or isinstance(node.left, ast.BinOp | ast.JoinedStr)):
                return "string concatenation with an unsanitised part"
            if not (_sanitised(node.right) or isinstance(node.right, ast.BinOp | ast.JoinedStr)):
                return "string concatenation with an unsanitised part"
            return unsafe_reason(node.left, literal=True) or unsafe_reason(node.right, literal=True)
        return "string concatenation" if isinstance(node.op, ast.Add) else "%-formatting"
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in ("format", "format_map"):
            return ".format()"
        if name == "escape":
            return "markup.escape() leaves an unclosed [tag=value: alone (use literal_markup)"
        if name == "highlight":
            return "Matcher.highlight() parses its argument as markup (use plain_highlight)"
        if name == "join" and isinstance(node.func, ast.Attribute):
            return ".join()"
        if name in RAW_STR_FUNCTIONS and not literal:
            return f"{name}() returns a str that is still parsed as markup"
        if name == "_" and node.args and not isinstance(node.args[0], ast.Constant):
            return "_() of a built string"
        if name in WRAPPERS and node.args:
            return unsafe_reason(node.args[0], literal=True)
    return None


def violations(source: str, filename: str = "<snippet>") -> Iterator[str]:
    """`file:line: sink <- reason` for every sink given a built, unsanitised string."""
    for node in ast.walk(ast.parse(source, filename)):
        shown: list[tuple[str, ast.expr]] = []
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in SINK_CALLS or name in SHOWN_POSITIONALS:
                indexes = SHOWN_POSITIONALS.get(name, (0,))
                shown += [(name, arg) for i, arg in enumerate(node.args) if i in indexes]
            if name in SINK_CALLS or name in SHOWN_POSITIONALS:
                shown += [(f"{name}({kw.arg}=)", kw.value) for kw in node.keywords if kw.arg in SINK_KEYWORDS]
            else:
                shown += [(f"{name}(tooltip=)", kw.value) for kw in node.keywords if kw.arg == "tooltip"]
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in SINK_ATTRIBUTES and node.value:
                    value = node.value
                    if isinstance(node, ast.AugAssign):
                        yield f"{filename}:{node.lineno}: .{target.attr} += (string concatenation)"
                        continue
                    shown.append((f".{target.attr} =", value))
        for sink, value in shown:
            reason = unsafe_reason(value)
            if reason:
                yield f"{filename}:{value.lineno}: {sink} <- {reason}"


def test_no_built_string_reaches_a_markup_or_terminal_sink() -> None:
    found = [v for path in SCANNED for v in violations(path.read_text(encoding="utf-8"),
                                                       str(path.relative_to(SRC)))]
    assert found == [], "untrusted text must go through safe_text/safe_format:\n" + "\n".join(found)


BAD_SNIPPETS = [
    'self.notify(_("{name} took #{id} first.").format(name=agent.name, id=1), markup=False)',
    'self.notify(exc.message, title=f"Error {exc.title}")',
    'box.border_title = one_line(_("Fill in “{title}”").format(title=title))',
    'tile.border_title = one_line(queue.name)',
    'yield Static(f"Queue {queue.name}")',
    'label.update("Agent: " + agent.name)',
    'yield Hit(score, matcher.highlight(name), run, help=escape("::" + shortcut))',
    'yield DiscoveryHit(Text("canned: %s" % title), run)',
    'yield Hit(score, matcher.highlight(queue_name), run)',
    'line.update(Text("⚠ " + exc.message))',
    'line.update(Text(f"{exc.title}: {one_line(exc.message)}"))',
    'widget.tooltip = ", ".join(ticket.tags)',
    'Binding("x", "go", f"Go to {queue}")',
    'self.notify(msg if ok else f"failed: {exc.message}")',
]
GOOD_SNIPPETS = [
    'self.notify(_("Reply sent."))',
    'self.notify(safe_format(_("{name} took #{id} first."), name=agent.name, id=1))',
    'self.notify(safe_text(exc.message), title=safe_text(exc.title, single_line=True))',
    'box.border_title = safe_text(queue.name, single_line=True)',
    'yield Static(safe_text(body), classes="card--body")',
    'yield Hit(score, plain_highlight(matcher, name), run, help=literal_markup("::" + shortcut))',
    'yield DiscoveryHit(safe_text(name), run, help=literal_markup(_("key: {key}").format(key=key)))',
    'Binding("r", "reply", _("Reply"), id="ticket.reply", tooltip=_("Reply to the customer"))',
    'counts.update({"open": 1})',
    'line.update(Text(one_line(queue.name)))',
    'status.update(Text("⚠ " + one_line(reason)))',
    'status.update(Text(f"{one_line(a)} · {one_line(b)}"))',
]


@pytest.mark.parametrize("snippet", BAD_SNIPPETS)
def test_the_lint_catches_a_reintroduced_unsafe_call(snippet: str) -> None:
    assert list(violations(snippet)), snippet


@pytest.mark.parametrize("snippet", GOOD_SNIPPETS)
def test_the_lint_lets_the_safe_path_through(snippet: str) -> None:
    assert list(violations(snippet)) == [], snippet
