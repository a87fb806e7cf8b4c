"""Publishing a company template: vet the file, derive its data model, prove it renders, or refuse it
with every problem at once."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ..catalog import compiled
from ..documents import CompiledTemplate, RenderFailed, TemplateInvalid
from ..documents.vetting import Found, vet
from ..errors import InvalidData, TemplateRefused
from ..problems import Problem
from .fields import Derived, derive
from .model import data_model
from .samples import sample_for
from .store import NewVersion

TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
"""A company template's id: 3 to 64 lowercase letters, digits and inner hyphens."""


def check_id(template_id: str) -> str:
    """Return ``template_id`` if it is a valid id; raise InvalidData naming the field."""
    if not TEMPLATE_ID.fullmatch(template_id):
        raise InvalidData(
            "The template id is not valid.",
            [Problem("id", "must be 3 to 64 lowercase letters, digits and hyphens, e.g. acme-sow")],
        )
    return template_id


def prepare(content: bytes, sidecar: dict[str, Any] | None) -> NewVersion:
    """Return the version ``content`` (a .docx) and ``sidecar`` make; raise TemplateRefused listing every problem."""
    vetting = vet(content)
    problems = list(vetting.problems)
    derived = derive(vetting.uses, sidecar)
    problems += derived.problems
    template = None
    if not problems:
        try:
            template = compiled("docx", content)  # the compile the library then finds cached
        except TemplateInvalid as exc:
            problems.append(Found("file", str(exc)))
    if isinstance(template, CompiledTemplate):
        problems += _trial_render(template, derived)
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise TemplateRefused(f"The template cannot be published: {count}.", [_problem(p) for p in problems])
    return NewVersion(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        kind=derived.kind,
        fields={name: spec.to_json() for name, spec in derived.fields.items()},
        shipped_fields=sorted(derived.shipped),
        warnings=[{"field": "schema", "message": w.message, "location": w.location} for w in derived.warnings],
    )


def _trial_render(compiled: CompiledTemplate, derived: Derived) -> list[Found]:
    """Render with sample data: what only a render finds (a tag that fails on real values) refuses the upload."""
    model = data_model(derived.kind, derived.fields, tuple(sorted(derived.shipped)))
    try:
        compiled.render(model.model_validate(sample_for(derived.kind, derived.fields, derived.shipped)).context())
    except RenderFailed as exc:
        return [Found("file", f"it does not render with sample data: {exc}")]
    except ValueError as exc:  # sample data the template's own sidecar rules refuse
        return [Found("schema", f"no sample data satisfies it: {exc}")]
    except Exception as exc:  # an upload's fault whatever it is: refused with the reason, never a 500
        return [Found("file", f"it does not render with sample data: {type(exc).__name__}: {exc}")]
    return []


def _problem(found: Found) -> Problem:
    field = "schema" if found.location.startswith("schema") else "file"
    return Problem(field, found.message, location=found.location, tag=found.tag)
