"""Typed request models in the domain's words: field names are the templates' variable names.

Each document model checks its fields on validation (pydantic) and its cross-field rules in
``problems()``; ``context()`` gives the values a template renders, money as ``Money``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from babel.numbers import get_currency_precision
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .fields import (
    Amount,
    Country,
    Currency,
    Date,
    Line40,
    Line50,
    Line60,
    Line120,
    Line200,
    Line300,
    Line500,
    LocaleTag,
    Name,
    Text500,
    Text1000,
    Text2000,
    Text4000,
    Units,
    excess_decimals,
    refuse_excess_decimals,
)
from .problems import Problem
from .values import Money


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class RosterFreelancer(Model):
    """A freelancer as the roster keeps them: a name and an email suffice (a vendor list often has no
    address); a contract made for them names what it still needs (``Freelancer``)."""

    name: Name = Field(description="Legal name")
    business_name: Name | None = Field(None, description="Business name, when trading as a company")
    email: Annotated[EmailStr, StringConstraints(max_length=254)]
    phone: Line40 | None = None
    address: Text500 | None = None
    country: Country | None = Field(None, description="ISO 3166-1 alpha-2 code")
    tax_id: Line50 | None = None
    rate: Amount | None = None
    rate_unit: Literal["hour", "day"] | None = Field(None, validate_default=True)
    currency: Currency | None = Field(None, validate_default=True)
    skills: list[Line60] = Field(default_factory=list, max_length=50)
    profile_url: Annotated[HttpUrl, Field(max_length=2000)] | None = Field(None, description="e.g. an Upwork profile")
    status: Literal["active", "inactive"] = "active"
    signatory_title: Line120 | None = Field(
        None, description='The title the freelancer signs with when trading as a company, e.g. "Director"'
    )

    @field_validator("rate_unit", "currency")
    @classmethod
    def _given_with_a_rate(cls, value, info: ValidationInfo):
        if value is None and info.data.get("rate") is not None:
            raise ValueError("is required with a rate")
        return value

    @model_validator(mode="after")
    def _rate_fits_the_currency(self) -> RosterFreelancer:
        refuse_excess_decimals(self, "rate", self.currency)
        return self


class Freelancer(RosterFreelancer):
    """A freelancer's details as a contract names them: the roster's fields, the address and country given."""

    address: Text500
    country: Country = Field(description="ISO 3166-1 alpha-2 code")


class Client(Model):
    """The company engaging the freelancer, and who signs for it."""

    name: Name
    address: Text500
    signatory_name: Name
    signatory_title: Line120
    email: Annotated[EmailStr, StringConstraints(max_length=254)]


class Project(Model):
    title: Line200
    summary: Text4000
    start_date: Date
    end_date: Date
    location: Line200 | None = Field(None, description='e.g. "Remote" or a city')


class Deliverable(Model):
    name: Line200
    description: Text2000
    due_date: Date
    acceptance_criteria: Text2000


class Milestone(Model):
    name: Line200
    due_date: Date
    amount: Amount


# What each fee model needs besides its currency: checked by Fee.problems, and told to clients by the
# JSON Schema (if the model is X, then these are required) so a form can mark them before it sends.
_FEE_NEEDS = {"fixed": ("amount",), "hourly": ("rate", "estimated_units"), "daily": ("rate", "estimated_units")}


class Fee(Model):
    """How the freelancer is paid: a fixed amount, or a rate per hour or day times estimated units."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {"if": {"properties": {"model": {"const": model}}}, "then": {"required": list(needs)}}
                for model, needs in _FEE_NEEDS.items()
            ]
        }
    )

    model: Literal["fixed", "hourly", "daily"]
    currency: Currency
    amount: Amount | None = Field(None, description="fixed: the fee; the milestones add up to it")
    rate: Amount | None = Field(None, description="hourly/daily: the rate per unit")
    estimated_units: Units | None = Field(None, description="hourly/daily: estimated hours or days")
    cap: Amount | None = Field(None, description="hourly/daily: not-to-exceed amount (optional)")

    @property
    def unit(self) -> str | None:
        return {"hourly": "hour", "daily": "day"}.get(self.model)

    @property
    def estimated_total(self) -> Decimal | None:
        if self.rate is None or self.estimated_units is None:
            return None
        return (self.rate * self.estimated_units).quantize(Decimal(1).scaleb(-get_currency_precision(self.currency)))

    @property
    def total(self) -> Decimal | None:
        return self.amount if self.model == "fixed" else self.estimated_total

    def problems(self, milestones: list[Milestone]) -> list[Problem]:
        """Return what is missing, superfluous or inconsistent for this fee model."""
        needed = _FEE_NEEDS[self.model]
        allowed = needed + (("cap",) if self.model != "fixed" else ())
        found = [
            Problem(f"fee.{name}", f"is required when the fee model is {self.model}")
            for name in needed
            if getattr(self, name) is None
        ]
        found += [
            Problem(f"fee.{name}", f"does not apply when the fee model is {self.model}")
            for name in ("amount", "rate", "estimated_units", "cap")
            if name not in allowed and getattr(self, name) is not None
        ]
        if found:
            return found
        amounts = [("fee.amount", self.amount), ("fee.rate", self.rate), ("fee.cap", self.cap)]
        amounts += [(f"milestones[{i}].amount", m.amount) for i, m in enumerate(milestones)]
        found += _precision_problems(amounts, self.currency)
        total = sum((m.amount for m in milestones), Decimal(0))
        if self.model == "fixed":
            if not milestones:
                found.append(Problem("milestones", "a fixed fee is paid by milestones: add at least one"))
            elif total != self.amount:
                found.append(
                    Problem(
                        "milestones", f"the milestone amounts add up to {total}, not to the fixed fee of {self.amount}"
                    )
                )
        elif self.cap is not None and (estimated := self.estimated_total) is not None and self.cap < estimated:
            found.append(Problem("fee.cap", f"the cap {self.cap} is below the estimated total {estimated}"))
        elif self.cap is not None and total > self.cap:
            found.append(Problem("milestones", f"the milestone amounts add up to {total}, above the cap of {self.cap}"))
        return found

    def context(self) -> dict[str, Any]:
        money = lambda value: Money(value, self.currency) if value is not None else None  # noqa: E731
        return {
            "model": self.model,
            "currency": self.currency,
            "unit": self.unit,
            "amount": money(self.amount),
            "rate": money(self.rate),
            "cap": money(self.cap),
            "estimated_units": self.estimated_units,
            "estimated_total": money(self.estimated_total),
            "total": money(self.total),
        }


