"""The LLM proposer: asks an OpenAI-compatible endpoint for the edits rules could not make.

One :meth:`LlmProposer.propose` call is one attempt. The caller validates an ``ok`` answer (parse,
``terraform validate``, plan, intent, policy) and, when it fails, asks again with
``task.with_feedback(answer, diagnostics)`` up to ``settings.max_attempts`` times.

- llm_prompt.py  LlmTask (drift facts, relevant source, feedback), build_task, redact, the messages
- llm_answer.py  LlmAnswer, the answer schema, find/replace edits applied to the real file texts

A bad answer is an :class:`LlmAnswer` with a ``rejection``; a failed request (unreachable endpoint, 401,
429 or 5xx after the client's own retries, timeout) raises :class:`LlmError` with one line for the user.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import NamedTuple

from reconciler.config import Config
from reconciler.errors import LlmError

if TYPE_CHECKING:  # the client is imported when an LLM is configured: it costs ~0.4 s on every command
    import openai
    from openai.types.chat import ChatCompletionMessageParam
from reconciler.propose.llm_answer import LlmAnswer
from reconciler.propose.llm_answer import read_answer
from reconciler.propose.llm_answer import rejected
from reconciler.propose.llm_prompt import LlmTask
from reconciler.propose.llm_prompt import build_task
from reconciler.propose.llm_prompt import prompt
from reconciler.propose.llm_prompt import task_for
from state.redaction import redact

__all__ = [
    "LlmAnswer",
    "LlmError",
    "LlmProposer",
    "LlmSettings",
    "LlmTask",
    "build_task",
    "llm_settings",
    "redact",
    "task_for",
]

DEFAULT_KEY_ENV = "RECONCILE_LLM_API_KEY"
_CONFIG_KEYS = ("llm.base_url", "llm.model", "llm.api_key_env", "llm.max_attempts", "llm.timeout_s")


class LlmSettings(NamedTuple):
    base_url: str  # an OpenAI-compatible API root: https://api.openai.com/v1, http://127.0.0.1:8000/v1
    model: str
    api_key_env: str = DEFAULT_KEY_ENV  # the variable holding the key; the key itself is never in config
    max_attempts: int = 3  # answers tried per drift item (the caller's validation loop)
    timeout_s: float = 60
    max_retries: int = 2  # the client's own retries of 429 / 5xx / connection errors, per attempt

    @classmethod
    def from_config(cls, config: Config) -> LlmSettings | None:
        """The ``[llm]`` settings; ``None`` (off) unless both ``llm.base_url`` and ``llm.model`` are set."""
        values = {key: config[key].value for key in _CONFIG_KEYS if key in config.settings}
        base_url, model = values.pop("llm.base_url", ""), values.pop("llm.model", "")
        if not isinstance(base_url, str) or not isinstance(model, str):
            return None
        options = {
            key.removeprefix("llm."): value for key, value in values.items() if value not in ("", None)
        }
        return llm_settings(base_url, model, **options)


def llm_settings(base_url: str, model: str, **options: object) -> LlmSettings | None:
    """Settings when an endpoint and a model are configured; ``None`` (the LLM is off) otherwise."""
    if not base_url.strip() or not model.strip():
        return None
    return LlmSettings(base_url.strip(), model.strip(), **options)  # type: ignore[arg-type]


class LlmProposer:
    """Asks the configured model for one answer per :meth:`propose` call."""

    def __init__(
        self,
        settings: LlmSettings,
        client: openai.OpenAI | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        import openai  # heavy (~0.4 s): imported only once an LLM is configured

        self.settings = settings
        self._errors = openai
        environ = os.environ if env is None else env
        self._key_missing = not environ.get(settings.api_key_env)
        # Local servers (vLLM, Ollama) take any key, but the client insists on one.
        self._client = client or openai.OpenAI(
            base_url=settings.base_url,
            api_key=environ.get(settings.api_key_env) or "unset",
            timeout=settings.timeout_s,
            max_retries=settings.max_retries,
        )

    def propose(self, task: LlmTask) -> LlmAnswer:
        system, user = prompt(task)
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        try:
            completion = self._client.chat.completions.create(
                model=self.settings.model,
                messages=messages,
                response_format={"type": "json_object"},
                temperature=0,
            )
        except self._errors.APIError as e:
            raise LlmError(self._describe(e)) from e
        choices = getattr(completion, "choices", None) or []
        if not choices:
            return rejected("", "the endpoint returned no choices")
        choice = choices[0]
        message = getattr(choice, "message", None)
        content = getattr(message, "content", None)
        if not isinstance(content, str) or not content.strip():
            refusal = getattr(message, "refusal", None)
            return rejected("", f"the model refused: {_line(refusal)}" if refusal else "the answer is empty")
        if getattr(choice, "finish_reason", None) == "length":
            return rejected(content, "the answer was cut off at the token limit; answer with shorter edits")
        return read_answer(content, task)

    def _describe(self, e: openai.APIError) -> str:
        openai = self._errors
        where = f"LLM endpoint {self.settings.base_url}"
        tries = self.settings.max_retries + 1
        if isinstance(e, openai.APITimeoutError):
            return f"{where}: no answer within {self.settings.timeout_s:g}s ({_tries(tries)})"
        if isinstance(e, openai.APIConnectionError):
            return f"{where}: cannot connect: {_line(e.__cause__ or e)}"
        if isinstance(e, openai.AuthenticationError | openai.PermissionDeniedError):
            hint = "is not set" if self._key_missing else "was refused"
            return f"{where}: HTTP {e.status_code}: the API key in ${self.settings.api_key_env} {hint}"
        if isinstance(e, openai.NotFoundError):
            return f"{where}: HTTP 404 for model {self.settings.model!r}: {_message(e)}"
        if isinstance(e, openai.RateLimitError):
            return f"{where}: rate limited (HTTP 429) {_tries(tries)}: {_message(e)}"
        if isinstance(e, openai.APIStatusError):
            retried = f" {_tries(tries)}" if e.status_code >= 500 else ""
            return f"{where}: HTTP {e.status_code}{retried}: {_message(e)}"
        return f"{where}: {_line(e)}"


def _message(e: openai.APIError) -> str:
    """The server's own words (``{"error": {"message": ...}}``), not the client's ``Error code:`` wrapper."""
    body = e.body
    if isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"].strip():
        return _line(body["message"])
    return _line(e.message)


def _tries(n: int) -> str:
    return "after 1 try" if n == 1 else f"after {n} tries"


def _line(value: object, limit: int = 200) -> str:
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
