"""The OpenID provider as this server sees it: its discovery document, its keys, the code
exchange and the validation of the tokens it signs.

JOSE is joserfc's; nothing here parses or checks a signature by hand. An ID token is accepted
only when all of these hold, each refusal naming what failed (:class:`Refused`):

- its ``alg`` is one of :data:`ALGORITHMS` (asymmetric signatures; never ``none``, never a
  shared-secret HMAC, which anyone holding the client secret could forge);
- it is signed by a key of the provider's JWKS. Keys are cached; a ``kid`` the cache does not
  hold makes one fresh fetch (the provider has rotated its keys), and a key still unknown then is
  refused;
- ``iss`` is ``OIDC_ISSUER`` exactly, ``aud`` holds ``OIDC_CLIENT_ID`` (and ``azp`` names it when
  there are several audiences), ``exp`` is in the future and ``iat`` not in it, within
  :data:`LEEWAY_SECONDS` of clock difference;
- ``nonce`` is the one this browser's sign-in was started with.

A back-channel logout token (OpenID Connect Back-Channel Logout 1.0) is checked the same way,
and must carry the logout event, ``sub`` or ``sid``, and no ``nonce``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from community.config import OidcSettings
from community.i18n import gettext as _

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_SECONDS = 60
METADATA_SECONDS = 3600
"""How long the discovery document is kept before it is fetched again."""
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
TIMEOUT = aiohttp.ClientTimeout(total=10)


class Refused(Exception):
    """The provider's answer or token is not accepted; ``message`` says why, for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class Provider:
    settings: OidcSettings
    http: aiohttp.ClientSession
    _metadata: dict[str, Any] | None = None
    _metadata_at: float = 0.0
    _keys: KeySet | None = None
    key_fetches: int = field(default=0)
    """How many times the JWKS was fetched (the key rotation test reads it)."""

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with self.http.get(url, timeout=TIMEOUT) as response:
                if response.status != 200:
                    raise Refused(_("The sign-in service did not answer properly. Try again in a few minutes."))
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            raise Refused(_("The sign-in service cannot be reached. Try again in a few minutes.")) from None
        if not isinstance(body, dict):
            raise Refused(_("The sign-in service did not answer properly. Try again in a few minutes."))
        return body

    async def metadata(self) -> dict[str, Any]:
        """The discovery document (``/.well-known/openid-configuration`` under the issuer)."""
        if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_SECONDS:
            found = await self._get_json(self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration")
            needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
            if found.get("issuer") != self.settings.issuer or not all(isinstance(found.get(key), str) for key in needed):
                raise Refused(_("The sign-in service did not answer properly. Try again in a few minutes."))
            self._metadata, self._metadata_at = found, time.monotonic()
        return self._metadata

    async def _key_set(self, *, fresh: bool) -> KeySet:
        if self._keys is None or fresh:
            document = await self._get_json((await self.metadata())["jwks_uri"])
            try:
                self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError):
                raise Refused(_("The sign-in service did not answer properly. Try again in a few minutes.")) from None
            self.key_fetches += 1
        return self._keys

    async def exchange(self, code: str, verifier: str, redirect_uri: str) -> str:
        """Trade the authorization code (with the PKCE verifier) for the ID token."""
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
        # client_secret_basic: each part form-encoded first (RFC 6749, section 2.3.1)
        auth = aiohttp.encode_basic_auth(quote(self.settings.client_id, safe=""), quote(self.settings.client_secret, safe=""))
        try:
            async with self.http.post((await self.metadata())["token_endpoint"], data=data, headers={"Authorization": auth},
                                      timeout=TIMEOUT) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError):
            raise Refused(_("The sign-in service cannot be reached. Try again in a few minutes.")) from None
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("id_token"), str):
            raise Refused(_("The sign-in service did not accept this sign-in: it may have been used already or "
                            "have expired. Start again."))
        return body["id_token"]

    async def _verified(self, token: str) -> dict[str, Any]:
        """The claims of a token whose signature is the provider's, not yet checked further."""
        try:
            header = jws.extract_compact(token.encode()).headers()
        except (JoseError, ValueError, TypeError):
            raise Refused(_("The sign-in service sent a token that cannot be read.")) from None
        if header.get("alg") not in ALGORITHMS:
            raise Refused(_("The sign-in service sent a token with a signature method this server does not accept."))
        keys = await self._key_set(fresh=False)
        kid = header.get("kid")
        if not (kid is None and len(keys.keys) == 1) and not any(key.kid == kid for key in keys):
            keys = await self._key_set(fresh=True)
        try:
            key = keys.get_by_kid(kid)
            return jwt.decode(token, key, algorithms=[header["alg"]]).claims
        except JoseError:
            raise Refused(_("The sign-in token is not signed by the sign-in service's keys.")) from None

    def _registry(self, **claims: Any) -> JWTClaimsRegistry:
        return JWTClaimsRegistry(leeway=LEEWAY_SECONDS, iss={"essential": True, "value": self.settings.issuer},
                                 aud={"essential": True, "value": self.settings.client_id},
                                 iat={"essential": True}, **claims)

    def _check(self, registry: JWTClaimsRegistry, claims: Mapping[str, Any]) -> None:
        try:
            registry.validate(dict(claims))
        except JoseError as error:
            reasons = {"iss": _("The sign-in token was issued by another service."),
                       "aud": _("The sign-in token was meant for another service, not this one."),
                       "exp": _("The sign-in token has expired. Start again."),
                       "nonce": _("The sign-in token does not belong to the sign-in this browser started. Start again.")}
            claim = getattr(error, "claim", "")
            raise Refused(reasons.get(claim, _("The sign-in token is not valid. Start again."))) from None
        audience = claims.get("aud")
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.settings.client_id:
            raise Refused(_("The sign-in token was meant for another service, not this one."))

    async def id_token_claims(self, token: str, nonce: str) -> dict[str, Any]:
        claims = await self._verified(token)
        self._check(self._registry(exp={"essential": True}, sub={"essential": True},
                                   nonce={"essential": True, "value": nonce}), claims)
        return claims

    async def logout_token_claims(self, token: str) -> dict[str, Any]:
        claims = await self._verified(token)
        self._check(self._registry(jti={"essential": True}), claims)
        events = claims.get("events")
        if (not isinstance(events, dict) or LOGOUT_EVENT not in events or "nonce" in claims
                or not (isinstance(claims.get("sub"), str) or isinstance(claims.get("sid"), str))):
            raise Refused(_("The sign-in token is not valid. Start again."))
        return claims
