"""A webhook receiver on loopback: a real HTTP server that records what it is sent and answers as told."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from typing import NamedTuple

import pytest


class Answer(NamedTuple):
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds before answering (a slow receiver)


class Received(NamedTuple):
    path: str
    headers: dict[str, str]
    body: Any  # the JSON document


class Receiver:
    """``url`` takes POSTs; ``answers`` are used in order (then 200s); ``received`` lists what came."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers), body))
                    answer = receiver.answers.pop(0) if receiver.answers else Answer()
                if answer.delay:
                    threading.Event().wait(answer.delay)
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/T000/B000/secret-token"

    def bodies(self) -> list[Any]:
        with self._lock:
            return [r.body for r in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.close()


def closed_port_url() -> str:
    """A loopback URL nothing listens on: a receiver that is down."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    host, port = server.server_address[:2]
    server.server_close()
    return f"http://{host}:{port}/hooks/down"
