"""The template catalog: each template's metadata, its data model, and its compiled form.

A template is a file in the templates folder (``sow.docx``) with its metadata beside it
(``sow.json``: title, kind, file-name pattern). Each template version (the file's bytes) is
compiled once per process, however many catalogs read it; producing a document only renders.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Template as FileNamePattern
from jinja2 import TemplateError

from .budget.tracker import BUDGET_TRACKER
from .documents import CompiledTemplate, RenderFailed
from .documents.environment import DEFAULT_LOCALE, TEXT_LINE
from .documents.paper import on_paper
from .documents.workbook import CompiledWorkbook
from .errors import CannotRender, NotFound
from .filenames import file_name
from .generated import Generated
from .locales import PAPERS, Paper, paper_for, text_locale, value_locale
from .models import DOCUMENT_MODELS, DocumentData
from .validation import validated

CONTROLLED = ("freelancer",)
"""The objects whose fields a contract carries as content controls (the Word add-in refills them)."""
Compiled = CompiledTemplate | CompiledWorkbook


@lru_cache(maxsize=128)
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
    variants: Mapping[tuple[str | None, Paper], Compiled] = field(default_factory=dict, repr=False)
    """A shipped template's files by text locale (None: one text for every locale) and paper."""
    texts: tuple[str, ...] = ()
    """The text locales a shipped template is written in (empty: one text for every locale)."""

    @property
    def version(self) -> str:
        return self.compiled.version

    @property
    def versions(self) -> frozenset[str]:
        """Every file version a document of this template may have been made with: one per text and paper."""
        return frozenset(variant.version for variant in self.variants.values()) | {self.version}

    def validate(self, data: Any) -> DocumentData:
        """Return ``data`` as this template's model; raise InvalidData listing every problem at once."""
        return validated(self.model, data, f"The data is not valid for template {self.id}.")

    def generate(self, document: DocumentData) -> Generated:
        """Return the rendered document for validated data (same data, same bytes).

        Raises CannotRender if the template fails on these values (a template fault).
        """
        context = document.context()
        compiled = self._compiled_for(context)
        try:
            content = compiled.render(context)
            name = file_name(self._filename.render(context), self.id)
        except (RenderFailed, TemplateError) as exc:
            raise CannotRender(f"Template {self.id} could not be rendered: {exc}") from exc
        return Generated(
            content,
            f"{name}.{self.format}",
            self.id,
            compiled.version,
            self.format,
            document.model_dump(mode="json"),
            self.kind,
        )

    def _compiled_for(self, context: dict[str, Any]) -> Compiled:
        """The file a shipped template renders for the context's locale (setting the locale its values are
        written in to match the text); a company template's only file."""
        if not self.variants:
            return self.compiled
        requested = str(context.get("locale") or DEFAULT_LOCALE)
        text = text_locale(requested, self.texts) if self.texts else None
        if text is not None:
            context["locale"] = value_locale(requested, text)
        return self.variants[(text, paper_for(requested))]


def _files(folder: Path, template_id: str, format: str, texts: tuple[str, ...]) -> Iterator[tuple[str | None, bytes]]:
    """A shipped template's files and their text locales: <id>.<format> in the first, <id>.<locale>.<format>
    in each other; with no text locales, <id>.<format> for every locale."""
    yield (texts[0] if texts else None), (folder / f"{template_id}.{format}").read_bytes()
    for text in texts[1:]:
        yield text, (folder / f"{template_id}.{text}.{format}").read_bytes()


class Catalog:
    """The templates found in a folder, compiled once; look one up with ``catalog[id]``."""

    def __init__(self, folder: Path):
        self._templates: dict[str, Template] = {}
        self.filenames: dict[str, str] = {}
        """The file-name pattern of each shipped kind (company templates of that kind take it too)."""
        for meta_path in sorted(folder.glob("*.json")):
            meta = json.loads(meta_path.read_text("utf-8"))
            template_id, format = meta_path.stem, meta["format"]
            texts = tuple(meta.get("locales", ()))
            variants = {
                (text, paper): compiled(format, on_paper(data, paper))
                for text, data in _files(folder, template_id, format, texts)
                for paper in PAPERS
            }
            self._templates[template_id] = Template(
                template_id,
                meta["title"],
                meta["kind"],
                format,
                variants[(texts[0] if texts else None, paper_for(DEFAULT_LOCALE))],
                TEXT_LINE.from_string(meta["filename"]),
                DOCUMENT_MODELS[meta["kind"]],
                variants=variants,
                texts=texts,
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
