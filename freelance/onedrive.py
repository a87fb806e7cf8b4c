"""Saving a document to the user's OneDrive (Microsoft Graph), with a token got on their behalf."""

from __future__ import annotations

import base64
import contextlib
import io
import logging
from typing import IO, Any
from urllib.parse import quote

import httpx

from .errors import MicrosoftFailed, MicrosoftUnavailable, NotSignedIn
from .identity import OnBehalfOf, User

GRAPH = "https://graph.microsoft.com/v1.0"
FOLDER = "Freelance contracts"
_SIMPLE_UPLOAD_LIMIT = 4 * 1024 * 1024  # Graph's limit for a single PUT
_log = logging.getLogger(__name__)
FRAGMENT = 32 * 320 * 1024
"""The bytes of one PUT to an upload session: 10 MiB, a multiple of the 320 KiB Graph asks for."""


class OneDrive:
    """Uploads files to ``Freelance contracts/`` in the signed-in user's OneDrive."""

    def __init__(self, on_behalf_of: OnBehalfOf, http: httpx.Client):
        self._on_behalf_of, self._http = on_behalf_of, http

    def save(self, user: User, filename: str, content: bytes | IO[bytes]) -> str:
        """Upload ``content`` (bytes, or a seekable file read from its start) as ``filename`` (renamed by
        OneDrive if taken) and return its web URL. Up to 4 MB it is one PUT; a larger file goes up in
        fragments through an upload session, never read whole into memory.

        Raises NotSignedIn (with claims) when Microsoft needs the user again, MicrosoftUnavailable when
        Entra ID or Graph is down or busy, MicrosoftFailed when it errs.
        """
        file = io.BytesIO(content) if isinstance(content, bytes) else content
        size = file.seek(0, io.SEEK_END)
        file.seek(0)
        token = self._on_behalf_of.graph_token(user)
        item = f"{GRAPH}/me/drive/root:/{quote(FOLDER)}/{quote(filename)}:"
        if size <= _SIMPLE_UPLOAD_LIMIT:
            response = self._call(
                "PUT",
                f"{item}/content",
                content=file.read(),
                params={"@microsoft.graph.conflictBehavior": "rename"},
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"},
            )
            return _web_url(_expect(response, 200, 201))
        session = _expect(
            self._call(
                "POST",
                f"{item}/createUploadSession",
                json={"item": {"@microsoft.graph.conflictBehavior": "rename"}},
                headers={"Authorization": f"Bearer {token}"},
            ),
            200,
        )
        try:
            upload_url = session.json()["uploadUrl"]
        except (ValueError, KeyError, TypeError):
            upload_url = None
        if not isinstance(upload_url, str) or not upload_url.startswith("https://"):
            raise MicrosoftFailed("OneDrive opened an upload but did not say where to send the file.")
        try:
            return self._upload_fragments(upload_url, file, size)
        except Exception:
            with contextlib.suppress(httpx.HTTPError):  # the session expires by itself if this fails too
                self._http.delete(upload_url, timeout=10)
            raise

    def _upload_fragments(self, upload_url: str, file: IO[bytes], size: int) -> str:
        """PUT ``file`` to an upload session one fragment at a time; return the finished file's web URL.

        The upload URL is pre-authenticated: it must be sent no Authorization header."""
        start = 0
        while fragment := file.read(FRAGMENT):
            end = start + len(fragment) - 1
            response = self._call(
                "PUT",
                upload_url,
                content=fragment,
                headers={"Content-Range": f"bytes {start}-{end}/{size}", "Content-Type": "application/octet-stream"},
            )
            start = end + 1
            if start < size:
                _expect(response, 202)
        return _web_url(_expect(response, 200, 201))

    def _call(self, method: str, url: str, **options: Any) -> httpx.Response:
        """Send one request to Graph; a network failure is MicrosoftUnavailable, a claims challenge NotSignedIn."""
        try:
            response = self._http.request(method, url, timeout=60, **options)
        except httpx.HTTPError as exc:
            # Not the address: an upload session's is its own credential.
            _log.warning("OneDrive could not be reached (%s to %s): %s", method, httpx.URL(url).host, exc)
            raise MicrosoftUnavailable("OneDrive could not be reached: try again in a minute.") from None
        if response.status_code == 401 and "claims=" in response.headers.get("WWW-Authenticate", ""):
            raise NotSignedIn(
                "Microsoft needs you to sign in again before saving to OneDrive.",
                error="insufficient_claims",
                claims=_claims(response.headers["WWW-Authenticate"]),
            )
        return response


def _expect(response: httpx.Response, *statuses: int) -> httpx.Response:
    """Return ``response`` if its status is one of ``statuses``; else raise what Graph's answer means."""
    if response.status_code not in statuses:
        failure = MicrosoftUnavailable if response.status_code in (429, 503, 504) else MicrosoftFailed
        raise failure(f"OneDrive answered {response.status_code}: {_message(response).rstrip('.')}.")
    return response


def _web_url(response: httpx.Response) -> str:
    try:
        url = response.json()["webUrl"]
    except (ValueError, KeyError, TypeError):
        url = None
    if not isinstance(url, str):
        raise MicrosoftFailed("OneDrive accepted the file but did not say where it is.")
    return url


def _claims(header: str) -> str:
    """The claims challenge of a Graph 401 (base64 in the header), decoded to the JSON MSAL takes."""
    encoded = header.split('claims="', 1)[1].split('"', 1)[0]
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4)).decode()


def _message(response: httpx.Response) -> str:
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return response.reason_phrase
