"""Saving a document to the user's OneDrive (Microsoft Graph), with a token got on their behalf."""

from __future__ import annotations

import base64
from urllib.parse import quote

import httpx

from .errors import MicrosoftFailed, MicrosoftUnavailable, NotSignedIn, TooLarge
from .identity import OnBehalfOf, User

GRAPH = "https://graph.microsoft.com/v1.0"
FOLDER = "Freelance contracts"
_SIMPLE_UPLOAD_LIMIT = 4 * 1024 * 1024  # Graph's limit for a single PUT


class OneDrive:
    """Uploads files to ``Freelance contracts/`` in the signed-in user's OneDrive."""

    def __init__(self, on_behalf_of: OnBehalfOf, http: httpx.Client):
        self._on_behalf_of, self._http = on_behalf_of, http

    def save(self, user: User, filename: str, content: bytes) -> str:
        """Upload ``content`` as ``filename`` (renamed by OneDrive if taken) and return its web URL.

        Raises TooLarge over 4 MB, NotSignedIn (with claims) when Microsoft needs the user again,
        MicrosoftUnavailable when Entra ID or Graph is down or busy, MicrosoftFailed when it errs.
        """
        if len(content) > _SIMPLE_UPLOAD_LIMIT:
            raise TooLarge(f"{filename} is over 4 MB, more than a single upload to OneDrive takes.")
        token = self._on_behalf_of.graph_token(user)
        url = f"{GRAPH}/me/drive/root:/{quote(FOLDER)}/{quote(filename)}:/content"
        try:
            response = self._http.put(
                url,
                content=content,
                timeout=30,
                params={"@microsoft.graph.conflictBehavior": "rename"},
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"},
            )
        except httpx.HTTPError as exc:
            raise MicrosoftUnavailable(f"OneDrive could not be reached: {str(exc).rstrip('.')}.") from None
        if response.status_code == 401 and "claims=" in response.headers.get("WWW-Authenticate", ""):
            raise NotSignedIn(
                "Microsoft needs you to sign in again before saving to OneDrive.",
                error="insufficient_claims",
                claims=_claims(response.headers["WWW-Authenticate"]),
            )
        if response.status_code not in (200, 201):
            failure = MicrosoftUnavailable if response.status_code in (429, 503, 504) else MicrosoftFailed
            raise failure(f"OneDrive answered {response.status_code}: {_message(response).rstrip('.')}.")
        try:
            return response.json()["webUrl"]
        except (ValueError, KeyError, TypeError):
            raise MicrosoftFailed("OneDrive accepted the file but did not say where it is.") from None


def _claims(header: str) -> str:
    """The claims challenge of a Graph 401 (base64 in the header), decoded to the JSON MSAL takes."""
    encoded = header.split('claims="', 1)[1].split('"', 1)[0]
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4)).decode()


def _message(response: httpx.Response) -> str:
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return response.reason_phrase
