"""``reconcile bot serve``: the webhook server (Starlette on uvicorn) and the worker behind it.

    POST /webhooks/github   X-Hub-Signature-256 checked in constant time (401 when wrong or missing)
    POST /webhooks/gitlab   X-Gitlab-Token checked in constant time (401)
    GET  /healthz           {"ok": true, "queued": N, "running": N}

A delivery is answered as soon as its job is in the store: 202 ``{"queued": job}``; a delivery id seen
before is 200 ``{"duplicate": true}`` and queues nothing; an event the bot does not act on is 202
``{"ignored": reason}``; a body over the bound is 413 without being read further. The worker thread
takes jobs from the store one at a time (Terraform runs in the bot's one work tree), and on start puts
back the jobs a previous server left running — a restart loses nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hooks.bot import jobs
from hooks.bot import webhooks
from hooks.bot.context import Bot
from state.bot import NewJob
from state.sqlite import SqliteStore

MAX_BODY = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
IDLE_POLL_S = 1.0


class Worker:
    """Runs queued jobs in a background thread until stopped."""

    def __init__(self, bot: Bot, store: SqliteStore) -> None:
        self.bot = bot
        self.store = store
        self.wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reconcile-bot-worker", daemon=True)

    def start(self) -> None:
        self.store.requeue_running()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        self._thread.join(timeout=600)  # a job in progress (an apply) is let finish

    def _run(self) -> None:
        while not self._stop.is_set():
            job = self.store.claim_job()
            if job is None:
                self.wake.wait(IDLE_POLL_S)
                self.wake.clear()
                continue
            error = ""
            try:
                jobs.handle(self.bot, job)
            except Exception as e:  # one job's failure must not stop the queue
                error = self.bot.settings.redact(f"{type(e).__name__}: {e}")
                self.bot.log(f"job {job.job_id} failed: {error}")
            self.store.finish_job(job.job_id, error)


def create_app(bot: Bot, *, max_body: int = MAX_BODY, work: bool = True) -> Starlette:
    """The ASGI app; ``work=False`` queues without running jobs (a server that only receives)."""
    secret = bot.settings.require_webhook_secret()
    repository = bot.settings.repository
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        with bot.store() as store:
            worker = Worker(bot, store)
            state.update(store=store, worker=worker)
            if work:
                worker.start()
            try:
                yield
            finally:
                if work:
                    await run_in_threadpool(worker.stop)

    async def github(request: Request) -> JSONResponse:
        body = await _read(request, max_body)
        if body is None:
            return JSONResponse({"error": f"body over {max_body} bytes"}, 413)
        if not webhooks.github_signed(secret, body, request.headers.get("x-hub-signature-256", "")):
            return JSONResponse({"error": "bad signature"}, 401)
        event = request.headers.get("x-github-event", "")
        if event == "ping":
            return JSONResponse({"pong": True})
        return await _accept(
            "github",
            webhooks.github_delivery(request.headers),
            body,
            lambda doc: webhooks.github_job(event, doc, repository),
        )

    async def gitlab(request: Request) -> JSONResponse:
        body = await _read(request, max_body)
        if body is None:
            return JSONResponse({"error": f"body over {max_body} bytes"}, 413)
        if not webhooks.gitlab_signed(secret, request.headers.get("x-gitlab-token", "")):
            return JSONResponse({"error": "bad token"}, 401)
        event = request.headers.get("x-gitlab-event", "")
        delivery = webhooks.gitlab_delivery(request.headers, body)
        return await _accept(
            "gitlab", delivery, body, lambda doc: webhooks.gitlab_job(event, doc, repository)
        )

    async def _accept(
        forge: str, delivery: str, body: bytes, job_of: Callable[[Any], NewJob | str]
    ) -> JSONResponse:
        if not delivery or len(delivery) > 200:
            return JSONResponse({"error": "no delivery id"}, 400)
        try:
            doc = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, 400)
        job = job_of(doc)
        store: SqliteStore = state["store"]
        received = await run_in_threadpool(
            store.receive, forge, delivery, job if isinstance(job, NewJob) else None
        )
        if received.duplicate:
            return JSONResponse({"duplicate": True}, 200)
        if received.job_id is None:
            return JSONResponse({"ignored": job}, 202)
        state["worker"].wake.set()
        return JSONResponse({"queued": received.job_id}, 202)

    async def healthz(request: Request) -> JSONResponse:
        store: SqliteStore = state["store"]
        all_jobs = await run_in_threadpool(store.jobs)
        counts = {s: sum(j.status == s for j in all_jobs) for s in ("queued", "running")}
        return JSONResponse({"ok": True, **counts})

    routes = [
        Route("/webhooks/github", github, methods=["POST"]),
        Route("/webhooks/gitlab", gitlab, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _read(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to exceed ``limit`` (by its header or while reading)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def serve(bot: Bot, host: str, port: int) -> None:
    """Serve until interrupted; the worker finishes the job in progress first."""
    uvicorn.run(create_app(bot), host=host, port=port, log_level="info", access_log=False)
