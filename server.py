"""Entry point: ``server:app`` for a WSGI server, ``python server.py`` to run locally."""
from freelance.web import create_app

app = create_app()

if __name__ == "__main__":
    settings = app.config["SETTINGS"]
    app.run(host=settings.HOST, port=settings.PORT, threaded=True)
