"""Who is calling: the claims of the request's bearer token, as ARM reads them.

The sandbox accepts unsigned JWTs (it has no keys to check signatures against) but, like ARM, refuses a
request without one. The claims go into the Activity Log verbatim.
"""

from __future__ import annotations

import functools
from typing import Any
from typing import NamedTuple

import jwt

from providers.azure.sdk import unsigned_jwt
from sandbox.arm.errors import ArmError


class Caller(NamedTuple):
    """The identity and request metadata of one ARM call."""

    claims: dict[str, Any]
    client_request_id: str
    correlation_id: str
    client_ip: str
    user_agent: str

    @property
    def name(self) -> str:
        """What the Activity Log shows as ``caller``: the user's UPN, else the principal's object id."""
        for claim in ("upn", "unique_name", "email", "oid", "appid", "sub"):
            value = self.claims.get(claim)
            if value:
                return str(value)
        return "unknown"


def claims_from_header(authorization: str | None) -> dict[str, Any]:
    """The claims of ``Authorization: Bearer <jwt>``; 401 as ARM answers when missing or unreadable."""
    if not authorization:
        raise ArmError(
            401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ArmError(
            401,
            "AuthenticationFailedInvalidHeader",
            "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        )
    return dict(_decode(token.strip()))


@functools.lru_cache(maxsize=256)
def _decode(token: str) -> dict[str, Any]:
    # A client sends the same token for an hour: decode it once, not on every request.
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as e:
        raise ArmError(401, "InvalidAuthenticationToken", f"The access token is invalid: {e}.") from None
    if not isinstance(claims, dict):
        raise ArmError(401, "InvalidAuthenticationToken", "The access token has no claims.")
    return claims


def make_token(claims: dict[str, Any]) -> str:
    """An unsigned JWT carrying ``claims`` (what the sandbox's own clients present)."""
    return unsigned_jwt(claims)
