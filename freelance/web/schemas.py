"""The shapes of the HTTP API's bodies: what requests send and what responses return."""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, RootModel, StringConstraints, WithJsonSchema

from ..batches.service import LISTED_FAILURES, MAX_BATCH_ITEMS
from ..documents.insertion import Insertion
from ..models import DOCUMENT_MODELS, RosterFreelancer
from ..roster.records import Sort

Item = TypeVar("Item", bound=BaseModel)

_DATA_SCHEMA = {
    "oneOf": [{"$ref": f"#/components/schemas/{model.__name__}"} for model in DOCUMENT_MODELS.values()],
    "description": "The template's data: its schema is GET /api/templates/{id}",
}


def _absent(value: object) -> bool:
    return value is None


class RosterFilter(BaseModel):
    """Freelancers of the roster, chosen as GET /api/freelancers searches them."""

    model_config = ConfigDict(extra="forbid")
    q: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        None, description="Words matching name, business name, email or skills"
    )
    status: Literal["active", "inactive"] | None = None
    skill: Annotated[str, StringConstraints(max_length=60)] | None = None
    country: Annotated[str, StringConstraints(min_length=2, max_length=2)] | None = None


class BatchRequest(BaseModel):
    """Generate one template's document for each of several freelancers: give freelancer_ids or roster."""

    model_config = ConfigDict(extra="forbid")
    template: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(examples=["nda-mutual"])
    format: Literal["docx", "xlsx", "pdf"] | None = Field(
        None, description="The template's own format when absent; pdf (PDF/A-2b) for a Word template"
    )
    data: Annotated[dict[str, Any], WithJsonSchema(_DATA_SCHEMA)] = Field(
        description="Shared by every item, without freelancer: each item's freelancer_id fills it from the roster"
    )
    freelancer_ids: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(
        None, description=f"Roster freelancers, at most {MAX_BATCH_ITEMS}"
    )
    roster: RosterFilter | None = Field(None, description=f"Every freelancer matching, at most {MAX_BATCH_ITEMS}")


class ZipQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    partial: bool = Field(False, description="Zip the documents made so far, while items still run")


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class DownloadLink(BaseModel):
    """A short-lived address that downloads the document without sign-in (for a system browser)."""

    url: str = Field(description="Absolute: open it in a browser, no Authorization header needed")
    expires_at: datetime = Field(description="UTC; from then on the address answers 410")


class SavedToOneDrive(BaseModel):
    """Where the document now is in the user's OneDrive."""

    web_url: str


class NameToAdd(BaseModel):
    """A defined name the add-in adds back: the cells at ``address`` on ``sheet``."""

    model_config = ConfigDict(from_attributes=True)
    name: str
    sheet: str
    address: str = Field(examples=["A4", "A4:B6"])
    scope: str = Field(description="workbook, or the sheet the name belongs to")


class PrintSettings(BaseModel):
    """A sheet's print titles and print area, each null when the sheet has none."""

    model_config = ConfigDict(from_attributes=True)
    sheet: str
    print_titles: str | None = Field(examples=["$6:$6"])
    print_area: str | None = Field(examples=["A1:M40"])


class ChartToAdd(BaseModel):
    """A chart the add-in adds back with the Excel JavaScript API."""

    model_config = ConfigDict(from_attributes=True)
    sheet: str
    type: str = Field(description="The Excel JavaScript chart type", examples=["ColumnClustered"])
    title: str
    source: str = Field(description="The cells the chart reads, on its sheet", examples=["O6:Q9"])
    series_by: Literal["Columns", "Rows", "Auto"]
    top_left: str
    bottom_right: str


class WorkbookInsertion(BaseModel):
    """A workbook ready to insert into an open one, and what to add back once it is in."""

    workbook: str = Field(description="The .xlsx without charts or defined names, base64-encoded")
    sheets: list[str] = Field(description="Its sheets' names, in order: the order Excel inserts them in")
    names: list[NameToAdd]
    print_settings: list[PrintSettings]
    charts: list[ChartToAdd]
    warnings: list[str] = Field(description="What the workbook loses and the add-in cannot add back")

    @classmethod
    def of(cls, plan: Insertion) -> WorkbookInsertion:
        """The API's form of an insertion plan."""
        return cls.model_validate(
            {
                "workbook": base64.b64encode(plan.workbook).decode("ascii"),
                "sheets": plan.sheets,
                "names": plan.names,
                "print_settings": plan.print_settings,
                "charts": plan.charts,
                "warnings": plan.warnings,
            }
        )


class Page(BaseModel, Generic[Item]):
    """One page of a listing: ``total`` counts every item, ``page`` numbers from 1."""

    items: list[Item]
    page: int
    per_page: int
    total: int


class TemplateSummary(BaseModel):
    id: str
    title: str
    kind: str = Field(description="sow, nda-mutual, nda-one-way, budget, or custom (a company template's own data)")
    format: str
    version: str = Field(description="SHA-256 of the template file")
    number: int = Field(
        1, description="The version number: 1 for a shipped template, counting uploads for a company one"
    )
    source: Literal["shipped", "company"] = "shipped"
    fields: list[str] = Field(description="The top-level fields of the template's data")
    schema_url: str
    created_at: datetime | None = Field(None, exclude_if=_absent)
    created_by: str | None = Field(None, exclude_if=_absent)


class TemplateList(BaseModel):
    """The templates the tenant can use: shipped, then the company's."""

    items: list[TemplateSummary]


class PublishedTemplate(TemplateSummary):
    """A company template just published: its data schema, and what the author may want to check."""

    model_config = ConfigDict(populate_by_name=True)
    data_schema: dict[str, Any] = Field(alias="schema", serialization_alias="schema")
    warnings: list[Problem]


