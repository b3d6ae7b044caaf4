"""Azure SDK clients for real Azure or the sandbox, built the same way for both.

Against the sandbox (plain http on loopback) the bearer-token policy must be told that http is fine;
everything else — retries, paging, LRO polling — is the SDK's own.
"""

from __future__ import annotations

import base64
import inspect
import json
import time
from typing import Any
from typing import NamedTuple
from typing import TypeVar

from azure.core.credentials import AccessToken
from azure.core.credentials import TokenCredential
from azure.core.pipeline import PipelineRequest
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

ARM_SCOPE = "https://management.azure.com/.default"

C = TypeVar("C")


class Endpoint(NamedTuple):
    """Where ARM is and who we are there."""

    url: str
    subscription_id: str
    credential: TokenCredential

    @property
    def insecure(self) -> bool:
        return self.url.lower().startswith("http://")


class StaticTokenCredential:
    """A credential handing out one fixed token (the sandbox's unsigned JWTs)."""

    def __init__(self, token: str, lifetime_s: int = 3600) -> None:
        self._token = token
        self._lifetime = lifetime_s

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + self._lifetime)

    def __repr__(self) -> str:
        return "StaticTokenCredential(<hidden>)"


def unsigned_jwt(claims: dict[str, Any]) -> str:
    """A JWT with ``alg: none``: what the sandbox accepts (it has no keys to check signatures with)."""

    def part(data: dict[str, Any]) -> str:
        return (
            base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()
        )

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def sandbox_credential(**claims: Any) -> StaticTokenCredential:
    """A credential whose token carries ``claims`` (``upn``, ``appid``, ``oid`` …) into the Activity Log."""
    now = int(time.time())
    return StaticTokenCredential(unsigned_jwt({"iat": now, "nbf": now, "exp": now + 86400, **claims}))


class _HttpAllowedPolicy(ARMChallengeAuthenticationPolicy):
    """ARM's bearer policy, allowed over http for the loopback sandbox."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        request.context["enforce_https"] = False
        super().on_request(request)


def client(cls: type[C], endpoint: Endpoint, **kwargs: Any) -> C:
    """An instance of an azure-mgmt client class (``ComputeManagementClient`` …) for ``endpoint``."""
    options: dict[str, Any] = {"base_url": endpoint.url, "credential_scopes": [ARM_SCOPE], **kwargs}
    if endpoint.insecure:
        options["authentication_policy"] = _HttpAllowedPolicy(endpoint.credential, ARM_SCOPE)
    options.setdefault("polling_interval", 0)
    if _takes_subscription(cls):
        return cls(endpoint.credential, endpoint.subscription_id, **options)  # type: ignore[call-arg]
    return cls(endpoint.credential, **options)  # type: ignore[call-arg]


def wire_json(model: Any) -> dict[str, Any]:
    """An SDK model as ARM's wire JSON (camelCase, with ``properties``), as plain dicts and lists.

    Newer SDKs' models are mappings over the wire JSON; msrest-style ones (monitor) serialize themselves.
    """
    serialize = getattr(model, "serialize", None)
    if callable(serialize) and not isinstance(model, dict):
        return dict(json.loads(json.dumps(serialize(keep_readonly=True), default=str)))
    return dict(json.loads(json.dumps(model, default=dict)))


def _takes_subscription(cls: type) -> bool:
    return "subscription_id" in inspect.signature(cls).parameters
