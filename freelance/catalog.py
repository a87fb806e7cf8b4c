"""The template catalog: each template's metadata, its data model, and its compiled form.

A template is a file in the templates folder (``sow.docx``) with its metadata beside it
(``sow.json``: title, kind, file-name pattern). Each template version (the file's bytes) is
compiled once per process, however many catalogs read it; producing a document only renders.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Template as FileNamePattern
from jinja2 import TemplateError
from pydantic import ValidationError

from .budget.tracker import BUDGET_TRACKER
from .documents import CompiledTemplate, RenderFailed
from .documents.environment import TEXT_LINE
from .documents.workbook import CompiledWorkbook
from .errors import CannotRender, InvalidData, NotFound
from .filenames import file_name
from .generated import Generated
from .models import DOCUMENT_MODELS, DocumentData
from .problems import problems_of

CONTROLLED = ("freelancer",)
"""The objects whose fields a contract carries as content controls (the Word add-in refills them)."""
Compiled = CompiledTemplate | CompiledWorkbook


@lru_cache(maxsize=64)
def compiled(format: str, data: bytes) -> Compiled:
    """Return the template file ``data`` of ``format`` compiled, once per version; raise TemplateInvalid."""
    if format == "xlsx":
        return CompiledWorkbook(data, BUDGET_TRACKER)
    return CompiledTemplate(data, controlled=CONTROLLED)


@dataclass(frozen=True)
class Template:
    """One template: id, title, kind (which model its data follows), format, compiled form and data model.

    A shipped template has version number 1; a company template's ``number`` counts its uploads.
    """

    id: str
    title: str
    kind: str
    format: str
    compiled: Compiled = field(repr=False)
    _filename: FileNamePattern = field(repr=False)
    model: type[DocumentData] = field(repr=False)
    source: str = "shipped"
    number: int = 1
    created_at: datetime | None = None
    created_by: str | None = None
    warnings: tuple[dict[str, Any], ...] = ()
    """What publishing found worth the author's attention (a company template)."""
    definition: tuple[dict[str, Any], tuple[str, ...]] | None = field(default=None, repr=False)
    """A company template's own fields (as stored) and the shipped fields it uses: its sample data's recipe."""

    @property
    def version(self) -> str:
        return self.compiled.version

    def validate(self, data: Any) -> DocumentData:
        """Return ``data`` as this template's model; raise InvalidData listing every problem."""
        try:
            document = self.model.model_validate(data)
        except ValidationError as exc:
            raise InvalidData(f"The data is not valid for template {self.id}.", problems_of(exc)) from None
        if problems := document.problems():
            raise InvalidData(f"The data is not valid for template {self.id}.", problems)
        return document

    def generate(self, document: DocumentData) -> Generated:
        """Return the rendered document for validated data (same data, same bytes).

        Raises CannotRender if the template fails on these values (a template fault).
        """
        context = document.context()
        try:
            content = self.compiled.render(context)
            name = file_name(self._filename.render(context), self.id)
        except (RenderFailed, TemplateError) as exc:
            raise CannotRender(f"Template {self.id} could not be rendered: {exc}") from exc
        return Generated(
            content, f"{name}.{self.format}", self.id, self.version, self.format, document.model_dump(mode="json")
        )


class Catalog:
    """The templates found in a folder, compiled once; look one up with ``catalog[id]``."""

    def __init__(self, folder: Path):
        self._templates: dict[str, Template] = {}
        self.filenames: dict[str, str] = {}
        """The file-name pattern of each shipped kind (company templates of that kind take it too)."""
        for meta_path in sorted(folder.glob("*.json")):
            meta = json.loads(meta_path.read_text("utf-8"))
            template_id = meta_path.stem
            data = meta_path.with_suffix(f".{meta['format']}").read_bytes()
            self._templates[template_id] = Template(
                template_id,
                meta["title"],
                meta["kind"],
                meta["format"],
                compiled(meta["format"], data),
                TEXT_LINE.from_string(meta["filename"]),
                DOCUMENT_MODELS[meta["kind"]],
            )
            self.filenames[meta["kind"]] = meta["filename"]

    def __iter__(self) -> Iterator[Template]:
        return iter(self._templates.values())

    def __contains__(self, template_id: object) -> bool:
        return template_id in self._templates

    def __getitem__(self, template_id: str) -> Template:
        try:
            return self._templates[template_id]
        except KeyError:
            raise NotFound(
                f"There is no template {template_id!r}; the templates are {', '.join(sorted(self._templates))}."
            ) from None
