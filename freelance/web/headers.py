"""Response headers: what lets Office frame the pane, and nothing else frame it or sniff it."""

from __future__ import annotations

from flask import Flask, Response

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


def _secure(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = _POLICY
    return response


def register(app: Flask) -> None:
    """Add the headers to every response."""
    app.after_request(_secure)
