"""Key bindings by id: the user's `[keymap]`, its validation, and Russian-layout aliases.

With the Russian layout active, the key labelled Q sends "й", which Textual reports as the key
"й"; a binding on "q" would not fire. `with_cyrillic_aliases` adds a hidden binding for the
key in the same physical position, and `apply_keymap` does the same for remapped keys, so
shortcuts work whichever layout the agent left on.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.keys import KEY_NAME_REPLACEMENTS, Keys, format_key

# US QWERTY character → Russian ЙЦУКЕН character on the same physical key.
_LOWER = dict(zip("qwertyuiopasdfghjklzxcvbnm", "йцукенгшщзфывапролдячсмить", strict=True))
LATIN_TO_CYRILLIC: Mapping[str, str] = {
    **_LOWER,
    **{latin.upper(): cyrillic.upper() for latin, cyrillic in _LOWER.items()},
    "[": "х",
    "]": "ъ",
    ";": "ж",
    "'": "э",
    ",": "б",
    ".": "ю",
    "`": "ё",
    "{": "Х",
    "}": "Ъ",
    ":": "Ж",
    '"': "Э",
    "<": "Б",
    ">": "Ю",
    "~": "Ё",
    # The US "/" key types "." on the Russian layout, and shift+/ ("?") types ",".
    "/": ".",
    "?": ",",
}

_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(key.value for key in Keys) | frozenset(KEY_NAME_REPLACEMENTS.values())


def key_name(character: str) -> str:
    """Textual's name for the key that types `character` ("?" → "question_mark", "й" → "й")."""
    if character.isalnum():
        name = character
    else:
        try:
            name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            name = {"\t": "tab"}.get(character, character)
    return KEY_NAME_REPLACEMENTS.get(name, name)


def normalize_key(key: str) -> str:
    """A key as Textual stores it in a Binding: single characters become their names."""
    key = key.strip()
    return key_name(key) if len(key) == 1 else key


def split_keys(keys: str) -> list[str]:
    return [normalize_key(key) for key in keys.split(",") if key.strip()]


_ALIAS_BY_KEY: Mapping[str, str] = {
    key_name(latin): key_name(cyr) for latin, cyr in LATIN_TO_CYRILLIC.items()
}


def cyrillic_alias(key: str) -> str | None:
    """The Russian-layout key for a single unmodified key ("q" → "й"), or None."""
    return _ALIAS_BY_KEY.get(normalize_key(key))


def is_valid_key(key: str) -> bool:
    """Whether Textual can ever report `key` (e.g. "r", "ctrl+shift+f5", "question_mark")."""
    *modifiers, base = normalize_key(key).split("+")
    if any(modifier not in _MODIFIERS for modifier in modifiers) or not base:
        return False
    if len(base) == 1 or base in _NAMED_KEYS:
        return True
    try:
        unicodedata.lookup(base.replace("_", " ").upper())
    except KeyError:
        return False
    return True


def aliased_bindings(bindings: Iterable[BindingType]) -> list[Binding]:
    """`bindings` plus a hidden twin on the Russian-layout key for each single-character key.

    The twin keeps the id, so a keymap entry moves both, and is hidden from the footer and
    the key panel. No alias is added where that key is already bound in `bindings`.
    """
    originals = list(Binding.make_bindings(bindings))
    taken = {binding.key for binding in originals}
    result = list(originals)
    for binding in originals:
        alias = cyrillic_alias(binding.key)
        if alias is None or alias in taken:
            continue
        taken.add(alias)
        result.append(replace(binding, key=alias, key_display=None, show=False, system=True))
    return result


def with_cyrillic_aliases(bindings: Iterable[BindingType]) -> list[BindingType]:
    """`aliased_bindings`, typed to assign straight to a `BINDINGS` class variable:

    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([Binding("r", ...), ...])
    """
    return list(aliased_bindings(bindings))


# ---------------------------------------------------------------------------------------------
# Validating and applying a keymap


@dataclass(frozen=True)
class Scope:
    """The bindings one DOM class (app, screen or widget) contributes, inherited ones included."""

    name: str
    bindings: tuple[Binding, ...]
    is_app: bool = False


def scope_of(node_class: type[DOMNode]) -> Scope:
    bindings: list[Binding] = []
    for base in reversed(node_class.__mro__):
        declared = base.__dict__.get("BINDINGS")
        if declared:
            bindings.extend(Binding.make_bindings(declared))
    return Scope(node_class.__name__, tuple(bindings), is_app=issubclass(node_class, App))


def _label(binding: Binding) -> str:
    return binding.id if binding.id else f"action {binding.action!r}"


def _effective_keys(scope: Scope, keymap: Mapping[str, list[str]]) -> dict[str, set[str]]:
    by_key: dict[str, set[str]] = {}
    for binding in scope.bindings:
        keys = keymap.get(binding.id, [binding.key]) if binding.id else [binding.key]
        for key in keys:
            by_key.setdefault(key, set()).add(_label(binding))
    return by_key


