"""Rate limits per user (Flask-Limiter): past its limit, generating, uploading or starting a batch answers 429
with Retry-After. Counted in Redis when REDIS_URL is set (shared by every process and machine), else in the
memory of each process."""

from __future__ import annotations

import math
import time

from flask import Flask, Response, g, request
from flask_limiter import Limiter, RateLimitExceeded

from .config import Settings
from .errors import error_response

LIMITED = {
    "generation": (
        "documents.generate",
        "documents.regenerate",
        "templates.preview",
        "insights.workbook",
        "insights.insertion",
    ),
    "uploads": (
        "freelancers.import_file",
        "budgets.summary",
        "templates.publish",
        "templates.publish_version",
        "documents.attach_signed",
    ),
    "batches": ("batches.create",),
}
"""The endpoints each limit counts together, by the setting's group name."""

_WHAT = {"generation": "documents generated", "uploads": "files uploaded", "batches": "batches started"}


def register(app: Flask, settings: Settings) -> None:
    """Give ``app`` a limiter of its own (no two apps share counts) with the limits ``settings`` set.

    With every limit off, there is no limiter. Registered after sign-in, so a request is counted against the
    user it acts for. Were Redis to fail, the request is let through (and the failure logged) rather than
    refused.
    """
    limits = {
        "generation": settings.RATE_LIMIT_GENERATION,
        "uploads": settings.RATE_LIMIT_UPLOADS,
        "batches": settings.RATE_LIMIT_BATCHES,
    }
    if not any(limits.values()):
        return  # every limit off: no limiter checking each request
    limiter = Limiter(
        key_func=_requester,
        app=app,
        storage_uri=settings.REDIS_URL or "memory://",
        storage_options={"socket_connect_timeout": 2, "socket_timeout": 2} if settings.REDIS_URL else {},
        strategy="moving-window",
        headers_enabled=False,  # it would put Retry-After on every answer, a 201 too: only a 429 has one
        swallow_errors=True,
        key_prefix=settings.RATE_LIMIT_PREFIX,
    )
    for group, endpoints in LIMITED.items():
        if not limits[group]:
            continue
        shared = limiter.shared_limit(
            limits[group],
            scope=group,
            error_message=f"Too many {_WHAT[group]} in a short time (at most {limits[group]} each): try again shortly.",
        )
        for endpoint in endpoints:
            app.view_functions[endpoint] = shared(app.view_functions[endpoint])  # type: ignore[assignment]

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded) -> Response:
        response = error_response(429, error.description or "Too many requests: try again shortly.")
        # When the oldest request counted leaves the window (whole seconds: at most the window itself).
        window = error.limit.limit.get_expiry()
        reset_at = limiter.current_limit.reset_at if limiter.current_limit else time.time() + window
        response.headers["Retry-After"] = str(min(window, max(1, math.ceil(reset_at - time.time()))))
        return response


def _requester() -> str:
    """Who a request is counted against: the signed-in user (tenant and object id), else its address."""
    user = g.get("user")
    return f"{user.tenant}/{user.oid}" if user is not None else f"address/{request.remote_addr}"
