"""The budget tracker: its tables and named cells, and the arithmetic of its formulas in Decimal.

The same figures give the cached values a generated tracker carries and the summary of a tracker
read back. Amounts are never rounded: a cached value is exactly what its formula computes
(Planned amount = Planned units x Rate, ...); Excel shows it at the currency's precision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision, get_currency_symbol

from ..documents.sheetml import Fill, Layout, TableSpec, Value
from ..values import locale_for

LINES = "BudgetLines"
FREELANCERS = "FreelancerTotals"

INPUT_COLUMNS = {
    "Freelancer": "freelancer",
    "Role": "role",
    "SOW": "sow_number",
    "Milestone": "milestone",
    "Status": "status",
    "Planned units": "planned_units",
    "Rate": "rate",
    "Actual units": "actual_units",
    "Invoiced": "invoiced_amount",
}
"""Each input column of the BudgetLines table and the BudgetLine field it shows."""
COMPUTED_COLUMNS = ("Planned amount", "Actual amount", "Variance", "% used", "Freelancer no.")
COLUMNS = (
    "Freelancer",
    "Role",
    "SOW",
    "Milestone",
    "Status",
    "Planned units",
    "Rate",
    "Planned amount",
    "Actual units",
    "Actual amount",
    "Invoiced",
    "Variance",
    "% used",
    "Freelancer no.",
)
"""The BudgetLines table's columns, left to right. Freelancer no. (hidden) numbers each freelancer's first
line (1, 2, ...): FreelancerTotals lists the freelancers by it, so a line appended later counts too."""
NUMBER_COLUMNS = ("Planned units", "Rate", "Actual units", "Invoiced")
FREELANCER_COLUMNS = ("Freelancer", "Planned", "Actual")
SPARE_FREELANCERS = 10
"""Rows of FreelancerTotals beyond the tracker's freelancers, for those of lines appended later."""

PROJECT_CELLS = {"ProjectTitle": "title", "PONumber": "po_number", "CostCenter": "cost_center"}
INPUT_CELLS = (*PROJECT_CELLS, "Currency", "ApprovedBudget")
TOTAL_CELLS = (
    "PlannedTotal",
    "ActualTotal",
    "InvoicedTotal",
    "Remaining",
    "PercentUsed",
    "LinesOverBudget",
    "Uncommitted",
)
"""The defined names of the summary block's cells: inputs, then formulas."""

ZERO = Decimal(0)


@dataclass(frozen=True)
class LineFigures:
    """One line's inputs and the values its formula columns compute from them."""

    planned_units: Decimal = ZERO
    rate: Decimal = ZERO
    actual_units: Decimal = ZERO
    invoiced: Decimal = ZERO

    @property
    def planned(self) -> Decimal:
        return self.planned_units * self.rate

    @property
    def actual(self) -> Decimal:
        return self.actual_units * self.rate

    @property
    def variance(self) -> Decimal:
        """Planned minus actual: negative when the line is over budget."""
        return self.planned - self.actual

    @property
    def used(self) -> Decimal | None:
        """Actual as a fraction of planned; None when nothing is planned (the cell shows "")."""
        return self.actual / self.planned if self.planned else None

    @property
    def over_budget(self) -> bool:
        return self.actual > self.planned

    def computed(self) -> dict[str, Value]:
        """Return the cached value of each formula column."""
        return {
            "Planned amount": self.planned,
            "Actual amount": self.actual,
            "Variance": self.variance,
            "% used": "" if self.used is None else self.used,
        }


@dataclass(frozen=True)
class Totals:
    """The summary block: approved budget (None when unknown), the column totals and what follows."""

    approved: Decimal | None
    planned: Decimal
    actual: Decimal
    invoiced: Decimal
    lines_over_budget: int

    @classmethod
    def of(cls, lines: Iterable[LineFigures], approved: Decimal | None) -> Totals:
        lines = list(lines)
        return cls(
            approved,
            sum((line.planned for line in lines), ZERO),
            sum((line.actual for line in lines), ZERO),
            sum((line.invoiced for line in lines), ZERO),
            sum(line.over_budget for line in lines),
        )

    @property
    def remaining(self) -> Decimal | None:
        return None if self.approved is None else self.approved - self.actual

    @property
    def uncommitted(self) -> Decimal | None:
        """The approved budget not yet planned for any line."""
        return None if self.approved is None else self.approved - self.planned

    @property
    def used(self) -> Decimal | None:
        """Actual as a fraction of the approved budget; None when there is no approved budget."""
        return self.actual / self.approved if self.approved else None


