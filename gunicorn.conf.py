"""Gunicorn in production: ``make serve`` runs ``gunicorn -c gunicorn.conf.py server:app``.

Plain HTTP on HOST:PORT, behind a proxy that terminates TLS (README.md, "Production"). WEB_CONCURRENCY
sets the workers, THREADS the threads of each; any setting can be overridden on the command line.
"""

import os
import socket
import struct

_host = os.environ.get("HOST", "127.0.0.1")
bind = f"[{_host}]:{os.environ.get('PORT', '3000')}" if ":" in _host else f"{_host}:{os.environ.get('PORT', '3000')}"

# Threads, not sync workers: a slow or stalled client holds one thread, not a whole worker. Threads also
# wait on the database, Microsoft Graph and LibreOffice while another renders. One worker per core.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))
threads = int(os.environ.get("THREADS", 8))

timeout = 30
"""A worker silent this long is restarted; a read or write of a client's socket waits as long at most."""
graceful_timeout = 30
keepalive = 5

# A worker is replaced after a few thousand requests, bounding any slow leak, only when batches run in
# `flask worker` processes (REDIS_URL): batch items queued on a replaced worker's own threads would wait for
# the next start of the server.
max_requests = 2000 if os.environ.get("REDIS_URL") else 0
max_requests_jitter = 200

# Bounds on what a request's head may hold: the API's longest address is well under 1 KB; an Entra ID
# bearer token with many claims runs to a few KB.
limit_request_line = 2048
limit_request_fields = 50
limit_request_field_size = 8190

accesslog = "-"
errorlog = "-"
# gunicorn's control socket lives in the user's home by default, shared by every gunicorn they run.
control_socket_disable = True


def post_worker_init(worker):
    """Before the worker serves: bound its clients' waits; the first worker of this server resumes its batches."""
    _bound_client_waits(worker)
    if worker.age == 1:
        _resume_batches(worker)


def _bound_client_waits(worker):
    # Accepted sockets inherit these from the listening one: a read or write of a client (its request's head or
    # body, or the answer) that waits `timeout` seconds fails and frees the thread, where gthread would wait for
    # ever (the app answers 400: the client went away).
    bound = struct.pack("ll", worker.cfg.timeout, 0)
    for listener in worker.sockets:
        listener.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, bound)
        listener.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, bound)


def _resume_batches(worker):
    # The app lives in the workers (the master loads none), and each would run every unfinished item: the first
    # worker a server starts (not one replacing another later) runs them on its threads, once per start.
    from freelance.web.services import resume_batches  # not at the top: the master would load the app

    resumed = resume_batches(worker.wsgi)
    if resumed:
        worker.log.info("Resumed %d unfinished batch items", resumed)
