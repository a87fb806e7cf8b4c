"""Response headers: what lets Office frame the pane, and nothing else frame it or sniff it; HTTPS kept to."""

from __future__ import annotations

from flask import Flask, Response, request

from .services import services

# Office on the web frames the pane from these hosts; office.js talks to them in hidden frames.
# Besides the commercial cloud: the US government (GCC High, DoD), Office 365 Germany and 21Vianet
# (China) clouds, and OneDrive for consumers, which opens documents from onedrive.live.com.
OFFICE_HOSTS = (
    "https://*.office.com",
    "https://*.office365.com",
    "https://*.officeapps.live.com",
    "https://*.microsoft.com",
    "https://*.sharepoint.com",
    "https://*.cloud.microsoft",
    "https://*.online.office365.us",
    "https://*.online.office.de",
    "https://*.partner.officewebapps.cn",
    "https://onedrive.live.com",
)
_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' https://appsforoffice.microsoft.com",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self' https://login.microsoftonline.com",
        "frame-src 'self' " + " ".join(OFFICE_HOSTS),
        "frame-ancestors 'self' " + " ".join(OFFICE_HOSTS),
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)


_HSTS = "max-age=31536000"
"""A year of HTTPS only; not includeSubDomains, as the server does not speak for the rest of its domain."""


def _secure(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    if _over_https() and request.host.partition(":")[0].lower() != "localhost":
        # Not to localhost: a browser would then refuse plain HTTP to every other local development server
        # for a year (and browsers ignore it for IP addresses, RFC 6797 section 8.1).
        response.headers["Strict-Transport-Security"] = _HSTS
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = _POLICY
    return response


def _over_https() -> bool:
    # With sign-in the server may sit behind a proxy that ends TLS: browsers reach it at PUBLIC_URL, always https.
    return request.is_secure or services().settings.identity is not None


def register(app: Flask) -> None:
    """Add the headers to every response."""
    app.after_request(_secure)
