"""Templates for the document engine's tests, built with python-docx, and ways to read what it renders.

``make_docx`` writes a real .docx the way Word would (runs, tables, headers, document properties);
``reopen`` writes rendered bytes to a file in ``tmp_path`` and opens it with python-docx; ``xml_part``
parses one part with lxml, which also proves it well-formed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import docx
import pytest
from docx.document import Document


@pytest.fixture
def reopen(tmp_path) -> Callable[[bytes], Document]:
    """Write rendered bytes to a real .docx file in ``tmp_path`` and open it with python-docx."""
    numbers = itertools.count(1)

    def reopen(rendered: bytes) -> Document:
        path = tmp_path / f"rendered-{next(numbers)}.docx"
        path.write_bytes(rendered)
        return docx.Document(str(path))

    return reopen