def freelancer_totals(lines: Iterable[tuple[str, LineFigures]]) -> dict[str, tuple[Decimal, Decimal]]:
    """Return (planned, actual) per freelancer name, in order of first appearance; names match exactly."""
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for name, line in lines:
        planned, actual = totals.get(name, (ZERO, ZERO))
        totals[name] = (planned + line.planned, actual + line.actual)
    return totals


def currency_format(currency: str, tag: str) -> str:
    """Return the number format of amounts in ``currency``: its symbol placed as the locale places it,
    its decimal places, negatives in red; e.g. ``"$"#,##0.00;[Red]-"$"#,##0.00``."""
    locale = locale_for(tag)
    symbol = get_currency_symbol(currency, locale).replace('"', "")
    digits = get_currency_precision(currency)
    number = "#,##0" + ("." + "0" * digits if digits else "")
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    spaced = "\xa0" in pattern or " " in pattern
    if pattern.index("¤") > pattern.index("0"):
        positive = f'{number}"{" " if spaced else ""}{symbol}"'
    else:
        positive = f'"{symbol}{" " if spaced else ""}"{number}'
    return f"{positive};[Red]-{positive}"


def fill(context: Mapping[str, Any]) -> Fill:
    """Return what a tracker render writes for a Budget's context (``Budget.context()``)."""
    lines = context["lines"]
    figures = [
        LineFigures(line["planned_units"], line["rate"], line["actual_units"], line["invoiced_amount"])
        for line in lines
    ]
    by_freelancer = freelancer_totals((line["freelancer"], figure) for line, figure in zip(lines, figures))
    numbers = dict(zip(by_freelancer, range(1, len(by_freelancer) + 1)))
    rows: list[Mapping[str, Value]] = []
    for line, figure in zip(lines, figures):
        first = line["freelancer"] in numbers
        number = numbers.pop(line["freelancer"]) if first else ""
        rows.append(
            {column: line[field] for column, field in INPUT_COLUMNS.items()}
            | figure.computed()
            | {"Freelancer no.": number}
        )
    totals = Totals.of(figures, context["approved_budget"])
    project = context["project"]
    cells = {name: project.get(field) for name, field in PROJECT_CELLS.items()} | {
        "Currency": context["currency"],
        "ApprovedBudget": totals.approved,
        "PlannedTotal": totals.planned,
        "ActualTotal": totals.actual,
        "InvoicedTotal": totals.invoiced,
        "Remaining": totals.remaining,
        "Uncommitted": totals.uncommitted,
        "PercentUsed": "" if totals.used is None else totals.used,
        "LinesOverBudget": totals.lines_over_budget,
    }
    # Excel needs at least one data row in a table: an empty tracker gets one blank line.
    blank_line: dict[str, Value] = (
        {column: None for column in INPUT_COLUMNS} | LineFigures().computed() | {"Freelancer no.": ""}
    )
    spare: dict[str, Value] = dict.fromkeys(FREELANCER_COLUMNS, "")  # empty until a line names a new freelancer
    freelancer_rows: list[Mapping[str, Value]] = [
        {"Freelancer": name, "Planned": planned, "Actual": actual} for name, (planned, actual) in by_freelancer.items()
    ]
    freelancer_rows += [spare] * SPARE_FREELANCERS
    return Fill(
        tables={
            LINES: rows or [blank_line],
            FREELANCERS: freelancer_rows,
        },
        cells=cells,
        currency_format=currency_format(context["currency"], context.get("locale") or "en-US"),
    )


BUDGET_TRACKER = Layout(
    tables=(
        TableSpec(LINES, tuple(INPUT_COLUMNS), COMPUTED_COLUMNS),
        TableSpec(FREELANCERS, (), FREELANCER_COLUMNS),
    ),
    inputs=INPUT_CELLS,
    computed=TOTAL_CELLS,
    fill=fill,
)
"""The budget tracker template's layout: templates/budget.xlsx holds these tables and names."""
