"""User policies in OPA Rego, evaluated with ``regopy`` (rego-cpp) against the plan JSON as ``input``.

Every ``.rego`` file under the configured paths is loaded into one interpreter, so policies can import
each other's packages. The rules that judge are ``deny`` in each package named ``reconcile`` or below
(``package reconcile.tags``); other packages are libraries. A violation is named ``<package>.deny``::

    package reconcile.tags                      # Rego v1
    deny contains msg if {
        some rc in input.resource_changes
        not rc.change.after.tags.owner
        msg := {"msg": "every resource needs an owner", "address": rc.address}
    }

    package reconcile.legacy                    # Rego v0
    deny[msg] {
        rc := input.resource_changes[_]
        msg := sprintf("%s: no", [rc.address])
    }

``deny`` is a set (or an array) of messages, or an object of address → message. A message is a string
or an object with ``msg`` (or ``message``) and optionally ``address``; a string naming a planned
resource's address is attributed to it. rego-cpp reads v0's ``deny[msg] { }`` as an object
``{msg: true}``: its keys are the messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from regopy import Input  # type: ignore[import-untyped]
from regopy import Interpreter
from regopy import LogLevel
from regopy import RegoError

from reconciler.errors import PolicyError
from state.proposal import Violation

_PACKAGE = re.compile(r"^[ \t]*package[ \t]+([^\s#]+)", re.M)
_ERROR = re.compile(r"\(error(?=[ \n])(?: (\d+):)?")
_ERRORMSG = re.compile(r"\(errormsg (\d+):")


def policy_files(paths: Iterable[Path]) -> list[Path]:
    """The ``.rego`` files of ``paths`` (files as given, directories searched, hidden folders skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*.rego"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            raise PolicyError.at(path, None, "no such policy file or directory (policy.paths)")
    return list(dict.fromkeys(found))


def evaluate(files: Sequence[Path], plan: Mapping[str, Any], root: Path) -> list[Violation]:
    """Run every ``reconcile`` package's ``deny`` over ``plan``; file names are shown relative to ``root``."""
    if not files:
        return []
    rego = Interpreter()
    rego.log_level = LogLevel.NONE  # rego-cpp prints its errors on stdout otherwise; we raise them
    sources: dict[str, str] = {}
    packages: dict[str, list[str]] = {}
    for path in files:
        shown = _shown(path, root)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise PolicyError.at(shown, None, f"cannot read: {e}") from e
        sources[shown] = text
        match = _PACKAGE.search(_without_comments(text))
        if match is None:
            raise PolicyError.at(shown, 1, "no package declaration")
        try:
            rego.add_module(shown, text)
        except RegoError as e:
            raise PolicyError(_describe(str(e), sources, shown)) from None
        packages.setdefault(match.group(1), []).append(shown)
    rego.set_input(Input(plan))
    addresses = sorted({rc.get("address", "") for rc in plan.get("resource_changes") or ()}, key=len)
    found: list[Violation] = []
    for index, (package, shown_files) in enumerate(sorted(packages.items())):
        if package != "reconcile" and not package.startswith(("reconcile.", "reconcile[")):
            continue
        where = f"{', '.join(shown_files)} (package {package})"
        rule = f"{package}.deny"
        # One query for every shape: a set gives [m, m], an array [i, m], an object [key, m], and a v0
        # partial set, to rego-cpp an object, [m, true]. Undefined (a library) gives nothing.
        query = f"[[k, v] | v := data.{package}.deny[k]]"
        for key, value in _query(rego, query, f"deny{index}", where):
            if value is True or key == value:
                found.append(_violation(rule, key, None, addresses))
            else:
                found.append(_violation(rule, value, None if isinstance(key, int) else key, addresses))
    return sorted(set(found), key=lambda v: (v.rule, v.address, v.message))


def _query(rego: Any, expression: str, name: str, where: str) -> Any:
    """``expression``'s value, bound to ``name``: unique per query, because a query rego-cpp cannot parse
    answers with the previous query's result as if it were its own."""
    try:
        output = rego.query(f"{name} := {expression}")
    except RegoError as e:
        raise PolicyError(f"{where}: {_describe(str(e), {}, None)}") from None
    except ValueError as e:
        # rego-cpp returns some evaluation errors as an "ok" result that is not JSON; regopy chokes on it.
        raise PolicyError(f"{where}: {_describe(getattr(e, 'doc', str(e)), {}, None)}") from None
    if not output.ok():
        raise PolicyError(f"{where}: rego could not evaluate deny (rules with conflicting values?)")
    bindings = output.results[0].bindings if output.results else {}
    if name not in bindings:
        raise PolicyError(f"{where}: rego could not evaluate deny (an unusual package name?)")
    return bindings[name]


def _violation(rule: str, item: Any, key: Any, addresses: Sequence[str]) -> Violation:
    address = key if isinstance(key, str) else ""
    if isinstance(item, dict):
        text = item.get("msg", item.get("message"))
        message = text if isinstance(text, str) else json.dumps(item, sort_keys=True)
        if isinstance(item.get("address"), str):
            address = item["address"]
    elif isinstance(item, str):
        message = item
    else:
        message = f"deny is {json.dumps(item)}" if item is True else json.dumps(item, sort_keys=True)
    if not address:
        # The longest planned address the message names: azurerm_x.y["a"] rather than azurerm_x.y.
        address = next((a for a in reversed(addresses) if a and a in message), "")
    return Violation(rule, address, message)


def _describe(errors: str, sources: Mapping[str, str], fallback: str | None) -> str:
    """The first error of rego-cpp's error tree as ``file:line:col: message`` (and how many more)."""
    messages = []
    for match in _ERROR.finditer(errors):
        location = ""
        if match.group(1) is not None:
            name, rest = _counted(errors, match.end(), int(match.group(1)))
            offset = re.match(r"\|(\d+)\|", rest)
            if name in sources and offset is not None:
                location = f"{name}:{_position(sources[name], int(offset.group(1)))}: "
            else:
                location = f"{name}: "
        elif fallback is not None:
            location = f"{fallback}: "
        text = _ERRORMSG.search(errors, match.end())
        if text is not None:
            message, _ = _counted(errors, text.end(), int(text.group(1)))
            messages.append(location + " ".join(message.split()))
    if not messages:
        first = errors.strip().splitlines()[0] if errors.strip() else "unknown error"
        return f"{fallback}: {first}" if fallback else first
    more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    return messages[0] + more


def _counted(text: str, start: int, size: int) -> tuple[str, str]:
    """rego-cpp writes strings as ``<bytes>:<text>``: the text, and what follows it."""
    data = text[start:].encode("utf-8")
    return data[:size].decode("utf-8", "replace"), data[size:].decode("utf-8", "replace")


def _position(source: str, offset: int) -> str:
    before = source.encode("utf-8")[:offset].decode("utf-8", "replace")
    line = before.count("\n") + 1
    return f"{line}:{len(before) - (before.rfind(chr(10)) + 1) + 1}"


def _without_comments(text: str) -> str:
    return re.sub(r"#[^\n]*", "", text)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
