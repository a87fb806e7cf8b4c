"""The shapes of the programme insight API: the period asked for and the figures it answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import InvalidData
from ..problems import Problem


class InsightsQuery(BaseModel):
    """A period of signature dates (both included, either open) and the breakdown asked for."""

    model_config = ConfigDict(extra="forbid")
    start: date | None = Field(None, alias="from", description="First signature date counted (YYYY-MM-DD)")
    end: date | None = Field(None, alias="to", description="Last signature date counted (YYYY-MM-DD)")
    group_by: Literal["category", "team", "cost_center", "skill", "country"] = "category"

    @model_validator(mode="after")
    def _ordered(self) -> InsightsQuery:
        if self.start and self.end and self.start > self.end:
            raise InvalidData("The period is not valid.", [Problem("to", "is on or after from")])
        return self


_IDS = Field(description="The ids of the documents the figure was computed from")


class Figures(BaseModel):
    """Committed SOWs (signed, active or completed) of one group, in one currency."""

    model_config = ConfigDict(from_attributes=True)
    group: str | None = Field(description="The group's value (null: SOWs that do not say)")
    currency: str
    committed_spend: Decimal
    sows: int
    average_value: Decimal
    average_duration_days: float | None = Field(description="From project start to end, both days counted")
    median_days_to_engage: float | None = Field(description="From the first draft of the SOW number to signature")
    ids: list[str] = _IDS


class Counted(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    value: float | int | None
    ids: list[str] = _IDS


class Month(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    month: str = Field(description="YYYY-MM, by signature date")
    sows: int
    average_days_to_engage: float | None
    ids: list[str] = _IDS


class Demand(BaseModel):
    """SOWs signed in a month whose freelancer has a skill."""

    model_config = ConfigDict(from_attributes=True)
    month: str
    skill: str
    sows: int
    ids: list[str] = _IDS


class ExpiringNda(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    template: str
    freelancer: str | None
    expires_on: date = Field(description="The last day the NDA's term covers")


class Insights(BaseModel):
    """A tenant's programme over a period: money per currency, never converted."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)
    start: date | None = Field(serialization_alias="from")
    end: date | None = Field(serialization_alias="to")
    group_by: str
    totals: list[Figures] = Field(description="Per currency")
    groups: list[Figures] = Field(description="Per group and currency")
    median_days_to_engage: Counted
    active_freelancers: Counted = Field(description="Distinct freelancers of the period's SOWs that are active")
    sows_per_month: list[Month]
    demand: list[Demand] = Field(description="Per month and skill")
    ndas_expiring: list[ExpiringNda] = Field(description="NDAs in force whose term ends in the next 90 days")
