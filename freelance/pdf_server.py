"""The converter process: unoserver's server, loading every document hidden.

Run by LibreOffice's own Python (``python3 -m pdf_server``, see ``freelance.pdf``), never imported
by the service. unoserver loads a document into a frame as if for a screen; loaded hidden (as
JODConverter loads), LibreOffice skips that work, and a warm SOW converts in about a fifth less
time, to the same PDF.
"""

from __future__ import annotations

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


if __name__ == "__main__":
    converter.UnoConverter = HiddenConverter  # unoserver's server makes its converter from this name
    server.main()