class TemplateVersion(BaseModel):
    number: int
    version: str = Field(description="SHA-256 of the file")
    created_at: datetime
    created_by: str


class TemplateVersions(BaseModel):
    template: TemplateSummary
    items: list[TemplateVersion] = Field(description="Newest first")


class Problem(BaseModel):
    """One problem: at a field (or cell), or at a row and column of an uploaded file."""

    model_config = ConfigDict(from_attributes=True)
    # A field problem has no row and column, a row problem no field: each shows only what it has.
    field: str | None = Field(
        None, examples=["milestones[1].amount"], description="The field or cell it is about", exclude_if=_absent
    )
    row: int | None = Field(
        None, description="The row of the uploaded file, as a spreadsheet numbers it", exclude_if=_absent
    )
    column: str | None = Field(None, description="The file's header of the column", exclude_if=_absent)
    location: str | None = Field(
        None,
        examples=["body, paragraph 12 ('The fee is {{ fee.amout }}')"],
        description="Where in an uploaded template, in the author's terms",
        exclude_if=_absent,
    )
    tag: str | None = Field(None, description="The template tag at fault, as typed", exclude_if=_absent)
    message: str


class ItemFailure(BaseModel):
    """A batch item that failed: whose document, and why (each problem at its field)."""

    freelancer_id: str
    freelancer_name: str
    error: str
    errors: list[Problem]


class Batch(BaseModel):
    """A batch and its progress: items counted by state, and why each failed item failed."""

    id: str
    template: str
    template_version: str
    format: str
    status: Literal["pending", "running", "done", "cancelled"]
    total: int
    pending: int
    running: int
    done: int
    failed: int
    cancelled: int
    created_at: datetime
    created_by: str
    zip_url: str
    failures: list[ItemFailure] = Field(
        description=f"The first {LISTED_FAILURES} failed items, in the order the freelancers were given; "
        "`failed` counts them all"
    )


class BatchPage(Page[Batch]):
    """One page of the batches, newest first."""


class Error(BaseModel):
    error: str
    errors: list[Problem]


class NdaStatus(BaseModel):
    """Whether a signed NDA binds the freelancer today, and until when; or when a signed one takes effect."""

    in_force: bool
    until: date | None = Field(None, description="Its last day; null while in force: until terminated")
    document_id: str | None = Field(None, description="The NDA that binds longest (or, none binding yet, first)")
    starts_on: date | None = Field(
        None, exclude_if=_absent, description="When none binds yet: the day the signed NDA takes effect"
    )


class FreelancerRecord(RosterFreelancer):
    """A freelancer of the roster."""

    model_config = ConfigDict(from_attributes=True)
    id: UUID
    created_at: datetime
    updated_at: datetime
    nda: NdaStatus = Field(NdaStatus(in_force=False), description="A signed NDA in force (made for this freelancer)")
    removed_at: datetime | None = Field(
        None, exclude_if=_absent, description="When it was removed (restorable for 30 days); only on removed ones"
    )


class FreelancerPage(Page[FreelancerRecord]):
    """One page of a roster search."""


class FreelancerChanges(
    RootModel[
        Annotated[
            dict[str, Any],
            WithJsonSchema(
                {
                    "type": "object",
                    "description": "Any of the freelancer's fields; null clears an optional one.",
                    "properties": {
                        name: {"$ref": "#/components/schemas/RosterFreelancer/properties/" + name}
                        for name in RosterFreelancer.model_fields
                    },
                    "additionalProperties": False,
                }
            ),
        ]
    ]
):
    """Changes to a freelancer: the fields given, the others kept."""


class FreelancerQuery(RosterFilter):
    sort: Sort = "name"
    removed: bool = Field(False, description="List the freelancers removed in the last 30 days instead (to restore)")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


class ImportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dry_run: bool = Field(False, description="Answer what would happen, writing nothing")
    rate_unit: Literal["hour", "day"] | None = Field(
        None, description="The unit of a rate when neither its cell nor its column's header says (e.g. a 'Rate' column)"
    )


class ImportOutcome(BaseModel):
    """What a roster import did (or would do, in a dry run)."""

    created: int
    updated: int
    unchanged: int
    dry_run: bool
    ignored_columns: list[str]


class ExportQuery(RosterFilter):
    """The freelancers a search would find (all, without filters), in a file."""

    format: Literal["csv", "xlsx"] = "xlsx"


class SignIn(BaseModel):
    client_id: str
    scopes: list[str] = Field(description="What the pane asks Office.auth.getAccessToken for")


class ClientConfig(BaseModel):
    """What the pane needs before its first call."""

    identity: SignIn | None = Field(description="Sign-in settings; null in local mode (no sign-in)")


class OverBudgetLine(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    row: int = Field(description="The line's row on the sheet")
    freelancer: str
    role: str
    planned: Decimal
    actual: Decimal
    over_by: Decimal


class Summary(BaseModel):
    """A budget tracker's figures, computed from its input cells."""

    model_config = ConfigDict(from_attributes=True)
    sheet: str
    table: str | None = Field(description="BudgetLines, or null when the lines were found by their header row")
    currency: str | None
    approved_budget: Decimal | None
    lines: int = Field(description="Lines read (blank rows are skipped)")
    planned: Decimal
    actual: Decimal
    invoiced: Decimal
    remaining: Decimal | None = Field(description="Approved budget minus actual")
    percent_used: Decimal | None = Field(description="Actual as a percentage of the approved budget")
    over_budget: list[OverBudgetLine] = Field(description="Lines whose actual amount exceeds their planned amount")
    warnings: list[Problem] = Field(description="Each cell (Budget!F7) or defined name that could not be used, and why")
