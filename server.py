"""Entry point: ``server:app`` for a WSGI server; ``python server.py`` serves the add-in locally over HTTPS.

The development certificate for localhost is made on the first run and reused (see README.md:
"Trust the development certificate"). ``python server.py --http`` serves plain HTTP, for use
behind a proxy that terminates TLS.
"""

import sys

from freelance.web import create_app
from freelance.web.devcert import development_certificate
from freelance.web.services import resume_batches, services

app = create_app()

if __name__ == "__main__":
    settings = services(app).settings
    https = settings.HTTPS and "--http" not in sys.argv[1:]
    ssl_context = development_certificate(settings.CERT_DIR) if https else None
    resume_batches(app)
    app.run(host=settings.HOST, port=settings.PORT, threaded=True, ssl_context=ssl_context)
