"""The converter process: unoserver's server, loading every document hidden, ending with the service.

Run by LibreOffice's own Python (``python3 -m pdf_server``, see ``freelance.pdf``), never imported
by the service. unoserver loads a document into a frame as if for a screen; loaded hidden (as
JODConverter loads), LibreOffice skips that work, and a warm SOW converts in about a fifth less
time, to the same PDF. Its standard input is a pipe from the service, which closes when the service
ends, however it ends (SIGKILL included): the converter then stops, with its LibreOffice.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

import uno
from unoserver import converter, server


class _HiddenDesktop:
    """LibreOffice's desktop, adding ``Hidden`` to the properties a document is loaded with."""

    def __init__(self, desktop: Any):
        self._desktop = desktop

    def loadComponentFromURL(self, url: str, target: str, flags: int, properties: tuple[Any, ...]) -> Any:
        return self._desktop.loadComponentFromURL(
            url,
            target,
            flags,
            (*properties, uno.createUnoStruct("com.sun.star.beans.PropertyValue", Name="Hidden", Value=True)),
        )


class HiddenConverter(converter.UnoConverter):
    """unoserver's converter, loading documents hidden."""

    desktop: Any

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.desktop = _HiddenDesktop(self.desktop)


def _end_with_the_service() -> None:
    """Wait for the service's end of standard input to close, then stop as unoserver stops on SIGTERM."""
    sys.stdin.buffer.read()
    os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    converter.UnoConverter = HiddenConverter  # unoserver's server makes its converter from this name
    threading.Thread(target=_end_with_the_service, name="service-watch", daemon=True).start()
    server.main()
