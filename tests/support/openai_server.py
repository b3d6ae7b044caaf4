"""A scripted OpenAI-compatible Chat Completions server on loopback, for the real ``openai`` client.

    with OpenAIServer([answer({...}), error(429, retry_after="0.05"), "not json"]) as llm:
        client = openai.OpenAI(base_url=llm.base_url, api_key=llm.api_key)
        ...
        assert all("secret" not in body for body in llm.bodies())

Each ``POST /v1/chat/completions`` with the right bearer token takes the next scripted :class:`Reply` in
order (a plain string is an assistant message with that content, a dict is JSON-encoded first). A wrong or
missing token gets OpenAI's 401 without consuming a reply; running out of replies is a 500 that names the
problem. Every request is recorded (path, headers, raw body) so a test can assert what was sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any
from typing import NamedTuple


class Reply(NamedTuple):
    status: int = 200
    content: str | None = None  # the assistant message's content (status 200)
    finish_reason: str = "stop"
    error: str = ""  # the error message (status >= 400)
    headers: tuple[tuple[str, str], ...] = ()
    delay_s: float = 0.0  # wait before answering (client timeouts)
    raw: bytes | None = None  # the exact body, instead of a generated one


class Recorded(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)

    def messages(self) -> list[dict[str, Any]]:
        return list(self.json()["messages"])


def answer(content: str | dict[str, Any], *, finish_reason: str = "stop", delay_s: float = 0.0) -> Reply:
    text = content if isinstance(content, str) else json.dumps(content)
    return Reply(content=text, finish_reason=finish_reason, delay_s=delay_s)


def error(status: int, message: str = "scripted failure", *, retry_after: str | None = None) -> Reply:
    headers = (("Retry-After", retry_after),) if retry_after is not None else ()
    return Reply(status=status, error=message, headers=headers)


class OpenAIServer:
    def __init__(
        self, replies: Iterable[Reply | str | dict[str, Any]] = (), api_key: str = "test-key"
    ) -> None:
        self.api_key = api_key
        self.requests: list[Recorded] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._http: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.script(*replies)

    def script(self, *replies: Reply | str | dict[str, Any]) -> None:
        with self._lock:
            self._replies.extend(r if isinstance(r, Reply) else answer(r) for r in replies)

    @property
    def base_url(self) -> str:
        assert self._http is not None, "the server is not running"
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def remaining(self) -> int:
        return len(self._replies)

    def bodies(self) -> list[str]:
        return [r.body for r in self.requests]

    def __enter__(self) -> OpenAIServer:
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True  # a reply delayed past a client timeout must not hold up close
        # A short poll keeps shutdown (and so each test's teardown) fast.
        self._thread = threading.Thread(
            target=self._http.serve_forever, args=(0.02,), name="openai-double", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._http is not None and self._thread is not None
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(5)

    def _next(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            if recorded.headers.get("authorization") != f"Bearer {self.api_key}":
                return Reply(status=401, error="Incorrect API key provided.")
            if recorded.method != "POST" or recorded.path.rstrip("/") != "/v1/chat/completions":
                return Reply(status=404, error=f"no route {recorded.method} {recorded.path}")
            if not self._replies:
                return Reply(status=500, error="openai_server: no scripted reply left")
            return self._replies.popleft()


def _completion(reply: Reply, request: Recorded, n: int) -> bytes:
    try:
        model = str(request.json().get("model", ""))
    except ValueError:
        model = ""
    return json.dumps(
        {
            "id": f"chatcmpl-{n}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content, "refusal": None},
                    "finish_reason": reply.finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    ).encode()


def _error_body(reply: Reply) -> bytes:
    code = {401: "invalid_api_key", 404: "not_found", 429: "rate_limit_exceeded"}.get(reply.status)
    kind = "invalid_request_error" if reply.status < 500 and reply.status != 429 else "server_error"
    return json.dumps({"error": {"message": reply.error, "type": kind, "param": None, "code": code}}).encode()


def _handler(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self._serve()

        def do_GET(self) -> None:
            self._serve()

        def _serve(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size).decode("utf-8", "replace")
            headers = {k.lower(): v for k, v in self.headers.items()}
            recorded = Recorded(self.command, self.path, headers, body)
            reply = server._next(recorded)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.raw is not None:
                payload = reply.raw
            elif reply.status == 200:
                payload = _completion(reply, recorded, len(server.requests))
            else:
                payload = _error_body(reply)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a scripted delay past its timeout)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler
