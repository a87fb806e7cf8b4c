"""Generating a document and recording it: roster details filled in, data validated, template
rendered, record and bytes stored. The one path the API, the CLI and batch workers take."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from .catalog import Template
from .company.library import Templates
from .errors import DomainError, InvalidData, NotApplicable, NotFound
from .generated import Generated
from .models import RosterFreelancer
from .pdf import PdfConverter
from .problems import Problem, problems_of
from .roster.records import FreelancerRecord
from .roster.service import Roster
from .store import DocumentRecord, Store

_PARTY_DETAILS = ("address", "country")
"""What a contract needs of a freelancer that a roster record may lack (it has a name and an email)."""
_UNIT_OF_FEE = {"hourly": "hour", "daily": "day"}
MAX_FILLED_LINES = 5000
"""The most budget lines a tracker holds, and so the most roster look-ups one request makes."""


@dataclass(frozen=True)
class Recorded:
    """A document generated and stored: its record and what was generated."""

    record: DocumentRecord
    generated: Generated


class Generator:
    """Generates documents from the catalog's templates, filled from a tenant's roster, and records them."""

    def __init__(self, templates: Templates, roster: Roster, store: Store, pdf: PdfConverter):
        self._templates, self._roster, self._store, self._pdf = templates, roster, store, pdf

    def regenerate(
        self,
        tenant: str,
        document_id: str,
        *,
        changes: dict[str, Any] | None = None,
        by: str = "local",
        session: Session | None = None,
    ) -> Recorded:
        """Return a new document made from a stored one's data (stored in ``session``'s transaction, if given),
        its record linked to the stored one.

        Without ``changes``, the very template version it was made with makes it again. With ``changes`` (a
        JSON merge patch of the data: a null removes a field), the template's newest version makes the edited
        data; a changed freelancer_id is filled from the roster afresh. Raises NotFound; Conflict when the
        template is retired or the version is gone; InvalidData naming every problem of the edited data.
        """
        record = self._store.document(tenant, document_id)
        if changes is None:
            template = self._templates.get(tenant, record.template, version=record.template_version)
            generated = self._in_format(template.generate(template.validate(record.data)), record.format)
        else:
            edited = _merged(record.data, changes)
            if "freelancer_id" in changes or "freelancer" in changes:  # a new freelancer: the other one goes
                # A roster freelancer is filled afresh; details typed instead leave the roster's record.
                edited.pop("freelancer" if changes.get("freelancer_id") is not None else "freelancer_id", None)
                generated = self.make(tenant, record.template, edited, format=record.format)
            else:  # the freelancer's details as they were recorded
                template = self.template(tenant, record.template, record.format)
                generated = self._in_format(template.generate(template.validate(edited)), record.format)
        return Recorded(self._store.add_document(tenant, generated, by, session, predecessor=record.id), generated)

    def generate(
        self,
        tenant: str,
        template_id: str,
        data: Any,
        *,
        format: str | None = None,
        by: str = "local",
        number: int | None = None,
        session: Session | None = None,
    ) -> Recorded:
        """Return the document ``template_id`` makes of ``data``, stored with its record as user ``by`` (in
        ``session``'s transaction, if given: it is made before the transaction writes anything).

        Each freelancer_id is filled from the tenant's roster (the record keeps that snapshot).
        ``number`` picks a company template's version (default: its newest). Raises NotFound for an
        unknown template, Conflict for a retired one, InvalidData naming every problem of the data,
        CannotRender for a template fault; nothing is stored then.
        """
        generated = self.make(tenant, template_id, data, format=format, number=number)
        return Recorded(self._store.add_document(tenant, generated, by, session), generated)

    def make(
        self,
        tenant: str,
        template_id: str,
        data: Any,
        *,
        format: str | None = None,
        number: int | None = None,
        version: str | None = None,
    ) -> Generated:
        """Return what ``generate`` would store, storing nothing; ``version`` picks a template version by SHA-256.

        Raises as ``generate`` does.
        """
        template = self.template(tenant, template_id, format, number=number, version=version)
        if isinstance(data, dict):
            data = self._filled_from_roster(tenant, data)
        return self._in_format(template.generate(template.validate(data)), format or template.format)

    def make_each(
        self, tenant: str, template_id: str, data: list[dict[str, Any]], *, format: str, version: str
    ) -> list[Generated | DomainError]:
        """Return what ``make`` would for each of ``data`` (in its place, the DomainError that one raised), the
        template found and the freelancers read from the roster once for all.

        Raises NotFound, Conflict or InvalidData as ``make`` does for the template itself.
        """
        template = self.template(tenant, template_id, format, version=version)
        known = self._roster.records(tenant, [str(each.get("freelancer_id")) for each in data])
        made: list[Generated | DomainError] = []
        for each in data:
            try:
                filled = self._filled_from_roster(tenant, each, known)
                made.append(self._in_format(template.generate(template.validate(filled)), format))
            except DomainError as error:
                made.append(error)
        return made

    def template(
        self,
        tenant: str,
        template_id: str,
        format: str | None,
        *,
        number: int | None = None,
        version: str | None = None,
    ) -> Template:
        """Return the template that makes ``format`` (default: its own); raise NotFound, Conflict, or InvalidData
        for a format it cannot make."""
        template = self._templates.get(tenant, template_id, number=number, version=version)
        if format not in (None, template.format) and not (format == "pdf" and template.format == "docx"):
            raise InvalidData(
                "The format does not match the template.",
                [
                    Problem(
                        "format",
                        f"template {template.id} makes {template.format}{' or pdf' if template.format == 'docx' else ''} files",
                    )
                ],
            )
        return template

    def file(self, tenant: str, document_id: str, format: str | None = None) -> tuple[DocumentRecord, bytes]:
        """Return the tenant's record and its file, in ``format`` if given: a .docx asked as pdf is
        converted once and its PDF kept with the record. Raise NotApplicable for another format."""
        record, content = self._store.content(tenant, document_id)
        if format in (None, record.format):
            return record, content
        if not (format == "pdf" and record.format == "docx"):
            raise NotApplicable(
                "The document is not available in that format.",
                [Problem("format", f"is {record.format}: a docx document is also available as pdf")],
            )
        kept = self._store.rendition(record, format)
        return record, kept if kept is not None else self._store.keep_rendition(
            record, format, self._pdf.convert(content)
        )

    def _in_format(self, generated: Generated, format: str) -> Generated:
        """Return ``generated`` as ``format``: a .docx converted to PDF (named alike), else as it is."""
        if format != "pdf" or generated.format == "pdf":
            return generated
        pdf = self._pdf.convert(generated.content)
        return replace(generated, content=pdf, filename=generated.filename.rsplit(".", 1)[0] + ".pdf", format="pdf")

    def _filled_from_roster(
        self, tenant: str, data: dict[str, Any], known: dict[str, FreelancerRecord] | None = None
    ) -> dict[str, Any]:
        """Return ``data`` with each freelancer_id's details copied in (from ``known`` records, when read before)."""
        problems: list[Problem] = []
        filled = dict(data)
        if "freelancer_id" in data and (
            details := self._details(tenant, data["freelancer_id"], "freelancer_id", problems, known)
        ):
            if data.get("freelancer") is not None:
                problems.append(Problem("freelancer", "give either freelancer or freelancer_id, not both"))
            if missing := [name for name in _PARTY_DETAILS if getattr(details, name) is None]:
                problems.append(
                    Problem("freelancer_id", f"{details.name}'s roster record has no {' or '.join(missing)}; add it")
                )
            filled["freelancer"] = details.model_dump(mode="json")
            if isinstance(data.get("fee"), dict):
                filled["fee"] = _fee_with_roster_rate(data["fee"], details, problems)
        if isinstance(data.get("lines"), list) and len(data["lines"]) <= MAX_FILLED_LINES:  # more: validation refuses
            filled["lines"] = [
                self._filled_line(tenant, line, i, data.get("currency"), problems)
                for i, line in enumerate(data["lines"])
            ]
        if problems:
            raise InvalidData("The data is not valid: the roster cannot fill it.", problems)
        return filled

    def _filled_line(self, tenant: str, line: Any, index: int, currency: Any, problems: list[Problem]) -> Any:
        """A budget line with the roster's name, and its rate unless the line gives one."""
        if not isinstance(line, dict) or "freelancer_id" not in line:
            return line
        details = self._details(tenant, line["freelancer_id"], f"lines[{index}].freelancer_id", problems)
        if details is None:
            return line
        if "rate" not in line and details.rate is not None and details.currency != str(currency).upper():
            problems.append(
                Problem(
                    f"lines[{index}].rate",
                    f"{details.name}'s roster rate is in "
                    f"{details.currency}, the tracker in {currency}: give the line's rate",
                )
            )
        rate = {"rate": str(details.rate)} if details.rate is not None else {}
        return rate | line | {"freelancer": details.name}

    def _details(
        self,
        tenant: str,
        freelancer_id: Any,
        field: str,
        problems: list[Problem],
        known: dict[str, FreelancerRecord] | None = None,
    ) -> RosterFreelancer | None:
        try:
            if known is None:
                return self._roster.get(tenant, str(freelancer_id)).details()
            if (record := known.get(str(freelancer_id))) is None:
                raise NotFound(str(freelancer_id))
            return record.details()
        except NotFound:
            problems.append(Problem(field, f"there is no freelancer {freelancer_id!r} in the roster"))
        except ValidationError as exc:  # a record kept before a rule it now breaks
            where = field.removesuffix("_id")
            problems += [replace(p, field=f"{where}.{p.field}") for p in problems_of(exc)]
        return None


def _fee_with_roster_rate(fee: dict[str, Any], details: RosterFreelancer, problems: list[Problem]) -> dict[str, Any]:
    """An hourly or daily fee that gives no rate, with the roster's rate (and currency, if it gives none) when
    they are of the fee's unit and currency; else the fee as given, and where they differ, why."""
    unit = _UNIT_OF_FEE.get(str(fee.get("model")))
    if unit is None or "rate" in fee or details.rate is None:
        return fee
    currency = str(fee.get("currency") or details.currency).upper()
    if details.rate_unit != unit or details.currency != currency:
        problems.append(
            Problem(
                "fee.rate",
                f"{details.name}'s roster rate is {details.rate} {details.currency} per {details.rate_unit}, "
                f"the fee {fee.get('model')} in {currency}: give the fee's rate",
            )
        )
        return fee
    return fee | {"rate": str(details.rate), "currency": currency}


def _merged(data: Any, changes: Any) -> Any:
    """``data`` with ``changes`` applied as a JSON merge patch (RFC 7396): objects merge, null removes, any
    other value replaces."""
    if not isinstance(changes, dict):
        return changes
    merged = dict(data) if isinstance(data, dict) else {}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merged(merged.get(key), value)
    return merged