def _precision_problems(amounts: list[tuple[str, Decimal | None]], currency: str) -> list[Problem]:
    return [Problem(path, reason) for path, value in amounts if (reason := excess_decimals(value, currency))]


def each_rule(*rules: Callable[[], list[Problem]]) -> list[Problem]:
    """The problems of every rule; a rule that reads a part the data got wrong (left out of a partial model,
    ``validation``) is skipped: that part's own error says what is wrong."""
    found: list[Problem] = []
    for rule in rules:
        try:
            found += rule()
        except AttributeError:
            continue
    return found


class DocumentData(Model):
    """The data of one document kind: validated by pydantic, then by ``problems()``."""

    def problems(self) -> list[Problem]:
        """Return the cross-field rules the data breaks (empty when it is consistent)."""
        return []

    def context(self) -> dict[str, Any]:
        """Return the template variables: the fields, money as Money, computed values added."""
        return {name: getattr(self, name) for name in type(self).model_fields}


class Contract(DocumentData):
    """What every contract has: a date, the two parties, the law that governs it."""

    effective_date: Date
    client: Client
    freelancer: Freelancer | None = Field(None, description="The freelancer's details, or give freelancer_id")
    freelancer_id: UUID | None = Field(None, description="A roster freelancer whose details fill freelancer")
    governing_law: Line200 = Field(description='e.g. "the State of New York"')
    locale: LocaleTag = Field("en-US", description="BCP 47 tag for dates and money, e.g. en-US, en-GB, de-DE")

    def problems(self) -> list[Problem]:
        if self.freelancer is None:
            return [Problem("freelancer", "is required (or a freelancer_id from the roster)")]
        return []

    def context(self) -> dict[str, Any]:
        """Return the fields, ``client`` and ``freelancer`` as dicts; raise ValueError without the freelancer's
        details (``problems()`` reports that first)."""
        if self.freelancer is None:
            raise ValueError("a contract's context needs the freelancer's details")
        return super().context() | {
            "client": self.client.model_dump(),
            "freelancer": _freelancer_context(self.freelancer),
        }


def _freelancer_context(freelancer: Freelancer) -> dict[str, Any]:
    values = freelancer.model_dump()
    values["profile_url"] = str(freelancer.profile_url) if freelancer.profile_url else None
    if freelancer.rate is not None and freelancer.currency:
        values["rate"] = Money(freelancer.rate, freelancer.currency)
    return values