def check_keymap(
    keymap: Mapping[str, str], scopes: Iterable[Scope]
) -> tuple[dict[str, list[str]], list[str]]:
    """Validate `keymap` against the bindings in `scopes`.

    Returns the usable entries (normalised key lists) and human-readable problems: unknown
    ids, keys Textual cannot report, and keys that would collide with another binding in the
    same scope (or with an app-wide priority binding). Colliding entries are left out, so
    the defaults keep working.
    """
    scope_list = list(scopes)
    known_ids = sorted({binding.id for scope in scope_list for binding in scope.bindings if binding.id})
    problems: list[str] = []
    usable: dict[str, list[str]] = {}
    for binding_id, keys in keymap.items():
        if binding_id not in known_ids:
            close = difflib.get_close_matches(binding_id, known_ids, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"keymap: {binding_id!r} is not a known binding id{hint}")
            continue
        normalized = split_keys(keys)
        bad = [key for key in normalized if not is_valid_key(key)]
        if bad or not normalized:
            problems.append(
                f"keymap: {binding_id!r}: {', '.join(map(repr, bad or [keys]))} is not a key name"
            )
            continue
        usable[binding_id] = normalized

    priority = [
        binding for scope in scope_list if scope.is_app for binding in scope.bindings if binding.priority
    ]
    while True:
        clashes: dict[str, str] = {}
        for scope in scope_list:
            combined = Scope(
                scope.name, scope.bindings + tuple(b for b in priority if b not in scope.bindings)
            )
            for key, labels in _effective_keys(combined, usable).items():
                remapped = sorted(label for label in labels if label in usable)
                if len(labels) > 1 and remapped:
                    for binding_id in remapped:
                        others = ", ".join(sorted(labels - {binding_id}))
                        clashes.setdefault(
                            binding_id,
                            f"keymap: {binding_id!r} → {format_key(key)!r} clashes with {others}"
                            f" in {scope.name}; keeping the default key",
                        )
        if not clashes:
            break
        for binding_id, message in clashes.items():
            problems.append(message)
            del usable[binding_id]
    return usable, problems


def _with_aliases(usable: Mapping[str, list[str]], scopes: list[Scope]) -> dict[str, str]:
    expanded: dict[str, str] = {}
    for binding_id, keys in usable.items():
        taken: set[str] = set()
        for scope in scopes:
            if any(binding.id == binding_id for binding in scope.bindings):
                taken.update(_effective_keys(scope, usable))
        all_keys = list(keys)
        for key in keys:
            alias = cyrillic_alias(key)
            if alias is not None and alias not in taken and alias not in all_keys:
                all_keys.append(alias)
        expanded[binding_id] = ",".join(all_keys)
    return expanded


def _declared_classes(app: App[Any]) -> list[type[DOMNode]]:
    """Classes whose bindings the app can reach without the caller listing them: screens in
    SCREENS and MODES, and every screen/widget class already imported from the app's package."""
    found: list[type[DOMNode]] = []
    for value in (*app.SCREENS.values(), *app.MODES.values()):
        if isinstance(value, type) and issubclass(value, DOMNode):
            found.append(value)
    package = type(app).__module__.split(".")[0]
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.split(".")[0] == package:
                found.append(subclass)
    return found


def apply_keymap(
    app: App[Any],
    keymap: Mapping[str, str],
    scopes: Iterable[type[DOMNode]] = (),
) -> list[str]:
    """Validate the user's keymap against every binding known and hand it to `app.set_keymap`.

    `scopes` are the screen and widget classes whose BINDINGS may be remapped. The app's
    class, the screens in SCREENS/MODES and every DOM class already imported from the app's
    top-level package are included anyway; list lazily imported ones explicitly. Returns the problems to
    show the user; entries with problems are skipped. Every remapped single-character key
    also gets its Russian-layout twin.
    """
    classes: list[type[DOMNode]] = [type(app), *_declared_classes(app), *scopes]
    unique = list(dict.fromkeys(classes))
    scope_list = [scope_of(node_class) for node_class in unique]
    usable, problems = check_keymap(keymap, scope_list)
    app.set_keymap(_with_aliases(usable, scope_list))
    _applied[app] = usable
    return problems


# The keymap each running app was given (validated entries only), for text that names keys.
_applied: WeakKeyDictionary[App[Any], dict[str, list[str]]] = WeakKeyDictionary()


def bound_key(app: App[Any], binding: Binding) -> str:
    """How `binding`'s first key shows in text (e.g. "^s"), as the app's keymap has it."""
    keys = _applied.get(app, {}).get(binding.id or "") or split_keys(binding.key)
    return app.get_key_display(Binding(keys[0], binding.action))


def known_binding_ids(classes: Iterable[type[DOMNode]]) -> list[str]:
    """Every binding id declared by `classes` (for `supportdesk keys` and the help screen)."""
    return sorted({binding.id for cls in classes for binding in scope_of(cls).bindings if binding.id})


# ---------------------------------------------------------------------------------------------
# The web keymap: keys a browser keeps for itself


# Keys a browser acts on before (or instead of) the page: new tab/window, close tab, switch
# tab, reload, address bar, quit. Under `supportdesk web` no binding may need one of them.
BROWSER_KEYS: frozenset[str] = frozenset({
    "ctrl+t", "ctrl+w", "ctrl+n", "ctrl+r", "ctrl+l", "ctrl+tab", "ctrl+shift+tab",
    "ctrl+shift+t", "ctrl+shift+w", "ctrl+shift+n", "ctrl+shift+q", "ctrl+pageup", "ctrl+pagedown",
    "f5", "ctrl+f5", "f6", "f11", "f12",
})

# Binding id → the keys it has under `supportdesk web` instead of a key the browser keeps. Alt
# with a letter reaches the page in every desktop browser (but alt+d, alt+e and alt+f, which
# Chrome and Firefox keep for the address bar and their menus).
WEB_KEYMAP: Mapping[str, str] = {
    "composer.send_solved": "alt+s",
    "composer.toggle_kind": "alt+t",
    "composer.fix_layout": "alt+l",
    "canned.language": "alt+l",
}


def web_keymap(user_keymap: Mapping[str, str]) -> dict[str, str]:
    """The keymap of a browser session: the web alternatives, then the user's own `[keymap]`
    (an agent who remaps a key means it in the browser too)."""
    return {**WEB_KEYMAP, **user_keymap}
