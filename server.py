"""Entry point: ``server:app`` for a WSGI server; ``python server.py`` serves the add-in locally over HTTPS.

The development certificate for localhost is made on the first run and reused (see README.md:
"Trust the development certificate"). ``python server.py --help`` lists the options: ``--host`` and
``--port`` (HOST and PORT; a port also moves the default PUBLIC_URL), and ``--http`` for plain
HTTP behind a proxy that terminates TLS.
"""

import argparse
import errno
import os
import socket
import sys

from freelance.web import create_app
from freelance.web.devcert import development_certificate
from freelance.web.services import resume_batches, services


def main(argv: list[str] | None = None) -> int:
    """Serve the add-in until stopped; return the exit code (2: a setting refused, 1: the port is taken)."""
    options = _parser().parse_args(argv)
    settings = {**os.environ}
    if options.host:
        settings["HOST"] = options.host
    if options.port:
        settings["PORT"] = str(options.port)
    try:
        app = create_app(settings)
    except ValueError as refused:  # a setting the server cannot run with: say it in one sentence
        print(f"server.py: {refused}", file=sys.stderr)
        return 2
    chosen = services(app).settings
    if reason := _taken(chosen.HOST, chosen.PORT):
        print(
            f"server.py: port {chosen.PORT} on {chosen.HOST} is {reason}: stop what uses it, or choose "
            f"another with PORT={chosen.PORT + 1} (or --port {chosen.PORT + 1}).",
            file=sys.stderr,
        )
        return 1
    https = chosen.HTTPS and not options.http
    ssl_context = development_certificate(chosen.CERT_DIR) if https else None
    resume_batches(app)
    app.run(host=chosen.HOST, port=chosen.PORT, threaded=True, ssl_context=ssl_context)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="server.py",
        description="Serve the Freelance Toolkit add-in and its API locally (HTTPS with a development "
        "certificate). Every other setting comes from the environment: see README.md, 'Settings'.",
    )
    parser.add_argument("--host", help="the address to listen on (HOST; default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, help="the port to listen on (PORT; default 3000); PUBLIC_URL follows it unless set"
    )
    parser.add_argument("--http", action="store_true", help="plain HTTP, behind a proxy that terminates TLS")
    return parser


def _taken(host: str, port: int) -> str | None:
    """Why the server cannot listen on ``host``:``port`` (in use, or not allowed), or None when it can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, port))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return "in use by another program"
        if error.errno == errno.EACCES:
            return "not allowed to this user (ports below 1024 need root)"
        return f"unavailable ({error.strerror})"
    return None


if __name__ == "__main__":
    sys.exit(main())
else:
    app = create_app()