class SOW(Contract):
    """A statement of work: project, scope, deliverables, milestones and fee."""

    sow_number: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,39}$")
    ] = Field(description="e.g. SOW-2027-001")
    project: Project
    in_scope: list[Line500] = Field(min_length=1, max_length=50)
    out_of_scope: list[Line500] = Field(default_factory=list, max_length=50)
    deliverables: list[Deliverable] = Field(min_length=1, max_length=100)
    milestones: list[Milestone] = Field(default_factory=list, max_length=100)
    fee: Fee
    payment_terms_days: Annotated[int, Field(strict=True, ge=0, le=365)] = 30
    po_number: Line60 | None = None
    jurisdiction: Line300 | None = Field(
        None, description="The courts that hear disputes; absent: those of the governing law"
    )
    category: Line60 | None = Field(None, description="What kind of work, for programme insight, e.g. design")
    team: Line120 | None = Field(None, description="The team the work is for")
    cost_center: Line60 | None = Field(None, description="The client's cost center the fees are booked to")
    liability_cap: Amount | None = Field(
        None, description="Each party's liability cap, in the fee's currency; absent: the fees paid and payable"
    )

    def problems(self) -> list[Problem]:
        return each_rule(
            super().problems,
            self._dates_problems,
            lambda: _precision_problems([("liability_cap", self.liability_cap)], self.fee.currency),
            lambda: self.fee.problems(self.milestones),
        )

    def _dates_problems(self) -> list[Problem]:
        project = self.project
        found: list[Problem] = []
        if project.end_date < project.start_date:
            found.append(Problem("project.end_date", f"is before the start date ({project.start_date.isoformat()})"))
        for kind, due_dates in (
            ("deliverables", [d.due_date for d in self.deliverables]),
            ("milestones", [m.due_date for m in self.milestones]),
        ):
            found += [
                Problem(f"{kind}[{i}].due_date", outside)
                for i, due_date in enumerate(due_dates)
                if (outside := _outside(due_date, project))
            ]
        return found

    def context(self) -> dict[str, Any]:
        currency = self.fee.currency
        return super().context() | {
            "project": self.project.model_dump(),
            "deliverables": [d.model_dump() for d in self.deliverables],
            "milestones": [m.model_dump() | {"amount": Money(m.amount, currency)} for m in self.milestones],
            "fee": self.fee.context(),
            "liability_cap": Money(self.liability_cap, currency) if self.liability_cap is not None else None,
        }


def _outside(day: date, project: Project) -> str | None:
    if day < project.start_date:
        return f"is before the project starts ({project.start_date.isoformat()})"
    if day > project.end_date:
        return f"is after the project ends ({project.end_date.isoformat()})"
    return None


class NDA(Contract):
    """What both NDAs share: why information is exchanged and how long it stays confidential."""

    purpose: Text1000 = Field(description="Why the parties exchange confidential information")
    term_years: Annotated[int, Field(strict=True, ge=1, le=20)] | None = Field(
        None, description="Years the agreement runs; absent: until terminated on notice"
    )
    confidentiality_years: Annotated[int, Field(strict=True, ge=1, le=20)] = Field(
        description="Years obligations survive; trade secrets stay protected while they remain secret"
    )
    jurisdiction: Line300 = Field(description="The courts that hear disputes")


class MutualNDA(NDA):
    """Both parties disclose and both protect."""


class OneWayNDA(NDA):
    """One party (the discloser) discloses; the other protects."""

    discloser: Literal["client", "freelancer"]


class BudgetProject(Model):
    title: Line200
    po_number: Line60 | None = None
    cost_center: Line60 | None = None


class BudgetLine(Model):
    """One freelancer's line in a budget tracker: planned units at a rate, actuals and invoicing."""

    freelancer: Name | None = Field(None, description="The freelancer's name, or give freelancer_id")
    freelancer_id: UUID | None = Field(
        None, description="A roster freelancer whose name (and rate, if none is given) fill the line"
    )
    role: Line120
    sow_number: Line40 | None = None
    milestone: Line200 | None = None
    planned_units: Units
    rate: Amount | None = Field(None, description="Per unit; required unless the roster freelancer has one")
    actual_units: Annotated[Decimal, Field(ge=0, le=100_000, max_digits=10, decimal_places=2)] = Decimal(0)
    invoiced_amount: Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=3)] = Decimal(0)
    status: Literal["planned", "in progress", "invoiced", "paid"] = "planned"


class Budget(DocumentData):
    """A budget tracker: an approved budget and the freelancer lines planned and spent against it."""

    project: BudgetProject
    currency: Currency
    approved_budget: Amount
    lines: list[BudgetLine] = Field(default_factory=list, max_length=5000)
    locale: LocaleTag = "en-US"

    def problems(self) -> list[Problem]:
        found = [
            Problem(f"lines[{i}].{name}", "is required (or a freelancer_id from the roster)")
            for i, line_ in enumerate(self.lines)
            for name in ("freelancer", "rate")
            if getattr(line_, name) is None
        ]
        amounts: list[tuple[str, Decimal | None]] = [("approved_budget", self.approved_budget)]
        for i, line_ in enumerate(self.lines):
            amounts += [(f"lines[{i}].rate", line_.rate), (f"lines[{i}].invoiced_amount", line_.invoiced_amount)]
        return found + _precision_problems(amounts, self.currency)

    def context(self) -> dict[str, Any]:
        """Return plain values: ``project`` and each of ``lines`` as dicts, numbers as Decimal."""
        return super().context() | {
            "project": self.project.model_dump(),
            "lines": [line_.model_dump() for line_ in self.lines],
        }


DOCUMENT_MODELS: dict[str, type[DocumentData]] = {
    "sow": SOW,
    "nda-mutual": MutualNDA,
    "nda-one-way": OneWayNDA,
    "budget": Budget,
}
"""Each template kind and the model of its data."""
