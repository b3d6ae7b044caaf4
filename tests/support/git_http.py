"""A bare repository served over git's smart HTTP protocol by git's own ``git http-backend``, behind
HTTP Basic authentication, as a forge serves its remotes: for tests of the credentials git is given.

``accept(username, password)`` decides each request; a request without credentials (or with wrong ones)
gets the 401 and ``WWW-Authenticate`` a forge answers with, so git asks its credential helpers.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request
from werkzeug.wrappers import Response


class GitHttp:
    def __init__(self, remote: Path, accept: Callable[[str, str], bool]) -> None:
        self.remote = remote
        self.accept = accept
        self.seen: list[tuple[str, str]] = []  # (user name, path) of every authenticated request

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        user, password = _basic(request.headers.get("Authorization", ""))
        if user is None or not self.accept(user, password):
            denied = Response("Authentication required\n", 401)
            denied.headers["WWW-Authenticate"] = 'Basic realm="forge"'
            return denied(environ, start_response)
        self.seen.append((user, request.path))
        cgi = {
            "GIT_PROJECT_ROOT": str(self.remote.parent),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": request.path,
            "QUERY_STRING": request.query_string.decode(),
            "REQUEST_METHOD": request.method,
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
            "HTTP_CONTENT_ENCODING": request.headers.get("Content-Encoding", ""),
            "REMOTE_USER": user,  # git http-backend allows a push from an authenticated user only
            "REMOTE_ADDR": "127.0.0.1",
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        }
        done = subprocess.run(
            ["git", "http-backend"], input=request.get_data(), env=cgi, capture_output=True, check=False
        )
        head, _, body = done.stdout.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        return Response(body, status, headers)(environ, start_response)


def _basic(header: str) -> tuple[str | None, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None, ""
    user, _, password = base64.b64decode(encoded).decode("utf-8", errors="replace").partition(":")
    return user, password
