"""A client for a running sandbox's admin API (``/_sandbox/*``): faults and settings."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from sandbox.errors import SandboxError


class AdminClient:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def add_fault(self, rule: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/_sandbox/faults", rule)

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/_sandbox/faults")["rules"])

    def clear_faults(self) -> None:
        self._call("DELETE", "/_sandbox/faults")

    def settings(self, changes: dict[str, Any] | None = None) -> dict[str, Any]:
        if changes:
            return self._call("PATCH", "/_sandbox/settings", changes)
        return self._call("GET", "/_sandbox/settings")

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
        except urllib.error.HTTPError as e:
            try:
                message = json.loads(e.read())["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = e.reason
            raise SandboxError(f"the sandbox refused {method} {path}: {message}") from None
        except OSError as e:
            raise SandboxError(f"cannot reach the sandbox at {self.url}: {e}") from None
        return json.loads(raw) if raw else None
