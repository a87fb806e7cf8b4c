"""Reading what a request sends: its JSON body and its query parameters, as models."""
from __future__ import annotations

from typing import TypeVar

import pydantic_core
from flask import current_app, g, request
from pydantic import BaseModel, ValidationError

from ..errors import BadRequest, InvalidData, UnsupportedMedia
from ..validation import problems_of

M = TypeVar("M", bound=BaseModel)


def json_body(model: type[M]) -> M:
    """Return the JSON body as ``model``; raise UnsupportedMedia, BadRequest or InvalidData saying why.

    The body is parsed by pydantic-core, which bounds nesting depth, so hostile JSON gets a 400.
    """
    if not request.is_json:
        raise UnsupportedMedia("The request body must be JSON (Content-Type: application/json).")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        value = pydantic_core.from_json(raw, allow_inf_nan=False)
    except ValueError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}.") from None
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise InvalidData("The request body is not valid.", problems_of(exc)) from None


def query(model: type[M]) -> M:
    """Return the query parameters as ``model``; raise InvalidData naming each bad parameter."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise InvalidData("The query parameters are not valid.", problems_of(exc)) from None


def tenant() -> str:
    """Return the tenant the request acts for (``local`` in local mode)."""
    return g.user.tenant


def user_id() -> str:
    """Return the object id of the user the request acts for (``local`` in local mode)."""
    return g.user.oid


def catalog():
    return current_app.extensions["catalog"]


def store():
    return current_app.extensions["store"]


def roster():
    return current_app.extensions["roster"]
