"""The templates a tenant can use: the shipped ones, and its own company templates with their versions."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from sqlalchemy import inspect

from ..catalog import Catalog, Template, compiled
from ..documents.environment import TEXT_LINE
from ..errors import Conflict, NotFound
from ..problems import Problem
from .model import data_model
from .publishing import check_id, prepare
from .samples import sample_data, sample_for
from .spec import Spec
from .store import TemplateRecord, TemplateStore, VersionRecord

_CACHED_TEMPLATES = 128


class Templates:
    """Shipped templates for every tenant, and each tenant's company templates (another tenant's are not there)."""

    def __init__(self, catalog: Catalog, store: TemplateStore):
        self.catalog, self._store = catalog, store
        self._cache: OrderedDict[tuple[str, str, int], Template] = OrderedDict()
        self._lock = Lock()

    def listed(self, tenant: str) -> list[Template]:
        """Return the shipped templates, then the tenant's company templates in use (newest versions)."""
        company = [self._template(tenant, record, version) for record, version in self._store.templates(tenant)]
        return [*self.catalog, *company]

    def get(self, tenant: str, template_id: str, *, version: str | None = None, number: int | None = None) -> Template:
        """Return a template to generate from: shipped, or the tenant's (newest, or the version of that
        SHA-256 or number). Raise NotFound; Conflict for a retired one."""
        if template_id in self.catalog:
            template = self.catalog[template_id]
            if (version is not None and version not in template.versions) or number not in (None, 1):
                raise Conflict(
                    f"Template {template_id!r} has been updated since: that version is no longer available.",
                    [Problem("template", "was made with an earlier version of a shipped template")],
                )
            return template
        record = self._store.template(tenant, template_id)
        if record is None:
            self.catalog[template_id]  # raises NotFound listing the shipped ones
        assert record is not None
        if record.retired_at is not None:
            raise Conflict(
                f"Template {template_id!r} is retired: it makes no new documents.",
                [Problem("template", "is retired")],
            )
        found = self._store.version(tenant, template_id, number=number, sha256=version)
        if found is None:
            raise NotFound(f"Template {template_id!r} has no such version.")
        return self._template(tenant, record, found)

    def publish(
        self, tenant: str, template_id: str, title: str, content: bytes, sidecar: dict[str, Any] | None, by: str
    ) -> Template:
        """Publish a new company template; raise TemplateRefused, or Conflict for a taken id (a shipped one too)."""
        self._not_shipped(check_id(template_id))
        version = self._store.create(tenant, template_id, title, prepare(content, sidecar), by)
        return self._template(tenant, self._record(tenant, template_id), version)

    def publish_version(
        self, tenant: str, template_id: str, title: str | None, content: bytes, sidecar: dict[str, Any] | None, by: str
    ) -> Template:
        """Publish the next version of the tenant's template (the older ones are kept)."""
        self._not_shipped(template_id)
        record = self._store.template(tenant, template_id)
        if record is None:
            raise NotFound(f"There is no template {template_id!r}.")
        if record.retired_at is not None:  # said before the file is vetted, compiled and tried
            raise Conflict(f"Template {template_id!r} is retired.", [Problem("id", "is retired")])
        version = self._store.add_version(tenant, template_id, title, prepare(content, sidecar), by)
        return self._template(tenant, self._record(tenant, template_id), version)

    def retire(self, tenant: str, template_id: str, by: str) -> None:
        """Retire the tenant's template: it makes no new documents; the documents made stay."""
        self._not_shipped(template_id)
        self._store.retire(tenant, template_id, by)

    def versions(self, tenant: str, template_id: str) -> tuple[Template, list[VersionRecord]]:
        """Return the template (newest version) and all its versions, newest first."""
        self._not_shipped(template_id, "has one version")
        record = self._store.template(tenant, template_id)
        versions = self._store.versions(tenant, template_id) if record is not None else []
        if record is None or not versions:
            raise NotFound(f"There is no template {template_id!r}.")
        return self._template(tenant, record, versions[0]), versions

    @staticmethod
    def sample(template: Template) -> dict[str, Any]:
        """Return data the template renders for a preview that gives none."""
        if template.definition is None:
            return sample_data(template.kind)
        fields, shipped = template.definition
        return sample_for(template.kind, {name: Spec.from_json(spec) for name, spec in fields.items()}, shipped)

    def _not_shipped(self, template_id: str, doing: str = "cannot be replaced or retired") -> None:
        if template_id in self.catalog:
            raise Conflict(
                f"{template_id!r} is a shipped template: it {doing}.",
                [Problem("id", "is a shipped template's: choose another id")],
            )

    def _record(self, tenant: str, template_id: str) -> TemplateRecord:
        record = self._store.template(tenant, template_id)
        assert record is not None
        return record

    def _template(self, tenant: str, record: TemplateRecord, version: VersionRecord) -> Template:
        key = (tenant, record.id, version.number)
        with self._lock:
            if (cached := self._cache.get(key)) is not None and cached.title == record.title:
                self._cache.move_to_end(key)
                return cached
        fields = {name: Spec.from_json(spec) for name, spec in version.fields.items()}
        model = data_model(version.kind, fields, tuple(version.shipped_fields))
        loaded = "content" not in inspect(version).unloaded
        content = version.content if loaded else self._content(tenant, record.id, version)
        template = Template(
            record.id,
            record.title,
            version.kind,
            "docx",
            compiled("docx", content),
            TEXT_LINE.from_string(self._filename(version.kind, record.title)),
            model,
            source="company",
            number=version.number,
            created_at=version.created_at,
            created_by=version.created_by,
            warnings=tuple(version.warnings),
            definition=(version.fields, tuple(version.shipped_fields)),
        )
        with self._lock:
            self._cache[key] = template
            while len(self._cache) > _CACHED_TEMPLATES:
                self._cache.popitem(last=False)
        return template

    def _content(self, tenant: str, template_id: str, version: VersionRecord) -> bytes:
        found = self._store.version(tenant, template_id, number=version.number)
        assert found is not None
        return found.content

    def _filename(self, kind: str, title: str) -> str:
        pattern = self.catalog.filenames.get(kind)
        escaped = title.replace("{", "(").replace("}", ")").replace("%", " ").replace("#", " ")
        return f"{escaped} - {pattern}" if pattern else escaped
